"""gunicorn settings for Huibao: `gunicorn -c deploy/gunicorn.conf.py wsgi:app`.

Read by `make run` and by deploy/huibao-web.service; every value can come from the environment.
"""

import os

bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '5000')}")
# gthread: a tus PATCH streams its body for seconds on a phone network; threads keep the other
# requests moving meanwhile. 2 processes x 4 threads suit a 2-core host; scale with the cores.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))  # a slow 8 MB chunk must not be cut
graceful_timeout = 5  # below the 10 s make run and TimeoutStopSec allow before SIGKILL
keepalive = 5
# nginx sits on the same host; its X-Forwarded-* are read by the app itself (PROXY_COUNT).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
errorlog = "-"
# A restarted worker process gets a fresh interpreter now and then (leaks stay bounded).
max_requests = 2000
max_requests_jitter = 200
