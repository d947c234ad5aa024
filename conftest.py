import os

# Tests run with the development defaults unless the caller chose otherwise (CI sets
# DATABASE_URL for the PostgreSQL leg).
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("TESTING", "1")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
