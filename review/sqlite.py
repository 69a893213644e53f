"""SQLite settings: WAL mode, foreign keys and a busy timeout on every connection."""

from sqlalchemy import event
from sqlalchemy.engine import Engine

_done: set[int] = set()


def enable_wal(engine: Engine) -> None:
    """Make every connection of engine use WAL, foreign keys and a 5 s busy timeout."""
    if id(engine) in _done:
        return
    _done.add(id(engine))

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # noqa: ANN001
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()
