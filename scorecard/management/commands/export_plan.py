from django.core.management.base import BaseCommand, CommandError

from planning.models import Plan
from scorecard import backup


class Command(BaseCommand):
    help = (
        "Exporta un plan completo (estructura, metas, valores, historial y evidencias) "
        "a un archivo zip; el formato está en docs/backup.md."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("code", metavar="CODE", help="código del plan")
        parser.add_argument("-o", "--output", required=True, help="archivo zip a escribir")

    def handle(self, *args, code, output, **options):
        plan = Plan.objects.filter(code=code).first()
        if plan is None:
            raise CommandError(f"plan {code}: no existe")
        try:
            result = backup.export_plan(plan, output)
        except (backup.BackupError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        for line in result.warnings:
            self.stderr.write(line)
        self.stdout.write(f"{output}: {result.summary()}")
