"""A folder served on 127.0.0.1, and Chromium that reaches no other host (the JupyterLite and static-site tests)."""

from __future__ import annotations

import functools
import http.server
import threading
import urllib.parse
from pathlib import Path

from test_browser import CHROMIUM, CHROMIUM_ARGS


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".wasm": "application/wasm", ".mjs": "text/javascript", ".js": "text/javascript",
                      ".json": "application/json", ".whl": "application/octet-stream"}

    def log_message(self, *args):
        pass


class QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # a browser that closes a connection early (a page closed mid-load) is no server error


def serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    server = QuietServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def guarded_browser(playwright, allowed: str, also: tuple[str, ...] = ()):
    """Chromium that resolves no host but 127.0.0.1; returns (browser, context, list of blocked requests).

    ``also``: URL prefixes of other hosts that the caller answers itself (``context.route``), not counted as blocked.
    """
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
        *CHROMIUM_ARGS, "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"])
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    blocked: list[str] = []
    host = urllib.parse.urlsplit(allowed).netloc

    def guard(route):
        if urllib.parse.urlsplit(route.request.url).netloc == host or route.request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    context.on("request", lambda request: None if request.url.startswith((allowed, "data:", "blob:", *also))
               else blocked.append(request.url))
    return browser, context, blocked
