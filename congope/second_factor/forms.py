import re

from django import forms
from django.utils.translation import gettext_lazy as _

from congope.second_factor.devices import RECOVERY_DIGITS, TOTP_DIGITS

# People copy codes with the spaces and dashes their app or their printout shows.
SEPARATORS = re.compile(r"[\s-]+")


class OneTimeCodeInput(forms.TextInput):
    """Never shows a code back: after a refusal the field is empty, ready for the next one."""

    def format_value(self, value):
        return None


class CodeForm(forms.Form):
    """One numeric field: the app's 6 digits, or (when ``recovery``) a 10-digit recovery code."""

    code = forms.CharField(
        label=_("Código de verificación"),
        max_length=32,
        widget=OneTimeCodeInput(
            attrs={
                "class": "form-control form-control-lg font-monospace code-input",
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autocapitalize": "off",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
        error_messages={"required": _("Escriba el código.")},
    )

    def __init__(self, *args, recovery: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.lengths = (TOTP_DIGITS, RECOVERY_DIGITS) if recovery else (TOTP_DIGITS,)
        self.fields["code"].help_text = (
            _(
                "Los 6 dígitos que muestra ahora su aplicación de autenticación, o uno de sus "
                "códigos de recuperación (10 dígitos)."
            )
            if recovery
            else _("Los 6 dígitos que muestra la aplicación después de agregar la cuenta.")
        )

    def clean_code(self) -> str:
        code = SEPARATORS.sub("", self.cleaned_data["code"])
        if not code.isdigit() or len(code) not in self.lengths:
            if len(self.lengths) > 1:
                raise forms.ValidationError(
                    _("El código tiene 6 dígitos (aplicación) o 10 (código de recuperación).")
                )
            raise forms.ValidationError(_("El código tiene 6 dígitos."))
        return code
