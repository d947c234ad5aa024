import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from planning import access, accounts


class Command(BaseCommand):
    help = "Crea o actualiza la cuenta de una persona con su rol y sus unidades."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=list(access.GROUP_NAMES))
        parser.add_argument("--unit", action="append", default=[], dest="units")
        parser.add_argument("--email", default="")

    def handle(self, *args, username, role, units, email, **options):
        password = os.environ.get("PASSWORD") or ""
        generated = not password
        if generated:
            password = accounts.generate_password()
        try:
            accounts.user_create(
                username=username, role=role, unit_codes=units, email=email, password=password
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"usuario {username}: rol {access.ROLE_LABELS[role]}")
        if generated:
            self.stdout.write(f"contraseña de un solo uso (cámbiela al ingresar): {password}")
