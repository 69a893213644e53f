"""RQ job entry points and the worker script; no request code here."""
