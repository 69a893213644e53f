"""Response headers on every answer, and private file modes for what the app writes.

- Pages get a Content-Security-Policy that runs only our own scripts (`script-src 'self'`, no
  inline handlers) and may not be framed (`frame-ancestors 'none'`); other answers (media,
  JSON, files) get `frame-ancestors 'none'` too, so no site frames them.
- `Referrer-Policy: same-origin`: a report's URL never reaches another site.
- `Cache-Control: private, no-store` on everything but the static assets: media, API,
  search, analyses, PDFs, exports and pages are private, and a shared or later user of the
  browser must not find them in its cache. It also makes every read reach the server, where
  it is audited (services/audit.py).
- The process umask (FILE_UMASK, default 0o077) makes every file the app, its workers and their
  children (ffmpeg, redis-server, SQLite) create under instance/ readable by its user only
  (0600 files, 0700 folders). With SENDFILE_MODE the front server reads MEDIA_ROOT itself:
  run it as the same user, or use FILE_UMASK=0o027 and a shared group.
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, Response, request

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data: blob:",
    "media-src": "'self' blob:",
    "connect-src": "'self'",
    "font-src": "'self'",
    "frame-src": "'none'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
STATIC_ENDPOINTS = ("static", "assets.static")  # cacheable: review/assets.py sets how long
PAGE_POLICY = "; ".join(f"{name} {value}" for name, value in POLICY.items())
# A file, an image or JSON runs no script; a policy there only has to forbid framing (a fuller
# one, e.g. object-src 'none', can stop a browser's own PDF viewer).
FILE_POLICY = "frame-ancestors 'none'"


def secure_headers(response: Response) -> Response:
    """Add the security and caching headers to a response."""
    page = response.mimetype == "text/html"
    response.headers["Content-Security-Policy"] = PAGE_POLICY if page else FILE_POLICY
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Content-Type-Options"] = "nosniff"
    if request.endpoint not in STATIC_ENDPOINTS and "no-store" not in response.headers.get(
        "Cache-Control", ""
    ):
        response.headers["Cache-Control"] = "private, no-store"
        response.headers.pop("Expires", None)
    return response


def private_files(app: Flask) -> None:
    """Set the process umask and make the instance and media folders the app user's only."""
    umask = int(app.config.get("FILE_UMASK", 0o077))
    os.umask(umask)
    mode = 0o777 & ~umask
    for key in ("INSTANCE_DIR", "MEDIA_ROOT"):
        folder = Path(app.config[key])
        folder.mkdir(parents=True, exist_ok=True, mode=mode)
        try:
            if folder.stat().st_uid == os.getuid():
                folder.chmod(mode)
        except OSError:  # a shared mount we may not change: its owner decides
            pass


def init_app(app: Flask) -> None:
    """Register the headers on every response (private_files runs with the settings)."""
    app.after_request(secure_headers)
