"""The official plan (fixture congope_2017_2021) is CONGOPE's plan 2017–2021 as printed.

The source document is kept at tests/data/seed/ so that these checks run on a clean clone.
"""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from planning.models import (
    ExpectedResult,
    Gadp,
    Indicator,
    Institution,
    InstitutionalPolicy,
    ObjectiveLink,
    OrgUnit,
    Perspective,
    Plan,
    Principle,
    StrategicObjective,
    Strategy,
    Target,
)
from scorecard.models import Measurement

SEED = Path(__file__).parent / "data" / "seed" / "plan-estrategico-congope-2017-2021.md"
FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "congope_2017_2021.json"
PLAN = "CONGOPE-2017-2021"

UNITS = {
    "gobernante": {
        "AGP": "Asamblea General de Prefectos",
        "CE": "Comisión Ejecutiva",
        "PRES": "Presidente del CONGOPE",
        "DE": "Director Ejecutivo",
        "SDE": "Subdirector Ejecutivo",
        "CPER": "Comisiones permanentes, especiales y representaciones",
        "AT": "Articulación Territorial",
    },
    "agregador_valor": {
        "GEDG": "Gestión Estratégica para el desarrollo de los GAD Provinciales",
        "PGI": "Planificación y Gestión de la Información",
        "RI": "Relaciones Internacionales",
        "VIRD": "Vialidad, vivienda, infraestructura, riego y drenaje",
        "FP": "Fomento Productivo",
        "GA": "Gestión Ambiental",
        "GSIG": "Gestión Social, interculturalidad y género",
        "TI": "Tecnologías de la información",
        "COM": "Comunicación",
    },
    "asesoria": {"DAJ": "Dirección de Asesoría Jurídica"},
    "apoyo": {
        "DA": "Dirección Administrativa",
        "DF": "Dirección Financiera",
        "ITST": "Infraestructura tecnológica y soporte técnico",
    },
}

GADP = {
    "01": "Azuay",
    "02": "Bolívar",
    "03": "Cañar",
    "04": "Carchi",
    "05": "Cotopaxi",
    "06": "Chimborazo",
    "07": "El Oro",
    "08": "Esmeraldas",
    "09": "Guayas",
    "10": "Imbabura",
    "11": "Loja",
    "12": "Los Ríos",
    "13": "Manabí",
    "14": "Morona Santiago",
    "15": "Napo",
    "16": "Pastaza",
    "17": "Pichincha",
    "18": "Tungurahua",
    "19": "Zamora Chinchipe",
    "21": "Sucumbíos",
    "22": "Orellana",
    "23": "Santo Domingo de los Tsáchilas",
    "24": "Santa Elena",
}

STRATEGY_CODES = (
    [f"E1.{n}" for n in range(1, 9)]
    + [f"E2.{n}" for n in range(1, 10)]
    + [f"E3.{n}" for n in range(1, 6)]
    + [f"E4.{n}" for n in range(1, 6)]
)
RESULT_CODES = ["R1.1", "R1.2", "R2.1", "R2.2", "R2.3", "R3.1", "R3.2", "R4.1", "R4.2"]
INDICATOR_CODES = ["11.1", "11.2", "12.1", "12.2", "12.3", "13.1", "13.2", "13.3", "14.1"]


def without_markup(text: str) -> str:
    """The seed's text as a reader sees it: no HTML tags, emphasis marks or bullets."""
    text = re.sub(r"<[^>]+>", "", text)
    text = text.replace("**", "").replace("*", "")
    return text.replace("• ", "")


def section(number: int) -> str:
    """The text of one numbered section of the seed (its heading to the next one)."""
    text = SEED.read_text(encoding="utf-8")
    start = re.search(rf"^#+ (\*\*)?{number}\. ", text, re.MULTILINE).start()
    following = re.search(rf"^#+ (\*\*)?{number + 1}\. ", text[start:], re.MULTILINE)
    return without_markup(text[start : start + following.start()] if following else text[start:])


@pytest.fixture
def plan(db):
    call_command("loaddata", "congope_2017_2021", verbosity=0)
    return Plan.objects.get(code=PLAN)


# Loading


def test_the_fixture_loads_by_name_and_by_path(db):
    call_command("loaddata", "congope_2017_2021", verbosity=0)
    call_command("loaddata", str(FIXTURE), verbosity=0)
    assert Plan.objects.filter(code=PLAN).count() == 1


def test_loading_it_twice_duplicates_nothing(plan):
    models = [
        Institution,
        OrgUnit,
        Gadp,
        Plan,
        Perspective,
        StrategicObjective,
        Strategy,
        ExpectedResult,
        Indicator,
        InstitutionalPolicy,
    ]
    before = {model: model.objects.count() for model in models}
    call_command("loaddata", "congope_2017_2021", verbosity=0)
    assert {model: model.objects.count() for model in models} == before


def test_every_object_passes_model_validation(plan):
    models = [
        Institution,
        OrgUnit,
        Gadp,
        Plan,
        Perspective,
        StrategicObjective,
        Strategy,
        ExpectedResult,
        Indicator,
        InstitutionalPolicy,
    ]
    for model in models:
        for obj in model.objects.all():
            obj.full_clean()


# The institution and its structure


def test_the_institution_is_congope(plan):
    institution = Institution.objects.get(code="CONGOPE")
    assert institution.name == "Consorcio de Gobiernos Provinciales del Ecuador"
    assert institution.acronym == "CONGOPE"
    assert plan.institution == institution


def test_the_institution_has_twenty_units_with_the_codes_and_names_of_section_6(plan):
    units = OrgUnit.objects.filter(institution__code="CONGOPE")
    assert units.count() == 20
    for kind, expected in UNITS.items():
        assert dict(units.filter(kind=kind).values_list("code", "name")) == expected


def test_the_plans_checks_count_eighteen_units_beside_the_two_governing_bodies(plan):
    counted = OrgUnit.objects.exclude(code__in=["CPER", "AT"])
    assert counted.count() == 18
    assert counted.filter(kind="gobernante").count() == 5
    assert counted.filter(kind="agregador_valor").count() == 9
    assert counted.filter(kind="asesoria").count() == 1
    assert counted.filter(kind="apoyo").count() == 3


def test_the_units_form_one_tree_under_the_assembly_in_document_order(plan):
    parent = dict(OrgUnit.objects.values_list("code", "parent__code"))
    assert parent["AGP"] is None
    assert [parent[c] for c in ("CE", "PRES", "DE", "SDE")] == ["AGP", "CE", "PRES", "DE"]
    assert parent["CPER"] == "AGP"
    assert parent["AT"] == "SDE"
    below = {**UNITS["agregador_valor"], **UNITS["asesoria"], **UNITS["apoyo"]}
    assert {parent[code] for code in below} == {"SDE"}
    assert list(OrgUnit.objects.order_by("order").values_list("code", flat=True)) == [
        "AGP",
        "CPER",
        "CE",
        "PRES",
        "DE",
        "SDE",
        "AT",
        *UNITS["agregador_valor"],
        "DAJ",
        *UNITS["apoyo"],
    ]


def test_there_are_23_provincial_governments_by_inec_code_and_none_for_galapagos(plan):
    assert dict(Gadp.objects.values_list("code", "province")) == GADP
    assert Gadp.objects.count() == 23
    assert not Gadp.objects.filter(code="20").exists()


# The plan


def test_the_plan_is_the_approved_2017_2021_plan_of_september_2017(plan):
    assert plan.name == (
        "Planificación Estratégica del Consorcio de Gobiernos Provinciales del Ecuador 2017 – 2021"
    )
    assert (plan.start_year, plan.end_year) == (2017, 2021)
    assert plan.status == Plan.Status.APPROVED
    assert plan.version == 1
    assert plan.issued_by == "Dirección Ejecutiva del CONGOPE"
    assert plan.issued_on == "Septiembre – 2017"
    assert (plan.green_threshold, plan.yellow_threshold) == (Decimal(85), Decimal(70))


def test_mission_and_vision_are_those_of_section_7(plan):
    assert plan.mission in section(7)
    assert plan.vision in section(7)
    assert plan.vision.startswith("Al 2021 seremos reconocidos")
    assert "encargada del fortalecimiento" in plan.mission


def test_the_notes_record_the_discrepancies_of_the_source(plan):
    assert "2017 – 2019" in plan.notes
    assert "Al 2019 seremos reconocidos" in plan.notes
    assert "encargada del, fortalecimiento" in plan.notes
    for empty in ("4", "5", "8"):
        assert f"{empty} (" in plan.notes


def test_the_plan_states_no_principles_targets_or_measurements(plan):
    assert Principle.objects.count() == 0
    assert Target.objects.count() == 0
    assert Measurement.objects.count() == 0
    assert ObjectiveLink.objects.count() == 0
    assert not StrategicObjective.objects.filter(responsible_units__isnull=False).exists()
    assert not Indicator.objects.filter(baseline__isnull=False).exists()


# Perspectives, objectives and what hangs from them


def test_the_two_perspectives_are_the_addressees_of_section_9(plan):
    assert list(plan.perspective_set.values_list("code", "name")) == [
        ("GADP", "Dirigidos a los Gobiernos Provinciales"),
        ("INST", "Dirigidos a nivel Institucional"),
    ]


def test_the_four_objectives_take_the_numbering_and_wording_of_section_11(plan):
    objectives = plan.strategicobjective_set.order_by("order")
    assert list(objectives.values_list("code", "perspective__code", "axis", "short_name")) == [
        ("OE1", "GADP", "Político", "Presencia de los GADP en espacios de diálogo y decisión"),
        ("OE2", "GADP", "Técnico", "Capacidades de gestión e innovación de los GADP"),
        ("OE3", "INST", "", "Posicionamiento y liderazgo institucional"),
        ("OE4", "INST", "", "Capacidades técnico-políticas e innovación institucional"),
    ]
    for number, objective in enumerate(objectives, start=1):
        assert re.search(re.escape(f"{number}) {objective.name}") + r"[\t\n]", section(11))
    assert objectives[0].name.endswith("nivel intermedio de Gobierno.")
    assert "político – técnicos" in objectives[0].name


def test_there_are_27_strategies_in_the_order_of_section_10(plan):
    strategies = plan.strategy_set.order_by("order")
    assert list(strategies.values_list("code", flat=True)) == STRATEGY_CODES
    per_objective = [strategies.filter(objective__code=f"OE{n}").count() for n in range(1, 5)]
    assert per_objective == [8, 9, 5, 5]
    for strategy in strategies:
        assert strategy.objective.code == f"OE{strategy.code[1]}"


def test_objective_1_continues_across_the_page_break(plan):
    assert plan.strategy_set.get(code="E1.6").text.startswith("Apoyo en la generación")
    assert plan.strategy_set.get(code="E1.8").text == (
        "Construcción de propuestas para la generación de proyectos integrales mancomunados"
    )
    assert plan.strategy_set.get(code="E3.1").text.startswith("Participación y liderazgo")
    assert plan.strategy_set.get(code="E4.1").text.startswith("Mejoramiento de los")


def test_there_are_nine_results_with_unique_codes_and_the_printed_ones_kept(plan):
    results = plan.expectedresult_set.order_by("order")
    assert list(results.values_list("code", "objective__code", "printed_code")) == [
        ("R1.1", "OE1", ""),
        ("R1.2", "OE1", "R.1.2"),
        ("R2.1", "OE2", ""),
        ("R2.2", "OE2", ""),
        ("R2.3", "OE2", "R2.2"),
        ("R3.1", "OE3", "R2.1"),
        ("R3.2", "OE3", "R2.2"),
        ("R4.1", "OE4", ""),
        ("R4.2", "OE4", ""),
    ]
    for result in results:
        assert f"{result.printed_code or result.code} {result.text}" in section(11)


def test_each_result_reads_the_target_its_text_states(plan):
    targets = {
        r.code: (r.target_value, r.target_unit, r.target_year)
        for r in plan.expectedresult_set.all()
    }
    assert targets == {
        "R1.1": (None, "", 2021),
        "R1.2": (None, "", None),
        "R2.1": (Decimal(30), "% de GADP", 2021),
        "R2.2": (Decimal(50), "% de GADP", 2021),
        "R2.3": (None, "", 2021),
        "R3.1": (Decimal(13), "GADP", 2021),
        "R3.2": (None, "", 2021),
        "R4.1": (Decimal(50), "% de GADP", 2021),
        "R4.2": (Decimal(25), "% de incremento de la eficiencia", 2021),
    }


def test_there_are_nine_indicators_with_their_printed_codes_and_names(plan):
    indicators = plan.indicator_set.order_by("order")
    assert list(indicators.values_list("code", flat=True)) == INDICATOR_CODES
    for indicator in indicators:
        assert indicator.objective.code == f"OE{indicator.code[1]}"
        assert indicator.result is None
        assert f"{indicator.code} {indicator.name}" in section(11)


def test_indicators_keep_neutral_settings_except_what_the_source_states(plan):
    for indicator in plan.indicator_set.exclude(code__in=["13.2", "14.1"]):
        assert indicator.kind == Indicator.Kind.RESULT
        assert indicator.polarity == Indicator.Polarity.INCREASING
        assert indicator.accumulation == Indicator.Accumulation.DISCRETE
        assert indicator.window == Indicator.Window.YEAR
        assert indicator.calculation == Indicator.Calculation.VALUE
        assert indicator.periodicity == Indicator.Periodicity.ANNUAL
        assert indicator.factor == 1
        assert indicator.unit_of_measure == ""
        assert indicator.final_target is None
    ratio = plan.indicator_set.get(code="13.2")
    assert (ratio.calculation, ratio.factor, ratio.unit_of_measure) == ("razon", 100, "%")
    assert ratio.final_target is None
    evaluation = plan.indicator_set.get(code="14.1")
    assert (evaluation.calculation, evaluation.factor, evaluation.unit_of_measure) == (
        "razon",
        100,
        "%",
    )
    assert (evaluation.final_target, evaluation.final_target_year) == (Decimal(90), 2021)


def test_the_four_institutional_policies_are_those_of_section_11(plan):
    policies = plan.institutionalpolicy_set.order_by("order")
    assert list(policies.values_list("code", flat=True)) == ["PI1", "PI2", "PI3", "PI4"]
    for policy in policies:
        assert policy.text in section(11)


# Verbatim


def test_every_stored_text_is_verbatim_in_the_source(plan):
    document = without_markup(SEED.read_text(encoding="utf-8"))
    texts = [plan.mission, plan.vision]
    texts += list(plan.strategicobjective_set.values_list("name", flat=True))
    texts += list(plan.strategy_set.values_list("text", flat=True))
    texts += list(plan.expectedresult_set.values_list("text", flat=True))
    texts += list(plan.indicator_set.values_list("name", flat=True))
    texts += list(plan.institutionalpolicy_set.values_list("text", flat=True))
    texts += list(plan.perspective_set.values_list("name", flat=True))
    texts += list(OrgUnit.objects.values_list("name", flat=True))
    assert len(texts) == 2 + 4 + 27 + 9 + 9 + 4 + 2 + 20
    for text in texts:
        assert text == text.strip()
        assert text in document, text


def test_strategies_are_verbatim_in_section_10(plan):
    for text in plan.strategy_set.values_list("text", flat=True):
        assert text in section(10)


def test_the_sources_typos_are_kept(plan):
    assert "GAPS" in plan.expectedresult_set.get(code="R2.1").text
    assert "GAPS" in plan.expectedresult_set.get(code="R4.2").text
    assert "funcionarios dela institución" in plan.strategy_set.get(code="E4.1").text
    assert "de los interés de los GADP" in plan.strategy_set.get(code="E1.5").text
    assert "para la facilitar la incorporación" in plan.strategy_set.get(code="E1.1").text
    assert "servicios técnico - políticos" in plan.strategy_set.get(code="E3.3").text
    assert "para asuman el rol" in plan.strategicobjective_set.get(code="OE2").name
