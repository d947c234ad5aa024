"""Settings come from the environment and production settings pass the deploy check."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# What the test settings put in the environment, which a production process never has.
TEST_ONLY_VARIABLES = (
    "DEBUG",
    "TESTING",
    "SECRET_KEY",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)


def _run(*args, env=None):
    base = {k: v for k, v in os.environ.items() if k not in TEST_ONLY_VARIABLES}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check():
    result = _run(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={"SECRET_KEY": "x" * 60 + "-Ab3$", "ALLOWED_HOSTS": "plan.congope.gob.ec"},
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _secret_key(env):
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    result = _run("shell", "--no-imports", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_without_a_secret_key_commands_keep_a_random_one_in_a_private_file(tmp_path):
    # A checkout with no environment (makemigrations, check): production sets SECRET_KEY.
    key_file = tmp_path / "var" / "secret_key"
    env = {"DEBUG": "0", "SECRET_KEY_FILE": str(key_file)}
    assert _run("check", env=env).returncode == 0
    assert key_file.stat().st_mode & 0o777 == 0o600
    first = key_file.read_text().strip()
    assert len(first) >= 50
    assert _secret_key(env) == first


def test_a_secret_key_file_that_holds_no_key_is_refused_loudly(tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text("corta")
    result = _run("check", env={"DEBUG": "0", "SECRET_KEY_FILE": str(key_file)})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_the_secret_key_from_the_environment_wins_over_the_file(tmp_path):
    key = "k" * 60 + "-Ab3$"
    env = {"DEBUG": "0", "SECRET_KEY": key, "SECRET_KEY_FILE": str(tmp_path / "secret_key")}
    assert _secret_key(env) == key
    assert not (tmp_path / "secret_key").exists()


def test_a_malformed_boolean_is_refused_loudly():
    result = _run("check", env={"DEBUG": "quizas"})
    assert result.returncode != 0
    assert "DEBUG" in result.stderr


def test_the_database_comes_from_database_url(settings):
    url = os.environ.get("DATABASE_URL", "")
    engine = settings.DATABASES["default"]["ENGINE"]
    if url.startswith("postgres"):
        assert engine == "django.db.backends.postgresql"
    else:
        assert engine == "django.db.backends.sqlite3"


@pytest.mark.parametrize("language", ["es", "en"])
def test_both_interface_languages_are_available(settings, language):
    assert language in dict(settings.LANGUAGES)
    assert settings.LANGUAGE_CODE == "es"
