"""Pure text analyses that help reviewers (no Flask, no database): oath, similarity, consistency."""
