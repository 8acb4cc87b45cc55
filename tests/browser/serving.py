"""A built site served over HTTP on 127.0.0.1, as a static host serves it.

:func:`serve` is the one place the browser tests start a web server: everything else asks
it for a URL. It answers like the hosts in docs/deploying.md: ``/dir/`` is
``dir/index.html``, ``/dir`` is redirected to ``/dir/``, and a path with no file is the
site's ``404.html`` with status 404. Only paths under the site's base path are the site;
anything else is a 404 too, so a page that links outside its base path is caught.

It is not ``kdirectory serve`` (kdirectory.preview): that server adds a reload script and
a stream of server-sent events to every page it sends, while these tests load the pages as
they are published.
"""

from __future__ import annotations

import http.server
import mimetypes
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import unquote, urlsplit

HOST = "127.0.0.1"

TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml",
    ".kml": "application/vnd.google-earth.kml+xml",
    ".svg": "image/svg+xml",
    ".txt": "text/plain; charset=utf-8",
    ".webp": "image/webp",
    ".jpg": "image/jpeg",
    ".png": "image/png",
}


class StaticSite(http.server.BaseHTTPRequestHandler):
    """Serves ``folder`` at ``base_path`` (``""`` or ``/a/path``, no trailing slash); set on
    a subclass by :func:`serve`."""

    folder: ClassVar[Path]
    base_path: ClassVar[str]
    protocol_version = "HTTP/1.1"  # keep-alive, as a real host; every answer has a length

    def do_GET(self) -> None:
        self.answer(body=True)

    def do_HEAD(self) -> None:
        self.answer(body=False)

    def answer(self, *, body: bool) -> None:
        path = unquote(urlsplit(self.path).path)
        if path == self.base_path:
            self.redirect(path + "/")
            return
        if not path.startswith(self.base_path + "/"):
            self.not_found(body=body)
            return
        target = self.file_for(path[len(self.base_path) :])
        if target is not None and target.is_dir():
            if not path.endswith("/"):
                self.redirect(path + "/")
                return
            target = target / "index.html"
        if target is None or not target.is_file():
            self.not_found(body=body)
            return
        self.send(200, target.read_bytes(), TYPES.get(target.suffix) or _guess(target), body)

    def file_for(self, relative: str) -> Path | None:
        """The file or folder ``relative`` names inside the site, or None outside it."""
        root = self.folder.resolve()
        target = (root / relative.lstrip("/")).resolve()
        return target if target.is_relative_to(root) else None

    def redirect(self, location: str) -> None:
        self.send_response(301)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def not_found(self, *, body: bool) -> None:
        page = self.folder / "404.html"
        content = page.read_bytes() if page.is_file() else b"not found\n"
        self.send(404, content, TYPES[".html" if page.is_file() else ".txt"], body)

    def send(self, status: int, content: bytes, content_type: str, body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(content)))
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        if body:
            self.wfile.write(content)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the browser tests record requests themselves."""


class Server(http.server.ThreadingHTTPServer):
    """Handles each connection in a thread; says nothing when the browser hangs up first
    (it cancels what a page still loads when it leaves the page)."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _guess(path: Path) -> str:
    return mimetypes.guess_type(path.name)[0] or "application/octet-stream"


@contextmanager
def serve(folder: Path, base_path: str = "") -> Iterator[str]:
    """Serve ``folder`` (which may not exist yet: build into it after) on 127.0.0.1, on a port
    the system picks, in a thread, at ``base_path``; yields the site's URL without a trailing
    slash (``http://127.0.0.1:PORT`` + base path), the form of ``[site] base_url``."""
    base = "/" + base_path.strip("/") if base_path.strip("/") else ""
    handler = type("Handler", (StaticSite,), {"folder": folder, "base_path": base})
    with Server((HOST, 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, name=f"serve {folder}")
        thread.start()
        try:
            yield f"http://{HOST}:{server.server_address[1]}{base}"
        finally:
            server.shutdown()
            thread.join()
