"""The preview server: the last good site over HTTP, at the path it will be published under,
with the live-reload script and the last build's error added to every HTML page it sends.
Over a preview that does not watch (``kdirectory serve --no-watch``) it adds nothing: every
file is sent exactly as published, and there is no event stream.

Only files inside the output folder are ever sent: a path is decoded (``%2e%2e`` is ``..``)
before it is looked at, ``.`` and ``..`` segments, empty segments and dotfiles (the build's
manifest, lock and staging folder) are refused, and a symlink that leads out of the folder
is a 404. A folder is its ``index.html`` (never a listing); a missing page is the site's
``404.html`` with status 404. Nothing is cached by the browser (``no-store``), so a reload
shows the last build.
"""

from __future__ import annotations

import errno
import os
import shutil
import socket
import socketserver
import sys
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO
from urllib.parse import unquote, urlsplit

from kdirectory.exceptions import KdirectoryError
from kdirectory.preview.inject import EVENTS_PATH, RESERVED, inject, unbuilt_page

if TYPE_CHECKING:
    from kdirectory.preview.watch import Listener, Message, Preview, View

__all__ = ["CONTENT_TYPES", "PreviewServer", "ServeError"]

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml",
    ".kml": "application/vnd.google-earth.kml+xml",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".webmanifest": "application/manifest+json",
    ".woff2": "font/woff2",
    ".pdf": "application/pdf",
}
"""The type of each kind of file a site holds, by suffix (the system's own table differs from
machine to machine); anything else is ``application/octet-stream``, a file without a suffix
(``_redirects``) plain text."""
HTML = CONTENT_TYPES[".html"]
KEEPALIVE_SECONDS = 15.0
"""How often an idle event stream sends a comment, so a closed page is noticed."""
RETRY_MS = 1000
"""How soon a page's event stream reconnects after the server went away."""
SERVED_DOTFILES = frozenset({".well-known"})
"""The one dotted name a site may publish (``/.well-known/…``)."""


class ServeError(KdirectoryError):
    """Raised when the server cannot listen where it was asked to (the port is taken, the
    address is not this machine's, the port needs privileges)."""


class PreviewServer:
    """An HTTP server over a :class:`~kdirectory.preview.watch.Preview`, listening from the
    moment it is made (so a taken port fails at once). ``port=0`` takes a free port;
    :attr:`port` and :attr:`url` say which. Over a preview that watches, pages get the
    live-reload script (:attr:`live`); over one that does not, the site as published."""

    def __init__(self, preview: Preview, host: str = "127.0.0.1", port: int = 8000) -> None:
        self.preview = preview
        self._listeners: set[Listener] = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._serving = threading.Event()
        handler = type("_BoundHandler", (_Handler,), {"owner": self})
        try:
            self._httpd = _HTTPServer((host, port), handler)
        except socket.gaierror as exc:
            raise ServeError(
                f"cannot listen on {host}: {exc.strerror}; give an address of this machine "
                "with --host (the default, 127.0.0.1, is this machine only)"
            ) from None
        except OSError as exc:
            raise ServeError(_bind_message(host, port, exc)) from None

    @property
    def live(self) -> bool:
        """Pages reload after a rebuild and show its errors: the preview watches. Otherwise
        every file is sent as it is on disk, and :data:`~kdirectory.preview.inject.RESERVED`
        paths are the site's like any other."""
        return self.preview.watching

    @property
    def host(self) -> str:
        return str(self._httpd.server_address[0])

    @property
    def port(self) -> int:
        """The port listened on (the one the system chose for ``port=0``)."""
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """The address of the site's home page."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}{self.preview.view().base_path}/"

    def serve_forever(self) -> None:
        """Answer requests in this thread until :meth:`close` is called from another (or
        Ctrl-C, in the main thread)."""
        self._serving.set()
        self._serve()

    def start(self) -> None:
        """Answer requests in a thread of the server's own."""
        self._serving.set()  # before the thread runs: close() must stop it whenever called
        self._thread = threading.Thread(target=self._serve, name="kdirectory-serve", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        try:
            self._httpd.serve_forever(poll_interval=0.1)
        finally:
            self._serving.clear()

    def close(self) -> None:
        """Stop answering, end every open page's event stream and free the port."""
        if self._serving.is_set():
            self._httpd.shutdown()  # returns once serve_forever has
        if self._thread is not None:
            self._thread.join()
        with self._lock:
            listeners, self._listeners = self._listeners, set()
        for listener in listeners:
            listener.put(None)
        self._httpd.server_close()

    def _opened(self, listener: Listener) -> None:
        with self._lock:
            self._listeners.add(listener)

    def _closed(self, listener: Listener) -> None:
        with self._lock:
            self._listeners.discard(listener)
        self.preview.unlisten(listener)


def _bind_message(host: str, port: int, exc: OSError) -> str:
    where = f"{host}:{port}"
    if exc.errno == errno.EADDRINUSE:
        return (
            f"{where} is already in use (another server, or another kdirectory serve); "
            f"choose another port with --port, such as --port {port + 1 if port else 8001}, "
            "or --port 0 for any free one"
        )
    if exc.errno == errno.EACCES:
        return (
            f"not allowed to listen on {where} (ports below 1024 need privileges); "
            "choose another port with --port, such as the default 8000"
        )
    if exc.errno == errno.EADDRNOTAVAIL:
        return (
            f"cannot listen on {host}: it is not an address of this machine; give one with "
            "--host (the default, 127.0.0.1, is this machine only)"
        )
    return f"cannot listen on {where}: {exc.strerror or exc}"


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind asks DNS for the host's full name, which can hang offline.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A reader that went away mid-answer is no error of the server's."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    owner: PreviewServer
    server_version = "kdirectory-serve"
    protocol_version = "HTTP/1.0"

    def do_GET(self) -> None:
        self._answer(body=True)

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def log_message(self, format: str, *args: object) -> None:
        """Requests are not logged: the terminal is for the builds."""

    # --- routing ---------------------------------------------------------------------------

    def _answer(self, *, body: bool) -> None:
        raw = urlsplit(self.path)
        path = raw.path
        if not path.startswith("/"):
            self._plain(HTTPStatus.BAD_REQUEST, "not a path", body=body)
            return
        live = self.owner.live
        if live and path == EVENTS_PATH and body:
            self._events()
            return
        view = self.owner.preview.view()
        if live and path.startswith(RESERVED):
            self._not_found(view, body=body)
            return
        if view.site is None:
            if live:
                page = unbuilt_page(view.error)
                self._send(HTTPStatus.SERVICE_UNAVAILABLE, HTML, page, body=body)
            else:
                lines = ("the site did not build", *(view.error or ()))
                self._plain(HTTPStatus.SERVICE_UNAVAILABLE, "\n".join(lines), body=body)
            return
        base = view.site.base_path
        if base and path in {"/", base}:
            self._redirect(base + "/", body=body)
            return
        if base and not path.startswith(base + "/"):
            self._not_found(view, body=body)
            return
        found = _find(view.site.out, path[len(base) + 1 :])
        if found is None:
            self._not_found(view, body=body)
        elif found.is_dir():
            if _find(view.site.out, path[len(base) + 1 :] + "/") is None:
                self._not_found(view, body=body)  # a folder without a page: no listing
                return
            query = f"?{raw.query}" if raw.query else ""
            self._redirect(path + "/" + query, body=body)
        else:
            self._file(found, view, HTTPStatus.OK, body=body)

    def _not_found(self, view: View, *, body: bool) -> None:
        if view.site is not None:
            page = _find(view.site.out, "404.html")
            if page is not None and page.is_file():
                self._file(page, view, HTTPStatus.NOT_FOUND, body=body)
                return
        self._plain(HTTPStatus.NOT_FOUND, "404: no such page", body=body)

    # --- answers ---------------------------------------------------------------------------

    def _file(self, path: Path, view: View, status: HTTPStatus, *, body: bool) -> None:
        kind = content_type(path)
        try:
            with path.open("rb") as stream:
                if kind == HTML and self.owner.live:
                    token = view.site.token if view.site is not None else ""
                    self._send(status, kind, inject(stream.read(), token, view.error), body=body)
                    return
                size = _size(stream)
                self._head(status, kind, size)
                if body:
                    shutil.copyfileobj(stream, self.wfile)
        except FileNotFoundError:  # replaced or removed by a build since it was found
            self._plain(HTTPStatus.NOT_FOUND, "404: no such page", body=body)

    def _send(self, status: HTTPStatus, kind: str, data: bytes, *, body: bool) -> None:
        self._head(status, kind, len(data))
        if body:
            self.wfile.write(data)

    def _plain(self, status: HTTPStatus, text: str, *, body: bool) -> None:
        self._send(status, "text/plain; charset=utf-8", f"{text}\n".encode(), body=body)

    def _head(self, status: HTTPStatus, kind: str, size: int) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(size))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()

    def _redirect(self, location: str, *, body: bool) -> None:
        self.send_response(HTTPStatus.FOUND)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()

    def _events(self) -> None:
        preview = self.owner.preview
        listener = preview.listen()
        self.owner._opened(listener)
        try:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self._write(f"retry: {RETRY_MS}\n\n".encode())
            while True:
                try:
                    message = listener.next(timeout=KEEPALIVE_SECONDS)
                except TimeoutError:
                    self._write(b": waiting for changes\n\n")
                    continue
                if message is None:
                    return
                self._write(_event(message))
        except ConnectionError:
            return  # the page was closed
        finally:
            self.owner._closed(listener)

    def _write(self, data: bytes) -> None:
        self.wfile.write(data)
        self.wfile.flush()


def content_type(path: Path) -> str:
    """The ``Content-Type`` of a site's file, by its suffix."""
    if not path.suffix:
        return "text/plain; charset=utf-8"
    return CONTENT_TYPES.get(path.suffix.lower(), "application/octet-stream")


def _event(message: Message) -> bytes:
    return f"event: {message.event}\ndata: {message.data}\n\n".encode()


def _size(stream: BinaryIO) -> int:
    return os.fstat(stream.fileno()).st_size


def _find(out: Path, relative: str) -> Path | None:
    """The file or folder of ``out`` that the URL path ``relative`` (after the base path,
    still %-encoded) names, or ``None`` when it names none or would leave ``out``. A path
    ending in ``/`` names the folder's ``index.html``."""
    try:
        parts = unquote(relative, errors="strict").split("/")
    except UnicodeDecodeError:
        return None
    index = parts[-1] == ""
    if index:
        parts = parts[:-1]
    for part in parts:
        if part in {"", ".", ".."} or "\\" in part or "\0" in part:
            return None
        if part.startswith(".") and part not in SERVED_DOTFILES:
            return None
    try:
        root = out.resolve(strict=True)
        target = out.joinpath(*parts).resolve(strict=True)
        if index:
            if not target.is_dir():
                return None
            target = (target / "index.html").resolve(strict=True)
    except (OSError, RuntimeError):  # missing, a link loop, unreadable
        return None
    if target != root and root not in target.parents:
        return None  # a link that leads out of the site
    if not (target.is_file() or target.is_dir()):
        return None  # a named pipe, a socket: nothing to send
    return target
