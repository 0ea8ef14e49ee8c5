"""What an explorer needs to run: the statements of its notebook it depends on, found without running anything.

A site page makes an explorer live by running, in the browser's Python (Pyodide), the code of the notebook
that the explorer's cell needs: not every cell above it (that would redraw every figure of the page and
repeat every check), only the top-level statements its names come from. ``explorer_programs(notebook)``
returns them, one program per explorer, as a backward slice over top-level statements:

- the explorer cell's free names are *needed*; going back through the notebook, a statement is kept when it
  binds a needed name (assignment, ``def``, ``class``, ``import``, ``for``/``with`` targets) or changes one
  in place (``name[...] = ...``, ``name.attr = ...``, ``name += ...``, or a method call statement such as
  ``controls["problem"].observe(...)``, whose root is not a module); the names a kept statement reads
  become needed too;
- every ``import`` is kept, and the calls right after a cell's imports (``plotting.use_series_style()``,
  the figures' style, a call on a module);
- IPython magics are left out (``%matplotlib inline`` means nothing off JupyterLab); a kept statement in a
  ``%%`` cell is an error, and so is an explorer cell that does not end in the explorer.

Each statement has an id, ``"cell.statement"``; a page's explorers share one Python namespace, and
``page_program`` lists the statements once, with each explorer's ids in notebook order, so that a second
explorer runs only what the first did not. ``check_order`` refuses a page where running one explorer's
statements and then another's would leave a name bound by a statement the second does not expect.

**Precomputed results.** A program may spend seconds on results its explorer only reads: 05's race explorer
reads the best learning rates of a sweep of 20 x 51 runs, 08's lab draws a map of 8,000 runs. At build time
``run_page`` runs a page's program once, in the site's own Pyodide (``tools/live_precompute.mjs``), and keeps,
after each statement, the values it bound that are plain data (numbers, strings, NumPy arrays, and tuples,
lists, dicts of them) and small; ``precompute`` then replaces, going back from each explorer, a statement whose
needed names all have such values by one that restores them (``"<id>*"``), and drops the statements that only
fed it. What the explorer computes when a control moves is unchanged: only what it reads is restored.

Usage: ``python tools/live_code.py NOTEBOOK...`` prints each explorer's program and its size.
"""

from __future__ import annotations

import ast
import base64
import contextlib
import io
import json
import pickle
import symtable
import time
import sys
from pathlib import Path

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def _code(cell: dict) -> tuple[str, bool]:
    """A code cell's Python with magics left out; and whether it was a ``%%`` cell magic."""
    source = "".join(cell["source"])
    cell_magic = source.lstrip().startswith("%%")
    lines = [("" if line.lstrip().startswith(("%", "!")) else line) for line in source.splitlines()]
    return "\n".join(lines), cell_magic


def _root(node: ast.AST) -> str | None:
    """``a`` for ``a``, ``a.b``, ``a[1].c``; None for anything else (a call's result, a literal)."""
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _targets(target: ast.AST) -> set[str]:
    """The names an assignment target binds or changes in place."""
    if isinstance(target, (ast.Tuple, ast.List)):
        return set().union(*(_targets(t) for t in target.elts)) if target.elts else set()
    if isinstance(target, ast.Starred):
        return _targets(target.value)
    root = _root(target)
    return {root} if root else set()


def binds(statement: ast.stmt, modules: set[str]) -> set[str]:
    """The global names a top-level statement binds or changes (see the module docstring)."""
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {statement.name}
    if isinstance(statement, (ast.Import, ast.ImportFrom)):
        return {(alias.asname or alias.name).split(".")[0] for alias in statement.names}
    names: set[str] = set()
    for node in ast.walk(statement):  # nested function bodies bind locals only: do not walk into them
        if isinstance(node, ast.Assign):
            for target in node.targets:
                names |= _targets(target)
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            names |= _targets(node.target)
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            names |= _targets(node.target)
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            names |= _targets(node.optional_vars)
        elif isinstance(node, ast.NamedExpr):
            names |= _targets(node.target)
        elif isinstance(node, ast.Delete):
            for target in node.targets:
                names |= _targets(target)
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Attribute):
            root = _root(node.value.func)  # x.append(...), controls["lr"].observe(...): a change to x
            if root and root not in modules:
                names.add(root)
    if isinstance(statement, (ast.Global, ast.Nonlocal)):
        names |= set(statement.names)
    return names


def _names(target: ast.AST) -> set[str]:
    """The bare names an assignment target rebinds (``a``, ``a, b``), not the roots it changes (``a[0]``)."""
    if isinstance(target, (ast.Tuple, ast.List)):
        return set().union(*(_names(t) for t in target.elts)) if target.elts else set()
    if isinstance(target, ast.Starred):
        return _names(target.value)
    return {target.id} if isinstance(target, ast.Name) else set()


def inner_bindings(statement: ast.stmt) -> set[str]:
    """Names a compound statement (``for``, ``if``, ``with``, ...) rebinds inside itself: its loop variables
    and plain assignments. What it reads of them is its own value, not an earlier statement's."""
    if not isinstance(statement, (ast.For, ast.AsyncFor, ast.While, ast.If, ast.With, ast.AsyncWith, ast.Try)):
        return set()
    names: set[str] = set()
    for node in ast.walk(statement):
        if isinstance(node, (ast.For, ast.AsyncFor)):
            names |= _names(node.target)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                names |= _names(target)
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            names |= _names(node.optional_vars)
    return names


def reads(code: str) -> set[str]:
    """The global names a statement reads, at the top level or inside its functions, lambdas and comprehensions
    (Python's own scoping, from :mod:`symtable`: a function's parameters and locals are not global names)."""
    top = symtable.symtable(code, "<statement>", "exec")
    names = {symbol.get_name() for symbol in top.get_symbols() if symbol.is_referenced()}
    tables = list(top.get_children())
    while tables:
        table = tables.pop()
        names |= {symbol.get_name() for symbol in table.get_symbols() if symbol.is_global() and symbol.is_referenced()}
        tables += table.get_children()
    return names


def _statements(nb: dict) -> tuple[list[dict], list[int]]:
    """Every top-level statement of the notebook's code cells, and the index (into the cells) of each explorer."""
    statements, explorers, modules = [], [], set()
    code_cells = [c for c in nb["cells"] if c["cell_type"] == "code"]
    for number, cell in enumerate(code_cells):
        if "setup" in cell.get("metadata", {}).get("tags", []):
            continue  # the Colab install cell: the library is there
        source, cell_magic = _code(cell)
        tree = ast.parse(source)
        prelude, imported = True, False  # the imports at the top of a cell and the module calls right after them
        for index, statement in enumerate(tree.body):
            is_import = isinstance(statement, (ast.Import, ast.ImportFrom))
            if is_import:
                modules |= binds(statement, set())
            module_call = (imported and isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)
                           and _root(statement.value.func) in modules)
            imported = imported or is_import
            prelude = prelude and (is_import or module_call)
            code = ast.get_source_segment(source, statement, padded=True)
            statements.append({
                "id": f"{number}.{index}", "cell": number, "code": code,
                "binds": binds(statement, modules), "reads": reads(code) - inner_bindings(statement),
                "always": prelude and (is_import or module_call), "cell_magic": cell_magic, "node": statement,
            })
        if any(WIDGET_VIEW in output.get("data", {}) for output in cell.get("outputs", [])):
            if not tree.body or not isinstance(tree.body[-1], ast.Expr):
                raise ValueError(f"code cell {number}: an explorer cell must end in the explorer (an expression)")
            explorers.append(number)
    return statements, explorers


def explorer_programs(nb: dict) -> list[list[dict]]:
    """For each explorer, the statements it needs, in notebook order (its own cell's last; see the docstring)."""
    statements, explorers = _statements(nb)
    programs = []
    for cell in explorers:
        own = [s for s in statements if s["cell"] == cell]
        earlier = [s for s in statements if s["cell"] < cell]
        needed = set().union(*(s["reads"] for s in own))
        kept = []
        for statement in reversed(earlier):
            if statement["always"] or statement["binds"] & needed:
                if statement["cell_magic"]:
                    raise ValueError(f"statement {statement['id']} is needed by the explorer of cell {cell}, "
                                     "but its cell is a %% magic, which the live page does not run")
                kept.append(statement)
                needed |= statement["reads"]
        programs.append(kept[::-1] + own)
    return programs


def check_order(programs: list[list[dict]]) -> None:
    """Raise if running one explorer's program and then the statements another still lacks changes what it sees.

    For explorers A and B of one page, after A's program, B runs only its statements A did not run. Every
    name B reads must then have been bound last by a statement of B's own program, as it would in B alone.
    """
    for first in programs:
        for second in programs:
            if first is second:
                continue
            ran = [s for s in first] + [s for s in second if s["id"] not in {f["id"] for f in first}]
            own = {s["id"] for s in second}
            for name in set().union(*(s["reads"] for s in second)):
                last = [s for s in ran if name in s["binds"]]
                if last and last[-1]["id"] not in own:
                    raise ValueError(f"explorers share a namespace, but after another explorer {name!r} would be "
                                     f"bound by statement {last[-1]['id']}, which this explorer does not run")


def page_program(nb: dict) -> dict:
    """What a page's live explorers run: ``{"statements": {id: code}, "explorers": [[id, ...], ...], "meta":
    {id: {"binds": [...], "reads": [...], "always": bool}}}`` (``meta`` is for :func:`precompute`)."""
    programs = explorer_programs(nb)
    check_order(programs)
    statements = {s["id"]: s["code"] for program in programs for s in program}
    meta = {s["id"]: {"binds": sorted(s["binds"]), "reads": sorted(s["reads"]), "always": s["always"]}
            for program in programs for s in program}
    return {"statements": statements, "explorers": [[s["id"] for s in program] for program in programs], "meta": meta}


# --------------------------------------------------------------------------- precomputed results

#: A value restored on the page is at most this many bytes, pickled; a larger one is computed there.
RESTORE_LIMIT = 500_000


def is_data(value, depth: int = 0) -> bool:
    """Plain data a page may restore instead of computing: numbers, strings, bytes, None, NumPy arrays (not of
    objects) and scalars, and tuples, lists, sets and dicts of them. Not functions, widgets, runs or problems."""
    import numpy as np

    if isinstance(value, (type(None), bool, int, float, complex, str, bytes, np.generic)):
        return True
    if isinstance(value, np.ndarray):
        return value.dtype != object
    if depth < 4 and type(value) in (tuple, list, set, frozenset):
        return all(is_data(v, depth + 1) for v in value)
    if depth < 4 and type(value) is dict:
        return all(is_data(k, depth + 1) and is_data(v, depth + 1) for k, v in value.items())
    return False


def run_page(page: dict) -> tuple[dict[str, dict], list]:
    """Run the page's programs as the page does (explorer by explorer, one namespace, each statement once).

    Returns, for each statement, ``{"seconds": s, "values": {name: pickled}}``: its bound names whose values
    are plain data (:func:`is_data`) of at most ``RESTORE_LIMIT`` bytes pickled, as they are right after it;
    and the explorers made (each program's last value)."""
    namespace: dict = {"__name__": "__main__"}
    found: dict[str, dict] = {}
    made = []
    for ids in page["explorers"]:
        *body, last = ids
        for statement_id in body:
            if statement_id in found:
                continue
            started = time.perf_counter()
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(page["statements"][statement_id], statement_id, "exec"), namespace)
            values = {}
            for name in page["meta"][statement_id]["binds"]:
                if name in namespace and is_data(namespace[name]):
                    pickled = pickle.dumps(namespace[name], protocol=4)
                    if len(pickled) <= RESTORE_LIMIT:
                        values[name] = pickled
            found[statement_id] = {"seconds": time.perf_counter() - started, "values": values}
        made.append(eval(compile(page["statements"][last], last, "eval"), namespace))
    return found, made


def restore_code(statement_id: str, names: list[str], values: dict) -> str:
    """The statement that puts back what ``statement_id`` bound (``names``), instead of running it."""
    pickled = base64.b64encode(pickle.dumps({name: pickle.loads(values[name]) for name in names}, protocol=4))
    return (f"# {', '.join(names)}: as statement {statement_id} left them, computed when the site was built\n"
            f"globals().update(__import__('pickle').loads(__import__('base64').b64decode({pickled.decode()!r})))\n")


def _shortened(ids: list[str], meta: dict, values: dict, keep: set[str], hits: dict) -> list[str]:
    """One explorer's program, going back from its last statement: a statement whose needed names all have
    restorable values (and is not in ``keep``) becomes ``"<id>*"`` (the names it must restore added to
    ``hits[id]``); one that feeds nothing needed is dropped."""
    *body, last = ids
    needed, out = set(meta[last]["reads"]), [last]
    for statement_id in reversed(body):
        m = meta[statement_id]
        hit = set(m["binds"]) & needed
        if not (m["always"] or hit):
            continue
        if not m["always"] and statement_id not in keep and hit <= set(values[statement_id]["values"]):
            out.append(statement_id + "*")
            hits.setdefault(statement_id, set()).update(hit)
            needed -= hit
        else:
            out.append(statement_id)
            needed |= set(m["reads"])
    return out[::-1]


def precompute(page: dict, found: dict[str, dict]) -> dict:
    """``page`` with its explorers' programs shortened by the values ``run_page`` ``found``; ``meta`` dropped.

    A statement some explorer of the page still runs is run, never restored, by every explorer (the page shares
    one namespace: restoring values a later statement has changed since would undo that change). Adds
    ``"restored"``: for each restore, the names and the seconds the statements it replaces took when built.
    """
    meta, keep = page["meta"], set()
    while True:
        hits: dict[str, set] = {}
        programs = [_shortened(ids, meta, found, keep, hits) for ids in page["explorers"]]
        ran = {i for program in programs for i in program if not i.endswith("*")}
        clash = {i[:-1] for program in programs for i in program if i.endswith("*")} & ran
        if not clash:
            break
        keep |= clash
    used = {i for program in programs for i in program}
    statements = {i: code for i, code in page["statements"].items() if i in used}
    restored = {}
    for program, ids in zip(programs, page["explorers"]):
        for i in program:
            if i.endswith("*") and i not in statements:
                names = sorted(hits[i[:-1]])
                statements[i] = restore_code(i[:-1], names, found[i[:-1]]["values"])
                restored[i] = names
    saved = sum(found[i]["seconds"] for i in found if i not in used)
    rest = {k: v for k, v in page.items() if k not in ("meta", "statements", "explorers")}
    return {**rest, "statements": statements, "explorers": programs, "restored": restored,
            "seconds_saved": round(saved, 2)}


def main(argv: list[str]) -> None:
    if argv[:1] == ["--precompute"]:  # in the site's Pyodide (tools/live_precompute.mjs): PAGE_JSON...
        for path in argv[1:]:
            page = json.loads(Path(path).read_text())
            done = precompute(page, run_page(page)[0])
            Path(path).write_text(json.dumps(done, ensure_ascii=False))
            print(f"{Path(path).name}: {len(done['restored'])} statements restored, {done['seconds_saved']} s saved")
        return
    for path in argv:
        nb = json.loads(Path(path).read_text())
        for number, program in enumerate(explorer_programs(nb)):
            cells = sorted({s["cell"] for s in program})
            print(f"{path} explorer {number + 1}: {len(program)} statements from code cells {cells}, "
                  f"{sum(len(s['code']) for s in program)} characters")


if __name__ == "__main__":
    main(sys.argv[1:])
