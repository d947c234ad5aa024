"""Issuing and checking personal read-only API tokens."""

import hashlib
import secrets

from django.utils import timezone

from scorecard.models import ApiToken


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_issue(*, user, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user``; the raw token is returned once and never stored."""
    raw = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=raw[:8], key_hash=_digest(raw))
    return token, raw


def user_for_bearer(header: str):
    """The active user behind ``Bearer <token>``, or None for a bad, revoked or missing one."""
    scheme, _, raw = (header or "").partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_digest(raw.strip()), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user
