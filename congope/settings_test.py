"""Settings for the test suite: the development defaults unless the caller chose otherwise.

CI sets DATABASE_URL for the PostgreSQL leg; everything else comes from settings.py.
"""

import os

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("TESTING", "1")
# Playwright's sync API runs an event loop in the test thread (PITFALLS 16).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from congope.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tests of commands check passwords with authenticate() and no request; web logins in the
# tests pass their request and are throttled exactly as in production.
AUTHENTICATION_BACKENDS = [
    "congope.throttling.LenientAxesBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Existing tests sign in with the password alone; tests/test_second_factor.py turns it on.
SECOND_FACTOR_REQUIRED = False
