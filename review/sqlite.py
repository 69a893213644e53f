"""SQLite settings: WAL mode, foreign keys and a busy timeout on every connection."""

from sqlalchemy import event
from sqlalchemy.engine import Engine

_done: set[int] = set()
MMAP_BYTES = 1 << 30
CACHE_KIB = 32 * 1024


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
        # Read pages through a memory map and keep more of them per connection: the queue and
        # the lists visit thousands of scattered rows; with the defaults (no map, 2 MB cache)
        # each is a read() system call. The map is shared by the processes through the OS
        # page cache, so it costs no memory of its own.
        cursor.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
        cursor.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
        cursor.close()
