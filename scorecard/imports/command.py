"""What the three import commands share: FILE, ``--plan``, ``--dry-run``, ``--user``.

Exit status 0 and the one-line summary on standard output when every row is valid;
otherwise exit status 1, nothing written, and one line per problem on standard error,
exactly the problem's text (no "CommandError:" prefix, no colour).
"""

from __future__ import annotations

import os
import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from planning.models import Plan
from scorecard.imports.runner import ImportRefused, ImportResult


def _plain(text: str) -> str:
    return text


class ImportCommand(BaseCommand):
    """Subclasses add their options and implement :meth:`run` with the service."""

    # The system checks import every URL and view (and what they import, which may log to
    # standard error); an import needs none of them, and its stderr is only its problems.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help="archivo xlsx o csv")
        parser.add_argument("--plan", required=True, help="código del plan")
        parser.add_argument(
            "--dry-run", action="store_true", help="validar y contar, sin escribir nada"
        )
        parser.add_argument(
            "--user", help="usuario que importa (sin él, el historial dice «línea de comandos»)"
        )

    def run(self, path: str, *, plan, user, dry_run: bool, options: dict) -> ImportResult:
        raise NotImplementedError

    def handle(self, *args, file, plan, dry_run, user, **options):
        plan_obj = Plan.objects.filter(code=plan).first()
        if plan_obj is None:
            self.fail([f"plan {plan}: no existe"])
        user_obj = None
        if user:
            user_obj = get_user_model().objects.filter(username=user).first()
            if user_obj is None:
                self.fail([f"usuario {user}: no existe"])
        try:
            result = self.run(file, plan=plan_obj, user=user_obj, dry_run=dry_run, options=options)
        except ImportRefused as exc:
            self.fail([f"usuario {user}: {exc}"])
        if not result.ok:
            self.fail(result.messages())
        self.stdout.write(result.summary())

    def fail(self, lines: list[str]):
        for line in lines:
            self.stderr.write(line, style_func=_plain)
        self.stderr.flush()
        sys.exit(1)

    @staticmethod
    def file_name(path: str) -> str:
        return os.path.basename(path)
