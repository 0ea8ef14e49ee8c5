"""The Python side of a page's live explorers, run by site/live-worker.js in Pyodide (a Web Worker).

No Jupyter kernel runs here: the page needs only two things from one, and this module gives them.

- **Comms** for ipywidgets (the ``comm`` package's documented hook: ``comm.create_comm`` and
  ``comm.get_comm_manager`` are meant to be replaced by whoever carries the messages). A widget's messages go
  to the page as ``post(msg_type, content_json, buffers)`` (a function the worker provides), where
  @jupyter-widgets/html-manager (the one the page already draws the saved widgets with) keeps the models and
  views; the page's messages come back through :func:`comm_msg`.
- **Running a program**: the statements an explorer needs (``tools/live_code.py``) in one namespace for the
  page; the last one is the explorer cell's final expression, whose widget's model id is returned.

matplotlib draws with Agg (the explorers render PNGs themselves; a worker has no page to draw on).
"""

from __future__ import annotations

import json
import os
import time

os.environ["MPLBACKEND"] = "Agg"

import comm  # noqa: E402
from comm.base_comm import BaseComm, CommManager  # noqa: E402

import live_bridge  # noqa: E402  (the worker's JavaScript: post(msg_type, content_json, buffers))

_manager = CommManager()
namespace: dict = {"__name__": "__main__"}
ran: set[str] = set()


_parent: str | None = None  # the id of the page's message being handled: an echo names it, as a kernel's would


class PageComm(BaseComm):
    """A comm whose messages go to the page's widget manager."""

    def publish_msg(self, msg_type, data=None, metadata=None, buffers=None, **keys):
        content = {"comm_id": self.comm_id, "data": data or {}, **keys}
        message = {"content": content, "metadata": metadata or {}, "parent_header": {"msg_id": _parent}}
        live_bridge.post(msg_type, json.dumps(message), [bytes(b) for b in buffers or []])


comm.create_comm = lambda *args, **kwargs: PageComm(*args, **kwargs)
comm.get_comm_manager = lambda: _manager


def comm_msg(msg_id: str, content_json: str, buffers) -> None:
    """A message from the page to the widget with ``comm_id`` (a slider moved: ``{"method": "update", ...}``)."""
    global _parent
    content = json.loads(content_json)
    msg = {"content": content, "buffers": [b.to_py() for b in buffers], "metadata": {}, "header": {"msg_id": msg_id}}
    _parent = msg_id
    try:
        _manager.comm_msg(None, None, msg)
    finally:
        _parent = None


def warm_up() -> float:
    """Import what every explorer uses, as soon as Pyodide is up (before the program arrives); returns seconds."""
    started = time.perf_counter()
    import matplotlib.figure  # noqa: F401
    import ipywidgets  # noqa: F401  (IPython with it)
    import rmsprop_lib.drawing.widgets  # noqa: F401
    return time.perf_counter() - started


def run(statements_json: str) -> str:
    """Run ``[[id, code], ...]`` (ids already run are skipped); the last is the explorer cell's final expression.

    Returns JSON: the explorer's widget ``model_id`` and each statement's seconds, or the error.
    """
    statements = json.loads(statements_json)
    *body, (last_id, last_code) = statements
    timings = []
    for statement_id, code in body:
        if statement_id in ran:
            continue
        started = time.perf_counter()
        exec(compile(code, f"<statement {statement_id}>", "exec"), namespace)
        ran.add(statement_id)
        timings.append([statement_id, time.perf_counter() - started])
    started = time.perf_counter()
    explorer = eval(compile(last_code, f"<statement {last_id}>", "eval"), namespace)
    timings.append([last_id, time.perf_counter() - started])
    bundle = explorer._repr_mimebundle_() if hasattr(explorer, "_repr_mimebundle_") else {}
    view = bundle.get("application/vnd.jupyter.widget-view+json")
    if view is None:
        raise TypeError(f"the explorer cell's last expression is no widget: {type(explorer).__name__}")
    return json.dumps({"model_id": view["model_id"], "timings": timings})
