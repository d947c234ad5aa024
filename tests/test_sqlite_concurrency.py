"""The embedded SQLite database lets pages read while an import writes (write-ahead log).

With SQLite's default rollback journal, a commit waits until no reader holds the file: a
slow dashboard read made an import fail with «database is locked», and a long import
commit stalled every page. These tests open a file database with the settings' own
options, as the running app does (the test suite's SQLite is in memory, where no journal
applies).
"""

import copy

import pytest
from django.conf import settings
from django.db import connections
from django.db.backends.sqlite3.base import DatabaseWrapper

pytestmark = pytest.mark.skipif(
    connections["default"].vendor != "sqlite", reason="the embedded database only"
)


def _open(path, timeout):
    """A connection as Django opens one for the app (its init commands included)."""
    config = copy.deepcopy(settings.DATABASES["default"])
    config.update(NAME=str(path), TEST={})
    config["OPTIONS"] = {**config["OPTIONS"], "timeout": timeout}
    wrapper = DatabaseWrapper(config, alias="embedded")
    return wrapper.get_new_connection(wrapper.get_connection_params())


@pytest.fixture
def database(tmp_path):
    path = tmp_path / "congope.sqlite3"
    opened = []

    def open_connection(timeout=5):
        opened.append(_open(path, timeout))
        return opened[-1]

    yield open_connection
    for connection in opened:
        connection.close()


def test_the_file_database_keeps_a_write_ahead_log(database):
    connection = database()
    assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_a_commit_does_not_wait_for_a_page_that_is_reading(database):
    writer = database(timeout=0.2)
    writer.execute("CREATE TABLE value (n integer)")
    writer.execute("INSERT INTO value VALUES (1)")
    writer.commit()

    reader = database()
    reader.execute("BEGIN")
    assert reader.execute("SELECT n FROM value").fetchall() == [(1,)]  # a page mid-read

    # An import writing and committing: a rollback journal refuses this commit
    # («database is locked») for as long as the read above is open.
    writer.execute("INSERT INTO value VALUES (2)")
    writer.commit()

    # The page finishes with the snapshot it began with; its next read sees the import.
    assert reader.execute("SELECT n FROM value").fetchall() == [(1,)]
    reader.commit()
    assert reader.execute("SELECT n FROM value ORDER BY n").fetchall() == [(1,), (2,)]
