from django.core.management import call_command
from django.core.management.base import BaseCommand

from planning import history
from planning.models import Plan
from scorecard import demo


class Command(BaseCommand):
    help = (
        "Deja el sitio listo para `make run`: carga el plan oficial y, en una base nueva, "
        "los datos de demostración. Lo ya existente se conserva."
    )

    def handle(self, *args, **options):
        if Plan.objects.filter(code=demo.PLAN_CODE).exists():
            self.stdout.write(
                f"El plan {demo.PLAN_CODE} ya está cargado; se conservan los datos existentes."
            )
            self.stdout.write(
                "Ingrese en http://127.0.0.1:8000/ con su usuario (los usuarios de demostración "
                "usan la contraseña mostrada la primera vez; `python manage.py changepassword "
                "USUARIO` la cambia)."
            )
            return
        call_command("loaddata", "congope_2017_2021", verbosity=0)
        history.record_missing(history.tracked_models(), reason="plan oficial")
        self.stdout.write(f"Plan oficial {demo.PLAN_CODE} cargado.")
        call_command("seed_demo", stdout=self.stdout)
        history.record_missing(history.tracked_models(), reason="datos de demostración")
        self.stdout.write(
            "Ingrese en http://127.0.0.1:8000/ con uno de los usuarios de demostración "
            "y la contraseña de arriba."
        )
