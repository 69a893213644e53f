"""Parse untrusted paper files in a child process with CPU-time and address-space limits.

A DOCX, a PDF or a photo that is small on the wire can unpack to gigabytes or spin pypdf for
minutes. The parsers therefore run in a fresh interpreter (`python -m media.sandbox TASK`)
under `RLIMIT_CPU` and `RLIMIT_AS`; whatever they do, the calling web or worker process only
waits for a small JSON answer. No Flask, no DB.
"""

from __future__ import annotations

import base64
import json
import os
import resource
import signal
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

from .documents import DocumentError, DocumentText, extract_text
from .images import ImageError, Photo, clean_photo

PARSE_CPU_SECONDS = 20  # pypdf reads a 200-page report in about 10 s on a slow core
PARSE_MEMORY_BYTES = 768 * 2**20  # interpreter + parsers ~150 MB; a 24 MP photo ~300 MB more
ANSWER_MAX_BYTES = 64 * 2**20


@dataclass(frozen=True)
class Limits:
    """What one child may spend: CPU seconds, address space, and wall-clock seconds."""

    cpu_seconds: int = PARSE_CPU_SECONDS
    memory_bytes: int = PARSE_MEMORY_BYTES

    @property
    def wall_seconds(self) -> float:
        """Return the wall-clock limit: generous, since a loaded machine shares its cores."""
        return self.cpu_seconds * 4 + 15


class SandboxError(Exception):
    """The child died or broke its limits; `over_limit` tells a bomb from a crash."""

    def __init__(self, detail: str, *, over_limit: bool) -> None:
        super().__init__(detail)
        self.over_limit = over_limit


def parse_document(data: bytes, limits: Limits | None = None) -> DocumentText:
    """Extract a PDF's or DOCX's text in a limited child process.

    Raises:
        DocumentError: as extract_text; "too_complex" when the child broke its limits.
    """
    try:
        answer = _run("document", data, limits or Limits())
    except SandboxError as exc:
        raise DocumentError("too_complex" if exc.over_limit else "corrupt", str(exc)) from exc
    if "error" in answer:
        raise DocumentError(answer["error"], answer.get("detail", ""))
    return DocumentText(answer["kind"], answer["text"], answer["pages"])


def parse_photo(data: bytes, limits: Limits | None = None) -> Photo:
    """Clean a page photo (upright, no metadata, JPEG) in a limited child process.

    Raises:
        ImageError: as clean_photo; "too_many_pixels" when the child broke its limits.
    """
    try:
        answer = _run("photo", data, limits or Limits())
    except SandboxError as exc:
        raise ImageError("too_many_pixels" if exc.over_limit else "corrupt", str(exc)) from exc
    if "error" in answer:
        raise ImageError(answer["error"], answer.get("detail", ""))
    return Photo(base64.b64decode(answer["data"]), answer["width"], answer["height"])


@dataclass(frozen=True)
class RenderedPage:
    """One PDF page as a PNG, and how many pages the document has."""

    png: bytes
    pages: int


def render_pdf_page(
    data: bytes, index: int, width: int, limits: Limits | None = None
) -> RenderedPage:
    """Render page `index` (from 0) of a PDF to a PNG `width` pixels wide, with pdfium.

    Raises:
        DocumentError: "corrupt" when pdfium cannot open or render it, "too_complex" past
            the limits, "too_many_pages" when index is past the end.
    """
    try:
        answer = _run("pdf_page", data, limits or Limits(), str(index), str(width))
    except SandboxError as exc:
        raise DocumentError("too_complex" if exc.over_limit else "corrupt", str(exc)) from exc
    if "error" in answer:
        raise DocumentError(answer["error"], answer.get("detail", ""))
    return RenderedPage(base64.b64decode(answer["data"]), answer["pages"])


def _limit_child(limits: Limits) -> None:
    """In the child, before exec: cap CPU time and address space, die with the parent."""
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    os.nice(5)
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass


def _run(task: str, data: bytes, limits: Limits, *args: str) -> dict[str, Any]:
    """Run one task in a child; return its JSON answer or raise SandboxError."""
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "PYTHONPATH", "LANG", "HOME")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_root(), env.get("PYTHONPATH")) if p)
    try:
        proc = subprocess.run(
            [sys.executable, "-s", "-m", "media.sandbox", task, *args],
            input=data,
            capture_output=True,
            timeout=limits.wall_seconds,
            preexec_fn=lambda: _limit_child(limits),
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise SandboxError(f"{task}: over {limits.wall_seconds:g}s wall", over_limit=True) from exc
    if proc.returncode < 0:  # SIGXCPU or SIGKILL past the CPU limit
        name = signal.Signals(-proc.returncode).name
        raise SandboxError(f"{task}: killed by {name}", over_limit=True)
    if proc.returncode == 3:  # MemoryError inside the child: RLIMIT_AS reached
        raise SandboxError(f"{task}: out of memory", over_limit=True)
    if proc.returncode != 0 or len(proc.stdout) > ANSWER_MAX_BYTES:
        tail = proc.stderr.decode("utf-8", "replace")[-500:]
        raise SandboxError(f"{task}: exit {proc.returncode}: {tail}", over_limit=False)
    try:
        answer: dict[str, Any] = json.loads(proc.stdout)
    except ValueError as exc:
        raise SandboxError(f"{task}: unreadable answer", over_limit=False) from exc
    return answer


def _root() -> str:
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _render(data: bytes, index: int, width: int) -> dict[str, Any]:
    import io

    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise DocumentError("corrupt", str(exc)) from exc
    pages = len(pdf)
    if not 0 <= index < pages:
        raise DocumentError("too_many_pages", f"page {index} of {pages}")
    page = pdf[index]
    page_width, page_height = page.get_size()
    scale = width / page_width if page_width > 0 else 1.0
    if page_height * scale > width * 3:  # a strip 100 pages tall is not a page
        raise DocumentError("too_complex", f"page {page_width}x{page_height}")
    image = page.render(scale=scale).to_pil().convert("RGB")
    out = io.BytesIO()
    image.save(out, "PNG", optimize=False)
    return {"data": base64.b64encode(out.getvalue()).decode(), "pages": pages}


def _child(task: str, *args: str) -> int:
    """Child side: read the file from stdin, write one JSON answer to stdout."""
    data = sys.stdin.buffer.read()
    try:
        if task == "document":
            document = extract_text(data)
            answer = {"kind": document.kind, "text": document.text, "pages": document.pages}
        elif task == "photo":
            photo = clean_photo(data)
            answer = {
                "data": base64.b64encode(photo.data).decode(),
                "width": photo.width,
                "height": photo.height,
            }
        elif task == "pdf_page":
            answer = _render(data, int(args[0]), int(args[1]))
        else:
            raise SystemExit(f"unknown task {task!r}")
    except (DocumentError, ImageError) as exc:
        answer = {"error": exc.code, "detail": exc.detail}
    except MemoryError:
        return 3
    sys.stdout.buffer.write(json.dumps(answer, ensure_ascii=False).encode())
    return 0


if __name__ == "__main__":
    sys.exit(_child(*sys.argv[1:]))
