"""The paper report (书面思想汇报): typed text, a PDF, a DOCX or 1–10 page photos.

Files live in storage.paper_folder(<version id>) with names the server chooses; the
client's file name is kept for display only. Content is sniffed, never the extension.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from media.documents import MAX_PDF_PAGES, DocumentError, sniff_document
from media.images import ImageError
from media.sandbox import Limits, parse_document, parse_photo
from review import clock, storage
from review.exceptions import ConflictError, ValidationError
from review.extensions import db
from review.models import PaperFile, Period, SubmissionVersion
from review.services.media_errors import N_
from review.services.submissions import get_or_create_draft
from review.tus.files import display_name

TEXT, PDF, DOCX, PHOTOS = "text", "pdf", "docx", "photos"
DEFAULTS = {
    "PAPER_MAX_BYTES": 20 * 2**20,
    "PHOTO_MAX_BYTES": 15 * 2**20,
    "PAPER_MAX_PHOTOS": 10,
    "PAPER_TEXT_MAX_CHARS": 20_000,
}

DOCUMENT_REASONS = {
    "empty": N_("文件是空的，请重新选择。"),
    "not_document": N_("这个文件不是 PDF 或 Word（.docx）文档，请重新选择；手写稿请拍照上传。"),
    "legacy_doc": N_(
        "不支持旧版 Word（.doc）格式，请在 Word 或 WPS 中“另存为” .docx 或 PDF 后再上传。"
    ),
    "encrypted": N_("这个 PDF 设置了密码，请去掉密码后再上传。"),
    "corrupt": N_("文件已损坏或无法打开，请重新导出后再上传。"),
    "too_many_pages": N_("PDF 页数过多（上限 %(n)d 页），请只上传书面思想汇报本身。"),
    "too_complex": N_(
        "这个文件过于复杂，无法在限定的时间和内存内读取。请在 Word 或 WPS 中删去大图片后"
        "重新导出 PDF，或直接粘贴文字。"
    ),
}
IMAGE_REASONS = {
    "empty": N_("第 %(n)d 张照片是空文件，请重新选择。"),
    "not_image": N_("第 %(n)d 个文件不是照片（支持 JPG、PNG、WebP），请重新选择。"),
    "heic": N_(
        "第 %(n)d 张照片是 HEIC 格式，暂不支持。"
        "请在手机“设置 → 相机 → 格式”中选择“兼容性最佳”后重拍，或截图后上传。"
    ),
    "too_many_pixels": N_("第 %(n)d 张照片分辨率过高，请用手机相机正常拍摄后上传。"),
    "corrupt": N_("第 %(n)d 张照片已损坏或无法打开，请重新拍摄后上传。"),
}


@dataclass(frozen=True)
class Upload:
    """One file as received: the client's name (display only) and its bytes."""

    name: str
    data: bytes


def limit(name: str) -> int:
    """Return a paper limit from the config, or its default."""
    return int(current_app.config.get(name, DEFAULTS[name]))


def parse_limits() -> Limits:
    """Return the CPU and memory limits of the child process that parses paper files."""
    config = current_app.config
    return Limits(
        cpu_seconds=int(config.get("PAPER_PARSE_CPU_SECONDS", 20)),
        memory_bytes=int(config.get("PAPER_PARSE_MEMORY_MB", 768)) * 2**20,
    )


def _editable(activist_id: int, period_id: int) -> SubmissionVersion:
    version = get_or_create_draft(activist_id, period_id, commit=False)
    db.session.flush()  # a new draft needs its id for the folder name
    period = db.session.get_one(Period, period_id)
    if period.closes_at < clock.now():
        db.session.rollback()
        raise ConflictError(
            _l("“%(name)s”已经截止，书面汇报不能再修改。", name=period.name), code="period_closed"
        )
    return version


def save_text(activist_id: int, period_id: int, text: str) -> SubmissionVersion:
    """Save typed text as the draft's paper report (autosave); an empty text clears it.

    Raises:
        ValidationError: longer than PAPER_TEXT_MAX_CHARS.
        ConflictError: the version is submitted, or the period closed.
    """
    text = (text or "").replace("\r\n", "\n").strip()
    if len(text) > limit("PAPER_TEXT_MAX_CHARS"):
        raise ValidationError(
            _l(
                "书面汇报太长（%(n)s 字），上限为 %(max)s 字，请精简后再保存。",
                n=len(text),
                max=limit("PAPER_TEXT_MAX_CHARS"),
            ),
            code="text_too_long",
        )
    version = _editable(activist_id, period_id)
    old = list(version.paper_files) if version.paper_kind != TEXT else []
    version.paper_kind = TEXT if text else None
    version.paper_text = text
    version.typed_text = text
    _replace_files(version, old, [])
    return version


def save_document(activist_id: int, period_id: int, upload: Upload) -> SubmissionVersion:
    """Store a PDF or DOCX as the paper report and keep its extracted text.

    Typed text stays in typed_text, so the activist can make it the report again.

    Raises:
        ValidationError: too large, not a PDF/DOCX by content, encrypted or unreadable.
        ConflictError: the version is submitted, or the period closed.
    """
    if len(upload.data) > limit("PAPER_MAX_BYTES"):
        raise ValidationError(
            _l(
                "文件过大（上限 %(mb)d MB），请压缩或删去图片后再上传。",
                mb=limit("PAPER_MAX_BYTES") // 2**20,
            ),
            code="too_large",
        )
    try:
        document = parse_document(upload.data, parse_limits())
    except DocumentError as exc:
        raise ValidationError(
            gettext(DOCUMENT_REASONS[exc.code], n=MAX_PDF_PAGES), code=f"document_{exc.code}"
        ) from exc
    version = _editable(activist_id, period_id)
    kind = sniff_document(upload.data)
    stored = _write(version.id, f"report-{secrets.token_hex(4)}.{kind}", upload.data)
    new = [
        PaperFile(
            version_id=version.id,
            position=0,
            kind=kind,
            path=stored,
            original_name=display_name(upload.name),
            size_bytes=len(upload.data),
        )
    ]
    old = list(version.paper_files)
    version.paper_kind, version.paper_text = kind, document.text
    _replace_files(version, old, new)
    return version


def save_photos(activist_id: int, period_id: int, uploads: list[Upload]) -> SubmissionVersion:
    """Store 1–10 page photos (upright, metadata stripped) as the paper report, in order.

    Raises:
        ValidationError: no photo, too many, one too large, not an image, HEIC or unreadable.
        ConflictError: the version is submitted, or the period closed.
    """
    uploads = [u for u in uploads if u.data or u.name]
    most = limit("PAPER_MAX_PHOTOS")
    if not uploads:
        raise ValidationError(_l("请至少选择一张手写稿照片。"), code="no_photos")
    if len(uploads) > most:
        raise ValidationError(
            _l(
                "照片最多 %(max)d 张，您选择了 %(n)d 张，请分页合并或删去多余的照片。",
                max=most,
                n=len(uploads),
            ),
            code="too_many_photos",
        )
    cleaned = []
    for number, upload in enumerate(uploads, start=1):
        if len(upload.data) > limit("PHOTO_MAX_BYTES"):
            raise ValidationError(
                _l(
                    "第 %(n)d 张照片过大（上限 %(mb)d MB），请重新拍摄或压缩后上传。",
                    n=number,
                    mb=limit("PHOTO_MAX_BYTES") // 2**20,
                ),
                code="photo_too_large",
            )
        try:
            cleaned.append(parse_photo(upload.data, parse_limits()))
        except ImageError as exc:
            raise ValidationError(
                gettext(IMAGE_REASONS[exc.code], n=number), code=f"photo_{exc.code}"
            ) from exc
    version = _editable(activist_id, period_id)
    token = secrets.token_hex(4)
    new = []
    for position, (upload, photo) in enumerate(zip(uploads, cleaned, strict=True)):
        stored = _write(version.id, f"page-{position + 1:02d}-{token}.jpg", photo.data)
        new.append(
            PaperFile(
                version_id=version.id,
                position=position,
                kind="photo",
                path=stored,
                original_name=display_name(upload.name),
                size_bytes=len(photo.data),
            )
        )
    old = list(version.paper_files)
    version.paper_kind, version.paper_text = PHOTOS, ""
    _replace_files(version, old, new)
    return version


def clear_paper(activist_id: int, period_id: int) -> SubmissionVersion:
    """Remove the draft's paper report (text and files); typed_text stays to start again from."""
    version = _editable(activist_id, period_id)
    old = list(version.paper_files)
    version.paper_kind, version.paper_text = None, ""
    _replace_files(version, old, [])
    return version


def _write(version_id: int, name: str, data: bytes) -> str:
    """Write data durably under the version's folder; return its path relative to MEDIA_ROOT."""
    target = storage.paper_folder(version_id) / name
    storage.write_bytes(target, data)
    return storage.relative(target)


def _replace_files(version: SubmissionVersion, old: list[PaperFile], new: list[PaperFile]) -> None:
    """Swap the version's files in one commit, then delete the replaced files from disk."""
    old_paths = [storage.paper_path(f) for f in old]
    new_paths = [storage.paper_path(f) for f in new]
    old_caches = [storage.page_cache_folder(f.id) for f in old]
    for paper_file in old:
        db.session.delete(paper_file)
    for paper_file in new:
        db.session.add(paper_file)
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        for path in new_paths:
            storage.delete(path)
        raise
    db.session.expire(version, ["paper_files"])
    for path in old_paths:
        storage.delete(path)
    for folder in old_caches:
        storage.delete_tree(folder)
