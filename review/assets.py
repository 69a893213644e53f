"""Versioned static URLs: `static_url()` for templates and the route that serves them.

WeChat's in-app browser keeps static files long past their `Expires`, so a page would run new
HTML against last week's scripts. Every template links its CSS and JS through `static_url`,
which puts a version in the path: `/static/v/<version>/js/review.js`. The version is a hash of
the whole static tree (not of one file) because the review page's ES modules import each other
by relative URL ("./lib.js", "./review/player.js"): a version segment in the path is inherited
by every module they import, where a `?v=` query on the entry file would not be. A versioned
URL is immutable, so it is served with a year's `Cache-Control`; a request for another version
(an old page after a deploy) gets the current file, revalidated every time.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Blueprint, Flask, current_app, send_from_directory, url_for
from flask.typing import ResponseReturnValue

YEAR = 365 * 24 * 3600
IMMUTABLE = f"public, max-age={YEAR}, immutable"
REVALIDATE = "public, no-cache"

bp = Blueprint("assets", __name__)


def tree_version(folder: Path) -> str:
    """Return a short hash of every file's path and content under folder."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def static_version() -> str:
    """Return the static tree's version (computed once; on every call while debugging)."""
    app = current_app
    cached = app.extensions.get("static_version")
    if cached is None or app.debug:
        cached = tree_version(Path(app.static_folder or "static"))
        app.extensions["static_version"] = cached
    return cached


def static_url(filename: str) -> str:
    """Return the versioned URL of a file under static/."""
    return url_for("assets.static", version=static_version(), filename=filename)


@bp.get("/static/v/<version>/<path:filename>")
def static(version: str, filename: str) -> ResponseReturnValue:
    """Serve a static file under a version: immutable for a year when it is the current one."""
    resp = send_from_directory(current_app.static_folder or "static", filename)
    resp.headers["Cache-Control"] = IMMUTABLE if version == static_version() else REVALIDATE
    resp.headers.pop("Expires", None)
    return resp


def init_app(app: Flask) -> None:
    """Register the route and the `static_url` template global."""
    app.register_blueprint(bp)
    app.jinja_env.globals["static_url"] = static_url
