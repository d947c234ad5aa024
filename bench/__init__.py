"""Performance benchmark of the scorecard on a large synthetic plan (see README.md here).

Run as scripts (``python -m bench.scorecard_bench``), the modules of this package need Django
before they import models: importing the package sets Django up with the benchmark's
settings when nobody has yet (under pytest or ``manage.py`` it is already set up).
"""

import logging
import os

from django.apps import apps

DEFAULT_DATABASE_URL = "sqlite:////tmp/bench.sqlite3"


def setup_django() -> None:
    """Production-like settings (DEBUG off) on the database of ``DATABASE_URL``.

    Without ``DATABASE_URL`` the benchmark uses its own SQLite file, never the project's.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congope.settings")
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("TESTING", "1")  # plain static storage: no collectstatic needed
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("STATIC_ROOT", "/tmp/bench-static")  # WhiteNoise wants it to exist
    os.makedirs(os.environ["STATIC_ROOT"], exist_ok=True)

    import django

    django.setup()
    # Pages that do not exist yet answer 404: the table says so, the log need not.
    logging.getLogger("django.request").setLevel(logging.ERROR)


if not apps.ready:
    setup_django()
