"""The import history and undo: who reads and undoes what, and that undo restores exactly.

An undo restores every row an import wrote to its state before (or deletes the rows it
created) only while nothing has changed them since; otherwise it names the rows and
changes nothing. Both the import and the undo leave history rows.
"""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from planning.models import Indicator, OrgUnit, Target
from scorecard import workflow as wf
from scorecard.imports import import_indicators, import_measurements, import_targets
from scorecard.imports.undo import UndoRefused, import_undo
from scorecard.models import Evidence, ImportBatch, Measurement
from tests.conftest import PASSWORD
from tests.factories import make_indicator, make_objective, make_perspective
from tests.test_import_helpers import snapshot, write_csv

HISTORY = reverse("import-history")
HEADER = ["indicador", "periodo", "valor", "numerador", "denominador", "analisis"]
#: What an undo must give back exactly (version and updated_at move on, by design).
FIELDS = [
    "indicator_id",
    "period",
    "gadp_id",
    "value",
    "numerator",
    "denominator",
    "analysis",
    "status",
    "return_comment",
    "reported_by_id",
    "reported_at",
    "validated_by_id",
    "validated_at",
    "import_batch_id",
    "import_row",
]


def undo_url(batch):
    return reverse("import-undo", args=[batch.pk])


def state():
    return list(Measurement.objects.order_by("pk").values(*FIELDS))


def targets():
    return list(Target.objects.order_by("pk").values())


@pytest.fixture
def pgi(official_plan):
    unit = OrgUnit.objects.get(code="PGI")
    for code in ("11.2", "13.2"):
        indicator = Indicator.objects.get(plan=official_plan, code=code)
        indicator.responsible_unit = unit
        indicator.save()
    return official_plan


def measurements(tmp_path, rows, *, plan, user, name="m.csv", **options):
    path = write_csv(tmp_path / name, HEADER, rows)
    result = import_measurements(path, plan=plan, user=user, file_name=name, **options)
    assert result.messages() == []
    return result.batch


@pytest.fixture
def reported(pgi, reporter):
    """A value the PGI reporter sent through the report workflow, with its analysis."""
    indicator = Indicator.objects.get(code="11.2")
    wf.save_report(
        reporter,
        indicator,
        "2018",
        wf.ReportInput(value=Decimal(4), analysis="por debajo"),
        expected_version=None,
        submit=True,
    )
    return Measurement.objects.get(indicator=indicator, period="2018")


@pytest.fixture
def batch(reported, tmp_path, planner):
    """The planner's import: replaces 11.2 2018 (validating it) and creates 13.2 2018."""
    rows = [["11.2", "2018", "5", "", "", "revisado"], ["13.2", "2018", "", "9", "12", ""]]
    return measurements(
        tmp_path, rows, plan=reported.indicator.plan, user=planner, validate=True, overwrite=True
    )


# --- the history page -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status", "sees"),
    [
        ("admin", 200, True),
        ("planificacion", 200, True),
        ("direccion", 200, True),
        ("responsable", 200, False),
        ("otro_responsable", 200, False),
    ],
)
def test_the_history_page_by_role(client, personas, batch, role, status, sees):
    client.force_login(personas[role])
    response = client.get(HISTORY)
    assert response.status_code == status
    shown = [b for b, _can_undo in response.context["rows"]]
    assert shown == ([batch] if sees else [])


def test_a_reporter_sees_their_own_imports(client, pgi, reporter, other_reporter, tmp_path):
    own = measurements(tmp_path, [["11.2", "2019", "3", "", "", ""]], plan=pgi, user=reporter)
    for user, expected in ((reporter, [own]), (other_reporter, [])):
        client.force_login(user)
        assert [b for b, _ in client.get(HISTORY).context["rows"]] == expected


def test_an_account_without_a_role_has_no_history_page(client, batch):
    client.force_login(get_user_model().objects.create_user("sin_rol", password=PASSWORD))
    assert client.get(HISTORY).status_code == 404
    assert client.post(undo_url(batch)).status_code == 404


def test_the_history_lists_kind_file_who_counts_and_options(client, batch, planner):
    client.force_login(planner)
    html = client.get(HISTORY).content.decode()
    row = html.split(f'<th scope="row">{batch.pk}</th>', 1)[1].split("</tr>", 1)[0]
    for text in (
        "Mediciones",
        "m.csv",
        "CONGOPE-2017-2021",
        planner.username,
        "marcó como validados",
    ):
        assert text in row
    assert row.count('<td class="text-end">1</td>') == 2  # created 1, updated 1
    assert '<td class="text-end">0</td>' in row  # unchanged 0
    assert f'action="{undo_url(batch)}"' in row


def _history_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(HISTORY).status_code == 200
    return len(ctx.captured_queries)


def test_the_history_page_reads_a_fixed_number_of_queries(
    client, pgi, planner, reporter, django_assert_max_num_queries
):
    def add(n):
        for i in range(n):
            ImportBatch.objects.create(
                kind="mediciones", plan=pgi, file_name=f"{i}.csv", user=reporter, undone_by=planner
            )

    add(3)
    client.force_login(planner)
    few = _history_queries(client)
    add(40)
    # session, user, user's groups (role), count, one page with plan, user and undone_by
    with django_assert_max_num_queries(5):
        assert client.get(HISTORY, {"page": 2}).status_code == 200
    assert _history_queries(client) == few


def test_the_history_is_paginated(client, pgi, planner):
    for i in range(30):
        ImportBatch.objects.create(kind="metas", plan=pgi, file_name=f"{i}.csv", user=planner)
    client.force_login(planner)
    first = client.get(HISTORY)
    assert len(first.context["rows"]) == 25
    assert "Página 1 de 2" in first.content.decode()
    assert len(client.get(HISTORY, {"page": 2}).context["rows"]) == 5


# --- undo: what it restores ---------------------------------------------------------------------


def test_undo_restores_values_and_statuses_exactly_and_deletes_created_rows(
    client, reported, tmp_path, planner
):
    before = state()
    batch = measurements(
        tmp_path,
        [["11.2", "2018", "5", "", "", "revisado"], ["13.2", "2018", "", "9", "12", ""]],
        plan=reported.indicator.plan,
        user=planner,
        validate=True,
        overwrite=True,
    )
    assert state() != before
    client.force_login(planner)
    response = client.post(undo_url(batch))
    assert response["Location"] == HISTORY
    page = client.get(HISTORY).content.decode()
    assert f"Importación #{batch.pk} deshecha: restaurados 1, eliminados 1." in page
    assert state() == before
    value = Measurement.objects.get(pk=reported.pk)
    assert (value.value, value.analysis, value.status) == (4, "por debajo", "reportado")
    assert value.version == reported.version + 2  # the import's write, then the undo's
    batch.refresh_from_db()
    assert (batch.undone_by, batch.undone_at is not None) == (planner, True)


def test_undo_leaves_history_rows_for_the_import_and_the_undo(client, batch, planner, reported):
    created = Measurement.history.model.objects.filter(
        history_change_reason__startswith=f"importación #{batch.pk}:"
    )
    assert sorted(created.values_list("history_type", flat=True)) == ["+", "~"]
    client.force_login(planner)
    client.post(undo_url(batch))
    undone = Measurement.history.model.objects.filter(
        history_change_reason=f"deshecha la importación #{batch.pk}"
    )
    assert sorted(undone.values_list("history_type", "history_user")) == [
        ("-", planner.pk),
        ("~", planner.pk),
    ]
    latest = reported.history.order_by("-history_id").first()
    assert (latest.value, latest.status, latest.history_type) == (4, "reportado", "~")


def test_after_an_undo_the_button_is_gone_and_a_second_undo_is_refused(client, batch, planner):
    client.force_login(planner)
    client.post(undo_url(batch))
    html = client.get(HISTORY).content.decode()
    assert f'action="{undo_url(batch)}"' not in html
    assert "Deshecha el" in html
    before = snapshot()
    client.post(undo_url(batch))
    assert f"La importación #{batch.pk} ya fue deshecha" in client.get(HISTORY).content.decode()
    assert snapshot() == before


def test_undo_is_refused_naming_the_rows_changed_since(client, pgi, tmp_path, planner, reporter):
    batch = measurements(
        tmp_path,
        [["11.2", "2018", "5", "", "", ""], ["13.2", "2018", "", "9", "12", ""]],
        plan=pgi,
        user=reporter,
    )
    value = Measurement.objects.get(indicator__code="11.2", period="2018")
    wf.validate(planner, value, expected_version=value.version)
    before, history = snapshot(), Measurement.history.count()
    client.force_login(planner)
    client.post(undo_url(batch))
    page = client.get(HISTORY).content.decode()
    assert (
        f"No se puede deshacer la importación #{batch.pk}: estos datos cambiaron después: 11.2 2018"
    ) in page
    assert snapshot() == before and Measurement.history.count() == history
    assert ImportBatch.objects.get(pk=batch.pk).undone_at is None


def test_a_later_import_of_the_same_rows_blocks_the_undo_of_the_earlier(pgi, tmp_path, planner):
    first = measurements(tmp_path, [["11.2", "2018", "5", "", "", ""]], plan=pgi, user=planner)
    second = measurements(tmp_path, [["11.2", "2018", "6", "", "", ""]], plan=pgi, user=planner)
    with pytest.raises(UndoRefused, match="cambiaron después: 11.2 2018"):
        import_undo(batch=first, user=planner)
    import_undo(batch=second, user=planner)
    assert Measurement.objects.get().value == 5
    import_undo(batch=first, user=planner)
    assert not Measurement.objects.exists()


def test_a_created_value_with_evidence_is_not_deleted_by_an_undo(pgi, tmp_path, planner):
    batch = measurements(tmp_path, [["11.2", "2018", "5", "", "", ""]], plan=pgi, user=planner)
    Evidence.objects.create(
        measurement=Measurement.objects.get(),
        file="evidencias/acta.pdf",
        original_name="acta.pdf",
        content_type="application/pdf",
        size=10,
    )
    with pytest.raises(UndoRefused, match="cambiaron después: 11.2 2018"):
        import_undo(batch=batch, user=planner)
    assert Measurement.objects.exists()


def test_undo_of_an_import_that_only_created_rows_deletes_them(pgi, tmp_path, planner):
    before = state()
    batch = measurements(
        tmp_path,
        [["11.2", str(year), str(year - 2000), "", "", ""] for year in range(2017, 2022)],
        plan=pgi,
        user=planner,
    )
    assert Measurement.objects.count() == 5
    result = import_undo(batch=batch, user=planner)
    assert (result.restored, result.deleted) == (0, 5)
    assert state() == before
    deleted = Measurement.history.model.objects.filter(history_type="-")
    assert deleted.count() == 5


def test_undo_of_a_reforma_gives_back_the_targets_first_programmed(
    official_plan, tmp_path, planner
):
    header = ["indicador", "periodo", "meta"]
    program = import_targets(
        write_csv(tmp_path / "a.csv", header, [["11.2", "2018", "4"], ["11.2", "2019", "5"]]),
        plan=official_plan,
        user=planner,
    ).batch
    programmed = targets()
    reform = import_targets(
        write_csv(tmp_path / "b.csv", header, [["11.2", "2018", "6"]]),
        plan=official_plan,
        user=planner,
        reason="resolución",
    ).batch
    with pytest.raises(UndoRefused, match="cambiaron después: 11.2 2018"):
        import_undo(batch=program, user=planner)
    assert import_undo(batch=reform, user=planner).restored == 1
    assert targets() == programmed
    assert import_undo(batch=program, user=planner).deleted == 2
    assert not Target.objects.exists()


def test_an_import_over_rows_without_earlier_history_cannot_be_undone(
    official_plan, tmp_path, planner
):
    # The official plan is loaded from a fixture: its indicators have no history before.
    path = write_csv(
        tmp_path / "i.csv", ["codigo", "unidad_medida"], [["11.1", "eventos"], ["11.2", "%"]]
    )
    batch = import_indicators(path, plan=official_plan, user=planner).batch
    before = snapshot()
    with pytest.raises(UndoRefused, match="no se conoce el estado anterior de 11.1, 11.2"):
        import_undo(batch=batch, user=planner)
    assert snapshot() == before


def test_undo_of_an_indicators_import_restores_and_deletes(official_plan, tmp_path, planner):
    header = ["codigo", "nombre", "objetivo", "sentido", "acumulacion", "calculo", "periodicidad"]
    row = ["99.1", "Nuevo", "OE1", "creciente", "discreto", "valor", "anual"]
    import_indicators(
        write_csv(tmp_path / "a.csv", header, [row]), plan=official_plan, user=planner
    )
    before = list(Indicator.objects.order_by("pk").values())
    batch = import_indicators(
        write_csv(
            tmp_path / "b.csv", header, [[*row[:1], "Otro nombre", *row[2:]], ["99.2", *row[1:]]]
        ),
        plan=official_plan,
        user=planner,
    ).batch
    assert import_undo(batch=batch, user=planner).deleted == 1
    assert list(Indicator.objects.order_by("pk").values()) == before


def test_undo_stays_set_based_whatever_the_number_of_rows(db, planner, tmp_path):
    plan = make_perspective().plan
    objective = make_objective(perspective=make_perspective(plan=plan))
    codes = [make_indicator(objective=objective, periodicity="mensual").code for _ in range(5)]

    def months(value, count):
        cells = [
            [c, f"{y}-{m:02d}", str(value), "", "", ""]
            for c in codes
            for y in range(2017, 2022)
            for m in range(1, 13)
        ]
        return cells[:count]

    def undo_queries(count):
        measurements(tmp_path, months(1, count), plan=plan, user=planner, name="a.csv")
        batch = measurements(tmp_path, months(2, count), plan=plan, user=planner, name="b.csv")
        with CaptureQueriesContext(connection) as ctx:
            import_undo(batch=batch, user=planner)
        assert set(Measurement.objects.values_list("value", flat=True)) == {1}
        Measurement.objects.all().delete()
        return len(ctx.captured_queries)

    assert undo_queries(300) == undo_queries(10)


# --- undo: who may --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status", "undone"),
    [
        ("admin", 302, True),
        ("planificacion", 302, True),
        ("direccion", 403, False),
        ("responsable", 404, False),
        ("otro_responsable", 404, False),
    ],
)
def test_who_may_undo_the_planners_import(client, personas, batch, role, status, undone):
    client.force_login(personas[role])
    assert client.post(undo_url(batch)).status_code == status
    batch.refresh_from_db()
    assert (batch.undone_at is not None) == undone


@pytest.mark.parametrize(
    ("role", "status", "undone"),
    [("responsable", 302, True), ("otro_responsable", 404, False), ("direccion", 403, False)],
)
def test_a_reporter_undoes_their_own_import(client, personas, pgi, tmp_path, role, status, undone):
    own = measurements(
        tmp_path, [["11.2", "2019", "3", "", "", ""]], plan=pgi, user=personas["responsable"]
    )
    client.force_login(personas[role])
    assert client.post(undo_url(own)).status_code == status
    assert Measurement.objects.exists() != undone


def test_a_reporter_cannot_undo_into_a_period_closed_since(
    client, pgi, tmp_path, reporter, planner
):
    own = measurements(tmp_path, [["11.2", "2019", "3", "", "", ""]], plan=pgi, user=reporter)
    wf.close_period(planner, pgi, "2019")
    with pytest.raises(UndoRefused, match="el periodo 2019 está cerrado"):
        import_undo(batch=own, user=reporter)
    assert import_undo(batch=own, user=planner).deleted == 1


def test_undo_takes_only_post(client, batch, planner):
    client.force_login(planner)
    assert client.get(undo_url(batch)).status_code == 405


def test_anonymous_undo_goes_to_the_login_page(client, batch):
    response = client.post(undo_url(batch))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_long_file_name_is_kept_whole_in_the_history_reason(pgi, tmp_path, planner):
    name = "m" * 200 + ".csv"
    batch = measurements(
        tmp_path, [["11.2", "2018", "5", "", "", ""]], plan=pgi, user=planner, name=name
    )
    reason = Measurement.history.get().history_change_reason
    assert reason == f"importación #{batch.pk}: {name}"
    assert import_undo(batch=batch, user=planner).deleted == 1
