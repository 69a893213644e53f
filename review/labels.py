"""Plain-words labels for states and roles, through the translation layer."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

SUBMISSION_STATES = {
    "draft": _l("草稿"),
    "submitted": _l("待审阅"),
    "in_review": _l("审阅中"),
    "reviewed": _l("已审阅"),
    "released": _l("已发布"),
    "needs_revision": _l("需修改"),
}
VIDEO_STATES = {
    "uploaded": _l("已上传"),
    "processing": _l("处理中"),
    "ready": _l("处理完成"),
    "failed": _l("处理失败"),
}
ROLES = {
    "activist": _l("入党积极分子"),
    "reviewer": _l("支部审阅人"),
    "committee": _l("党委/组织部"),
    "admin": _l("管理员"),
}


def label(kind: str, value: str | None) -> str:
    """Return the label of value in the table kind ("submission", "video", "role")."""
    table = {"submission": SUBMISSION_STATES, "video": VIDEO_STATES, "role": ROLES}[kind]
    return str(table.get(value or "", value or ""))
