"""The load scenario: directors reading dashboards and reporters submitting values, against
gunicorn + PostgreSQL on 127.0.0.1 (see README.md here; ``make load``)."""
