"""WSGI entry point for gunicorn: `gunicorn wsgi:app`."""

from review import create_app

app = create_app()
