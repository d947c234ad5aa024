from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from planning import accounts
from planning.models import Plan
from scorecard import demo


class Command(BaseCommand):
    help = (
        "Agrega DATOS DE DEMOSTRACIÓN al plan oficial (configuración de indicadores, metas, "
        "valores 2017–2021) y un usuario por rol. Nunca en producción salvo con --force."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="ejecutar aunque DEBUG esté apagado"
        )

    def handle(self, *args, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo se niega a ejecutarse con DEBUG apagado (producción); use --force."
            )
        if not Plan.objects.filter(code=demo.PLAN_CODE).exists():
            raise CommandError(
                f"No existe el plan {demo.PLAN_CODE}: ejecute antes "
                "`python manage.py loaddata congope_2017_2021`."
            )
        password = accounts.generate_password()
        summary = demo.seed_demo(password=password)
        self.stdout.write(
            f"Datos de demostración: {summary['targets']} metas, "
            f"{summary['measurements']} mediciones."
        )
        self.stdout.write("Usuarios de demostración: " + ", ".join(summary["users"]))
        self.stdout.write(f"Contraseña (se muestra una sola vez): {password}")
