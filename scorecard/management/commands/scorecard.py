import json
import sys

from django.core.management.base import BaseCommand, CommandError

from planning.models import Plan
from planning.periods import InvalidPeriod, Period
from scorecard.assembly import build_scorecard
from scorecard.exports import scorecard_xlsx
from scorecard.serializers import scorecard_json


class Command(BaseCommand):
    help = "El Cuadro de Mando Integral de un plan a un periodo de corte (JSON, xlsx o PDF)."

    def add_arguments(self, parser):
        parser.add_argument("--plan", required=True, help="código del plan")
        parser.add_argument("--period", required=True, help="2019, 2019-S1, 2019-T2 o 2019-03")
        parser.add_argument(
            "--format", default="json", choices=["json", "xlsx", "pdf"], help="xlsx y pdf exigen -o"
        )
        parser.add_argument("-o", "--output", help="archivo de salida (por defecto, la pantalla)")
        parser.add_argument(
            "--include-unvalidated",
            action="store_true",
            help="contar también los valores reportados sin validar (marcados como tales)",
        )

    def handle(self, *args, plan, period, output, include_unvalidated, **options):
        fmt = options["format"]
        if fmt in ("xlsx", "pdf") and not output:
            raise CommandError(f"--format {fmt} escribe un archivo: indique -o ARCHIVO.{fmt}")
        try:
            cutoff = Period.parse(period)
        except InvalidPeriod as exc:
            raise CommandError(str(exc)) from exc
        try:
            plan_obj = Plan.objects.get(code=plan)
        except Plan.DoesNotExist as exc:
            raise CommandError(f"no existe el plan {plan}") from exc
        if fmt == "pdf":
            # Imported here: WeasyPrint loads Pango, which JSON and xlsx never need.
            from scorecard.pdf import scorecard_pdf

            with open(output, "wb") as fh:
                fh.write(scorecard_pdf(plan_obj, cutoff, include_unvalidated=include_unvalidated))
            return
        card = build_scorecard(plan_obj, cutoff, include_unvalidated=include_unvalidated)
        if fmt == "xlsx":
            with open(output, "wb") as fh:
                fh.write(scorecard_xlsx(card))
            return
        text = json.dumps(scorecard_json(card), ensure_ascii=False, indent=1)
        if output:
            with open(output, "w", encoding="utf-8") as fh:
                fh.write(text + "\n")
        else:
            sys.stdout.write(text + "\n")
