import json
import sys

from django.core.management.base import BaseCommand, CommandError

from planning.models import Plan
from planning.periods import InvalidPeriod, Period
from scorecard.assembly import build_scorecard
from scorecard.serializers import scorecard_json


class Command(BaseCommand):
    help = "El Cuadro de Mando Integral de un plan a un periodo de corte (JSON)."

    def add_arguments(self, parser):
        parser.add_argument("--plan", required=True, help="código del plan")
        parser.add_argument("--period", required=True, help="2019, 2019-S1, 2019-T2 o 2019-03")
        parser.add_argument("--format", default="json", choices=["json"])
        parser.add_argument("-o", "--output", help="archivo de salida (por defecto, la pantalla)")
        parser.add_argument(
            "--include-unvalidated",
            action="store_true",
            help="contar también los valores reportados sin validar (marcados como tales)",
        )

    def handle(self, *args, plan, period, output, include_unvalidated, **options):
        try:
            cutoff = Period.parse(period)
        except InvalidPeriod as exc:
            raise CommandError(str(exc)) from exc
        try:
            plan_obj = Plan.objects.get(code=plan)
        except Plan.DoesNotExist as exc:
            raise CommandError(f"no existe el plan {plan}") from exc
        card = build_scorecard(plan_obj, cutoff, include_unvalidated=include_unvalidated)
        text = json.dumps(scorecard_json(card), ensure_ascii=False, indent=1)
        if output:
            with open(output, "w", encoding="utf-8") as fh:
                fh.write(text + "\n")
        else:
            sys.stdout.write(text + "\n")
