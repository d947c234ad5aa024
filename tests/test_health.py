"""/salud/: the load balancer's question, answered without login and without details."""

import json

import pytest
from django.db import OperationalError
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_health_answers_ok_when_the_database_answers(client):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_health_is_at_salud_and_needs_no_login(client):
    assert reverse("health") == "/salud/"
    assert client.head("/salud/").status_code == 200


class _Unreachable:
    def __enter__(self):
        raise OperationalError("could not connect to server at 10.0.0.5 as user congope")

    def __exit__(self, *exc):
        return False


def test_health_answers_503_naming_the_error_but_not_its_details(client, monkeypatch, caplog):
    monkeypatch.setattr("congope.health.connection.cursor", lambda: _Unreachable())
    response = client.get("/salud/")
    assert response.status_code == 503
    assert json.loads(response.content) == {"status": "error", "database": "OperationalError"}
    assert b"10.0.0.5" not in response.content and b"Traceback" not in response.content
    assert "10.0.0.5" in caplog.text  # the details go to the log


def test_health_refuses_writes(client):
    assert client.post("/salud/").status_code == 405
