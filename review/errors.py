"""Error responses: JSON under /api/, pages elsewhere, always in the user's language."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from review.exceptions import HuibaoError


def messages() -> dict[int, tuple[str, str]]:
    """Return (code, Chinese message) for the HTTP statuses we answer."""
    return {
        400: ("bad_request", _("请求有误，请检查后重试。")),
        401: ("unauthorized", _("请先登录。")),
        403: ("forbidden", _("您没有权限执行此操作。")),
        404: ("not_found", _("找不到该内容，或您无权查看。")),
        405: ("method_not_allowed", _("不支持该请求方式。")),
        409: ("conflict", _("操作冲突，请刷新后重试。")),
        413: ("too_large", _("文件过大，请压缩后重新上传。")),
        415: ("unsupported_media_type", _("不支持的内容类型。")),
        429: ("rate_limited", _("尝试次数过多，请稍后再试。")),
        500: ("server_error", _("服务器出错了，请稍后重试；如果问题持续，请联系管理员。")),
    }


def wants_json() -> bool:
    """Tell whether the request is an API call."""
    return request.path.startswith("/api/")


def error_response(
    status: int, code: str | None = None, message: str | None = None
) -> ResponseReturnValue:
    """Build the error response for status, JSON or HTML."""
    default_code, default_message = messages().get(status, ("error", _("出错了。")))
    code, message = code or default_code, str(message or default_message)
    if wants_json():
        return jsonify(error={"code": code, "message": message}), status
    return render_template("errors/error.html", status=status, message=message), status


def init_app(app: Flask) -> None:
    """Register the error handlers."""

    @app.errorhandler(HuibaoError)
    def _domain(exc: HuibaoError) -> ResponseReturnValue:
        return error_response(exc.status, exc.code, exc.message)

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError) -> ResponseReturnValue:
        return error_response(400, "csrf", _("页面已过期或来源不明，请刷新页面后重试。"))

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> ResponseReturnValue:
        status = exc.code or 500
        message = exc.description if getattr(exc, "huibao_message", False) else None
        return error_response(status, message=message)

    try:
        from gunicorn.http.errors import ParseException
    except ImportError:  # another WSGI server
        pass
    else:
        # gunicorn raises these from wsgi.input when a chunked body breaks its own framing
        # (a chunk shorter than declared): the client's fault, surfacing in request.stream.
        @app.errorhandler(ParseException)
        def _malformed_body(exc: Exception) -> ResponseReturnValue:
            return error_response(
                400, "malformed_body", _("请求数据不完整或格式有误，请重新发送。")
            )

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> ResponseReturnValue:
        if app.testing:
            raise exc
        app.logger.exception("unhandled error")
        return error_response(500)
