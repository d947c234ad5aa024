import os

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from scorecard import backup


class Command(BaseCommand):
    help = (
        "Importa un plan completo desde un zip de export_plan, todo o nada. Unidades y GADP "
        "por código (se crean si faltan); usuarios por nombre (si faltan, quedan vacíos)."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help="zip escrito por export_plan")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="si el plan ya existe, borrarlo (con sus valores y evidencias) y reemplazarlo",
        )
        parser.add_argument("--user", help="usuario que importa (queda en el historial del plan)")

    def handle(self, *args, file, replace, user, **options):
        user_obj = None
        if user:
            user_obj = get_user_model().objects.filter(username=user).first()
            if user_obj is None:
                raise CommandError(f"usuario {user}: no existe")
        try:
            result = backup.import_plan(
                file, replace=replace, user=user_obj, file_name=os.path.basename(file)
            )
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        for line in result.warnings:
            self.stderr.write(line)
        self.stdout.write(f"plan {result.plan.code}: {result.summary()}")
