"""Request body limits: a small cap for every route, raised per view; streamed bodies opt in.

Every request body is bounded before it is read (DESIGN, Guarantees): `MAX_CONTENT_LENGTH`
(1 MiB) for every route; a view that takes more says so with `@body_limit`, next to its code.
A body without a length (`Transfer-Encoding: chunked`) is refused unless the view streams it
to disk (tus): a form or JSON parser would otherwise hold it all in memory.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from review.errors import error_response

View = TypeVar("View", bound=Callable[..., Any])


def body_limit(
    limit: Callable[[], int],
    *,
    streamed: bool = False,
    refuse: Callable[[int], ResponseReturnValue] | None = None,
) -> Callable[[View], View]:
    """Let a view accept bodies up to limit() bytes; streamed views also take chunked bodies.

    refuse(limit) answers a body over the limit for this view (default: a generic 413), e.g.
    a page form flashes its message and redirects back.
    """

    def mark(view: View) -> View:
        view.body_limit = limit  # type: ignore[attr-defined]
        view.body_streamed = streamed  # type: ignore[attr-defined]
        view.body_refuse = refuse  # type: ignore[attr-defined]
        return view

    return mark


def _megabytes(n: int) -> str:
    return f"{n / 2**20:.0f}" if n >= 2**20 else f"{n / 2**20:.1f}"


def check_body():  # noqa: ANN201
    """Refuse a body over this view's limit, or without a length where it is not streamed."""
    view = current_app.view_functions.get(request.endpoint or "")
    limit = view.body_limit() if view is not None and hasattr(view, "body_limit") else None
    if limit is None:
        limit = current_app.config["MAX_CONTENT_LENGTH"]
    else:
        request.max_content_length = limit  # the parsers and request.stream stop there too
    streamed = bool(getattr(view, "body_streamed", False))
    chunked = "chunked" in request.headers.get("Transfer-Encoding", "").lower()
    length = request.content_length
    if chunked and not streamed:
        return error_response(
            413,
            "length_required",
            _(
                "请求内容必须声明长度（Content-Length），且不能超过 %(mb)s MB。",
                mb=_megabytes(limit),
            ),
        )
    if length is not None and length > limit:
        refuse = getattr(view, "body_refuse", None)
        if refuse is not None:
            return refuse(limit)
        return error_response(
            413,
            "too_large",
            _("请求内容过大（上限 %(mb)s MB），请减少内容后重试。", mb=_megabytes(limit)),
        )
    return None


def init_app(app: Flask) -> None:
    """Check bodies before any other hook (CSRF reads the form) can read them."""
    app.before_request_funcs.setdefault(None, []).insert(0, check_body)
