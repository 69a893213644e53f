"""Reviews: the reviewer's queue (queue.py), one's own review (editing.py), corrections.py."""
