"""The period table as CSV: UTF-8 with a BOM so that Excel on Chinese Windows reads it right."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from review.services.exports import neutralise
from review.services.exports.rows import ExportTable

BOM = "\ufeff"


def _line(values: list) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(
        ["" if v is None else (f"{v:g}" if isinstance(v, float) else neutralise(v)) for v in values]
    )
    return buffer.getvalue()


def iter_csv(table: ExportTable) -> Iterator[bytes]:
    """Yield the CSV as UTF-8 chunks, the BOM and header first, then one chunk per 200 rows."""
    yield (BOM + _line(table.header())).encode("utf-8")
    chunk: list[str] = []
    for row in table.rows:
        chunk.append(_line(table.values(row)))
        if len(chunk) == 200:
            yield "".join(chunk).encode("utf-8")
            chunk = []
    if chunk:
        yield "".join(chunk).encode("utf-8")


def csv_bytes(table: ExportTable) -> bytes:
    """Return the whole CSV."""
    return b"".join(iter_csv(table))
