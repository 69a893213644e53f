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
    "superseded": _l("已被替换"),
}
ROLES = {
    "activist": _l("入党积极分子"),
    "reviewer": _l("支部审阅人"),
    "committee": _l("党委/组织部"),
    "admin": _l("管理员"),
}
AUDIT_ACTIONS = {
    "read": _l("查看"),
    "submit": _l("提交汇报"),
    "review.start": _l("开始评分"),
    "review.submit": _l("提交评分"),
    "transcript.correct": _l("校对转写"),
    "decide": _l("认定结果"),
    "release": _l("发布结果"),
    "withdraw_release": _l("撤回发布"),
    "open_result": _l("积极分子查看结果"),
    "bulk_agree": _l("批量认定分数"),
    "period_settings": _l("修改周期发布设置"),
    "export": _l("发起导出"),
    "roster.import": _l("导入名单"),
    "roster.passwords": _l("下载初始密码"),
}
# What a read ("read" events) was of, by the prefix of its file key ("video:12").
READ_FILES = {
    "page": _l("审阅页面（转写与书面材料）"),
    "video": _l("视频"),
    "poster": _l("视频封面"),
    "captions": _l("字幕"),
    "paper": _l("书面材料文件"),
    "transcript": _l("转写文字（API）"),
    "analyses": _l("分析提示"),
    "assessment": _l("考核表 PDF"),
    "export": _l("导出文件"),
}


def label(kind: str, value: str | None) -> str:
    """Return the label of value in the table kind ("submission", "video", "role", "audit")."""
    table = {
        "submission": SUBMISSION_STATES,
        "video": VIDEO_STATES,
        "role": ROLES,
        "audit": AUDIT_ACTIONS,
        "read": READ_FILES,
    }[kind]
    return str(table.get(value or "", value or ""))
