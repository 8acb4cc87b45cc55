"""``kdirectory serve``: the site built, served at its base path and rebuilt on every change.

:class:`Preview` builds a project and rebuilds it when a file the build reads changes
(:mod:`kdirectory.preview.watch`); :class:`PreviewServer` serves the last good site over
HTTP, adding to every HTML page it sends a script that reloads it after a rebuild, and the
last build's error while there is one (:mod:`kdirectory.preview.server`,
:mod:`kdirectory.preview.inject`). Nothing the preview adds is written into the built
files. In a test::

    preview = Preview(root)
    first = preview.start()
    server = PreviewServer(preview, "127.0.0.1", 0)
    server.start()
    ...  # change a record
    build = preview.wait_for_build(after=first.number, timeout=30)
    server.close()
    preview.stop()

``Preview(root, watch=False)`` builds once and watches nothing, and a server over it sends
the site exactly as published: no script, no event stream (``kdirectory serve
--no-watch``).
"""

from __future__ import annotations

from kdirectory.preview.builds import Build
from kdirectory.preview.server import PreviewServer, ServeError
from kdirectory.preview.watch import Preview, WatchError

__all__ = ["Build", "Preview", "PreviewServer", "ServeError", "WatchError"]
