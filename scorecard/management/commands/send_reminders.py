import datetime

from django.core.management.base import BaseCommand, CommandError

from planning.models import Plan
from scorecard.reminders import send_reminders


def _day(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--date: «{text}» no es una fecha AAAA-MM-DD") from None


class Command(BaseCommand):
    help = (
        "Envía por correo a cada responsable de unidad lo que sus unidades deben reportar o "
        "corregir (pendiente, vencido, borrador, observado) y a Planificación lo que espera "
        "validación. Un correo por persona y ejecución; nunca repite un pendiente a la misma "
        "persona el mismo día, así que puede ejecutarse desde cron las veces que se quiera. "
        "Imprime una línea: «recordatorios enviados: N correos (M pendientes); ya enviados "
        "hoy: A; sin correo: S; fallidos: F». Sale con estado 1 si algún correo falló (no "
        "queda registrado: se reintenta en la próxima ejecución)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--plan", help="código del plan (por omisión, los no cerrados)")
        parser.add_argument(
            "--date", type=_day, help="día del recordatorio, AAAA-MM-DD (por omisión, hoy)"
        )

    def handle(self, *args, plan=None, date=None, **options):
        try:
            summary = send_reminders(plan_code=plan, today=date)
        except Plan.DoesNotExist:
            raise CommandError(f"plan desconocido: {plan}") from None
        self.stdout.write(summary.line())
        if summary.failed:
            raise CommandError(f"{summary.failed} correos no se enviaron", returncode=1)
