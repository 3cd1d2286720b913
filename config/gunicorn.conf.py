"""gunicorn settings for production: `flask --app backend serve` runs gunicorn with this file.

The same from a checkout and from an installed wheel (which carries a copy: backend/resources.py);
by hand: `gunicorn -c "$(python -m backend.resources gunicorn-config)" 'backend:create_app()'`.
Every value can be overridden by the GUNICORN_* environment variables below.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Threaded workers: a request waiting on PostgreSQL (a commit's flush to disk, a rep-day lock)
# or on a photo's bytes leaves its process free for the other threads, so cores + 1 processes of
# 4 threads keep both cores busy where synchronous workers sat idle (bench/load.py, issue 19).
# Each process keeps up to DATABASE_POOL_SIZE connections: at least `threads`, or a thread waits.
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 4))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so slow leaks never matter; rarely, as a new process answers its
# first requests slowly (SQL compiled anew, schemas built): at 2,000 a 1,000-rep run restarted
# every worker twice in three minutes.
max_requests = 20000
max_requests_jitter = 2000
accesslog = None  # the app writes its own access log (JSON lines with TERMINUS_LOG_FORMAT=json)
errorlog = "-"
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
