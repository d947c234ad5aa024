from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice


class Authenticator(TOTPDevice):
    """A person's authenticator app, as administrators see it: who has one, to reset it.

    A proxy, so that the admin names it in Spanish; django-otp's own model stays the store.
    """

    class Meta:
        proxy = True
        verbose_name = _("autenticador")
        verbose_name_plural = _("autenticadores")
