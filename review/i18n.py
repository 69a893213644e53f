"""Translation layer: Simplified Chinese first, English second, Chinese date formats."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, has_request_context, request, session
from flask_babel import get_locale, to_user_timezone

from review.extensions import babel


def select_locale() -> str:
    """Pick the UI language: an explicit choice, else Simplified Chinese."""
    if not has_request_context():  # CLI commands and workers: the default
        return "zh_CN"
    choice = request.args.get("lang")
    languages = babel_languages()
    if choice in languages:
        session["lang"] = choice
        return choice
    saved = session.get("lang")
    return saved if saved in languages else "zh_CN"


def babel_languages() -> tuple[str, ...]:
    """Return the configured UI languages."""
    from flask import current_app

    return tuple(current_app.config["LANGUAGES"])


def _remember_locale() -> None:
    """Store a `?lang=` choice even when the view only redirects."""
    if "lang" in request.args:
        get_locale()


def lang_url(code: str) -> str:
    """Return the current page's URL with the UI language switched to code."""
    from urllib.parse import urlencode

    from flask import url_for

    if request.endpoint is None or request.method != "GET":
        return f"?lang={code}"
    query = urlencode({**request.args.to_dict(), "lang": code})
    # Only the view arguments go through url_for: the query string is the client's, and
    # names like `_method`, `_external` or `endpoint` mean something to url_for itself.
    return f"{url_for(request.endpoint, **(request.view_args or {}))}?{query}"


# Chinese and ISO-like date patterns, filled by str.format: Babel's format_datetime parses its
# pattern on every call, which a list of a hundred rows pays for a hundred times.
_PATTERNS = {
    "zh": {
        "date": "{y}年{m}月{d}日",
        "medium": "{y}年{m}月{d}日 {H:02d}:{M:02d}",
        "short": "{m}月{d}日 {H:02d}:{M:02d}",
        "seconds": "{y}年{m}月{d}日 {H:02d}:{M:02d}:{S:02d}",
    },
    "en": {
        "date": "{y:04d}-{m:02d}-{d:02d}",
        "medium": "{y:04d}-{m:02d}-{d:02d} {H:02d}:{M:02d}",
        "short": "{m:02d}-{d:02d} {H:02d}:{M:02d}",
        "seconds": "{y:04d}-{m:02d}-{d:02d} {H:02d}:{M:02d}:{S:02d}",
    },
}


def format_dt(value: datetime | None, fmt: str = "medium") -> str:
    """Format a datetime in Beijing time for the reader, e.g. 2026年11月26日 16:08."""
    if value is None:
        return ""
    local = to_user_timezone(value)
    language = "zh" if str(get_locale()).startswith("zh") else "en"
    return _PATTERNS[language][fmt].format(
        y=local.year, m=local.month, d=local.day, H=local.hour, M=local.minute, S=local.second
    )


def init_app(app: Flask) -> None:
    """Bind Flask-Babel with the locale selector and the template helpers."""
    from review.config import ROOT

    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(ROOT / "review" / "translations"),
    )
    app.before_request(_remember_locale)
    app.jinja_env.globals["lang_url"] = lang_url
    app.jinja_env.filters["dt"] = format_dt
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale())
    from review.labels import label

    app.jinja_env.globals["label"] = label
