"""gunicorn for CONGOPE behind nginx or Apache (docs/deploy.md).

    gunicorn -c deploy/gunicorn.conf.py congope.wsgi

Every value can be changed with an environment variable of the same purpose, so that the
systemd unit's EnvironmentFile holds the whole configuration.
"""

import multiprocessing
import os

# Only the proxy on this machine talks to gunicorn; it is never exposed directly.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count() + 1))
# Spreadsheet imports and PDF reports can take longer than the 30 s default (PITFALLS 13).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 120))
graceful_timeout = 30
# Recycle workers now and then: a slow leak in a library never grows without bound.
max_requests = 1000
max_requests_jitter = 100
# The proxy's headers are believed only from the proxy itself.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")

# Logs to stderr (journald). Django's own records are JSON lines (congope/logging.py);
# the access log is one JSON object per request, with the proxy's request id.
errorlog = "-"
accesslog = "-"
access_log_format = (
    '{"time": "%(t)s", "logger": "gunicorn.access", "ip": "%({x-real-ip}i)s", '
    '"method": "%(m)s", "path": "%(U)s", "status": %(s)s, "bytes": "%(B)s", '
    '"duration_us": %(D)s, "request_id": "%({x-request-id}i)s"}'
)
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
