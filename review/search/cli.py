"""`flask search reindex`: rebuild the SQLite search index from the database."""

from __future__ import annotations

import click

from review.search import bp
from review.services import search as service


@bp.cli.command("reindex")
def reindex() -> None:
    """Rebuild the search index of transcripts and paper reports (SQLite only)."""
    count = service.rebuild()
    click.echo(f"search index: {count} entries")
