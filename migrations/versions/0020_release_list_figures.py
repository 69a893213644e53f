"""the release list's figures on each submission, and the indexes that page, count and sort it

review_difference, list_total and decision_rank are kept by review/services/figures.py; here
they are computed once for the existing submissions, with the same rules in plain SQL (the
current version's first two submitted reviews by submitted_at, id; agreed total else mean).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-02 07:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

CURRENT = (
    "(SELECT v.id FROM submission_versions v WHERE v.submission_id = submissions.id"
    " ORDER BY v.number DESC LIMIT 1)"
)
TOTAL = "COALESCE((SELECT SUM(sc.points) FROM scores sc WHERE sc.review_id = r.id), 0)"
REVIEWS = f"FROM reviews r WHERE r.version_id = {CURRENT} AND r.state = 'submitted'"
NTH = f"(SELECT {TOTAL} {REVIEWS} ORDER BY r.submitted_at, r.id LIMIT 1 OFFSET %d)"
AGREED = (
    "(SELECT SUM(m.points) FROM agreed_marks m JOIN decisions d ON d.id = m.decision_id"
    f" WHERE d.version_id = {CURRENT})"
)
RANK = (
    "COALESCE((SELECT CASE WHEN d.released_at IS NOT NULL THEN 4 WHEN d.outcome = 'pass' THEN 1"
    " WHEN d.outcome = 'revise' THEN 2 WHEN d.outcome = 'fail' THEN 3 ELSE 0 END"
    f" FROM decisions d WHERE d.version_id = {CURRENT}), 0)"
)
INDEXES = {
    "ix_submissions_release_branch": ["period_id", "branch_id", "id", "state"],
    "ix_submissions_release_total": ["period_id", "list_total", "branch_id", "id", "state"],
    "ix_submissions_release_difference": [
        "period_id",
        "review_difference",
        "branch_id",
        "id",
        "state",
    ],
    "ix_submissions_release_decision": [
        "period_id",
        "decision_rank",
        "list_total",
        "branch_id",
        "id",
        "state",
    ],
}


def upgrade() -> None:
    op.add_column("submissions", sa.Column("review_difference", sa.Float(), nullable=True))
    op.add_column("submissions", sa.Column("list_total", sa.Float(), nullable=True))
    op.add_column(
        "submissions",
        sa.Column("decision_rank", sa.Integer(), server_default="0", nullable=False),
    )
    op.execute(
        f"UPDATE submissions SET review_difference = ABS({NTH % 0} - {NTH % 1}),"
        f" list_total = COALESCE({AGREED}, (SELECT AVG({TOTAL}) {REVIEWS})),"
        f" decision_rank = {RANK}"
    )
    for name, columns in INDEXES.items():
        op.create_index(name, "submissions", columns)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="submissions")
    # Plain DROP COLUMN (SQLite 3.35+, PostgreSQL): a batch copy of submissions fails on a
    # populated SQLite database, whose other tables' foreign keys point at it.
    for column in ("decision_rank", "list_total", "review_difference"):
        op.execute(f"ALTER TABLE submissions DROP COLUMN {column}")
