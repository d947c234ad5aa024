"""API tokens in the admin: a token reads as its owner, so issuing one in someone else's
name is a way to act as them. Planning staff see, issue and revoke only their own;
administrators manage everyone's; nobody moves a token to another owner.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from scorecard.models import ApiToken
from scorecard.tokens import token_issue

ADD = reverse("admin:scorecard_apitoken_add")
LIST = reverse("admin:scorecard_apitoken_changelist")


def _change(token):
    return reverse("admin:scorecard_apitoken_change", args=[token.pk])


@pytest.fixture
def people(admin_user, planner, director):
    return {"admin": admin_user, "planner": planner, "director": director}


@pytest.fixture
def tokens(people):
    names = {"admin": "copia nocturna", "planner": "tablero anual", "director": "informe"}
    return {role: token_issue(user=people[role], name=names[role])[0] for role in names}


def test_a_planner_issues_a_token_in_their_own_name_whatever_the_post_says(
    client, planner, admin_user
):
    client.force_login(planner)
    form = client.get(ADD).content.decode()
    assert 'name="user"' not in form  # nobody to choose
    response = client.post(ADD, {"user": admin_user.pk, "name": "integración"})
    assert response.status_code == 302
    token = ApiToken.objects.get(name="integración")
    assert token.user == planner
    assert not ApiToken.objects.filter(user=admin_user).exists()


def test_an_administrator_issues_a_token_for_someone_else(client, admin_user, director):
    client.force_login(admin_user)
    assert 'name="user"' in client.get(ADD).content.decode()
    response = client.post(ADD, {"user": director.pk, "name": "informe mensual"})
    assert response.status_code == 302
    assert ApiToken.objects.get(name="informe mensual").user == director


@pytest.mark.parametrize(
    ("role", "owner", "visible"),
    [
        ("planner", "planner", True),
        ("planner", "admin", False),
        ("planner", "director", False),
        ("admin", "admin", True),
        ("admin", "planner", True),
        ("admin", "director", True),
    ],
)
def test_who_sees_and_opens_which_token(client, people, tokens, role, owner, visible):
    client.force_login(people[role])
    token = tokens[owner]
    assert (token.name in client.get(LIST).content.decode()) is visible
    opened = client.get(_change(token))
    assert (opened.status_code == 200) is visible
    if not visible:  # the admin sends an unknown id back to the home page
        assert opened.status_code == 302


@pytest.mark.parametrize("role", ["planner", "admin"])
def test_nobody_moves_a_token_to_another_owner(client, people, tokens, role):
    client.force_login(people[role])
    token = tokens[role]
    page = client.get(_change(token)).content.decode()
    assert 'name="user"' not in page
    client.post(_change(token), {"user": people["director"].pk, "name": "otro nombre"})
    token.refresh_from_db()
    assert token.user == people[role]


def test_a_planner_cannot_revoke_someone_elses_token(client, planner, tokens):
    client.force_login(planner)
    client.post(
        LIST,
        {"action": "revoke", "_selected_action": [t.pk for t in tokens.values()], "index": 0},
    )
    revoked = {key for key, t in tokens.items() if ApiToken.objects.get(pk=t.pk).revoked_at}
    assert revoked == {"planner"}
