"""What the preview server adds to the HTML it sends, never to the files on disk: a small
script that reloads the page after a rebuild, and the error of a build that failed.

The script listens to :data:`EVENTS_PATH` (server-sent events): ``reload`` reloads the page,
``error`` shows the failure over the page, ``ok`` clears it (and reloads a page built before
the last build, say one open while the server restarted). The error is also written into
the page by the server, so it shows without JavaScript.
"""

from __future__ import annotations

import html
import json

RESERVED = "/__kdirectory/"
"""Paths of the preview server itself, never of the site."""
EVENTS_PATH = RESERVED + "events"
"""The stream of server-sent events the injected script listens to."""
SCRIPT_ID = "kdirectory-preview"
"""The ``id`` of the injected script: what tests and the check for leaks look for."""
BANNER_ID = "kdirectory-preview-error"
"""The ``id`` of the error shown over the page."""

STALE = (
    "kdirectory serve: the last build failed. This is the last site that built; it "
    "updates when the next build succeeds."
)
UNBUILT = (
    "kdirectory serve: the site did not build, and there is no earlier build to show. "
    "This page reloads when a build succeeds."
)
_BOX_STYLE = (
    "position:fixed;top:0;left:0;right:0;z-index:2147483647;max-height:60vh;overflow:auto;"
    "margin:0;padding:12px 16px;background:#fff5f5;color:#1d2327;"
    "border-bottom:4px solid #b3261e;box-shadow:0 2px 8px rgba(0,0,0,.25);"
    "font:15px/1.45 system-ui,sans-serif;text-align:left"
)
_LINES_STYLE = (
    "margin:8px 0 0;white-space:pre-wrap;overflow-wrap:anywhere;"
    "font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;color:#5c0f0a"
)
_SCRIPT = """(function () {
  "use strict";
  var me = document.currentScript, build = me && me.getAttribute("data-build");
  var info = %(info)s;
  if (!window.EventSource) { return; }
  function clear() {
    var old = document.getElementById(info.id);
    if (old) { old.parentNode.removeChild(old); }
  }
  function show(lines) {
    clear();
    var box = document.createElement("div"), head = document.createElement("strong");
    var text = document.createElement("pre");
    box.id = info.id;
    box.setAttribute("role", "alert");
    box.setAttribute("style", info.box);
    head.textContent = info.heading;
    text.setAttribute("style", info.lines);
    text.textContent = lines.join("\\n");
    box.appendChild(head);
    box.appendChild(text);
    document.body.appendChild(box);
  }
  var events = new EventSource(info.events);
  events.addEventListener("reload", function () { window.location.reload(); });
  events.addEventListener("ok", function (event) {
    clear();
    if (event.data !== build) { window.location.reload(); }
  });
  events.addEventListener("error", function (event) {
    if (typeof event.data === "string") { show(JSON.parse(event.data)); }
  });
})();"""


def script(token: str, heading: str = STALE) -> str:
    """The live-reload script for a page of the site build ``token``; ``heading`` opens the
    box of an error it is sent."""
    info = {
        "id": BANNER_ID,
        "events": EVENTS_PATH,
        "heading": heading,
        "box": _BOX_STYLE,
        "lines": _LINES_STYLE,
    }
    code = (_SCRIPT % {"info": json.dumps(info, ensure_ascii=False)}).replace("</", "<\\/")
    return f'<script id="{SCRIPT_ID}" data-build="{html.escape(token)}">{code}</script>'


def banner(lines: tuple[str, ...], heading: str = STALE) -> str:
    """The failure ``lines`` as a box over the top of the page."""
    text = html.escape("\n".join(lines), quote=False)
    return (
        f'<div id="{BANNER_ID}" role="alert" style="{_BOX_STYLE}">'
        f"<strong>{html.escape(heading, quote=False)}</strong>"
        f'<pre style="{_LINES_STYLE}">{text}</pre></div>'
    )


def inject(page: bytes, token: str, error: tuple[str, ...] | None) -> bytes:
    """``page`` with the live-reload script, and the box of ``error`` when there is one,
    before its ``</body>`` (at its end when it has none)."""
    added = (banner(error) if error is not None else "") + script(token)
    at = page.lower().rfind(b"</body")
    extra = added.encode("utf-8")
    return page + extra if at < 0 else page[:at] + extra + page[at:]


def unbuilt_page(error: tuple[str, ...] | None) -> bytes:
    """The page every address shows while no build has succeeded: the error and the
    script, which reloads it once one does."""
    lines = error if error is not None else ()
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>kdirectory serve: the site did not build</title></head>"
        f"<body>{banner(lines, UNBUILT)}{script('', UNBUILT)}</body></html>\n"
    ).encode()
