"""export_plan / import_plan: a whole plan between installations, compared by codes.

The official plan with demo data, plus what people add through the workflow (a validation,
a reformed target, an evidence file, a closed period), goes out to a zip and comes back
into an installation without it. Exporting the imported plan again gives the same
``plan.json`` and ``history.json``: every row, value, reference and history entry, written
by codes and usernames, survived (and the import adds one entry to the plan's history).
"""

import json
import zipfile
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from planning.models import Gadp, Indicator, OrgUnit, Plan, Target
from scorecard import demo, workflow
from scorecard.backup import restore as backup
from scorecard.evidence import attach
from scorecard.models import ClosedPeriod, Evidence, Measurement
from tests.conftest import PASSWORD, PLAN_CODE

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% acta de la reunion con los GADP\n%%EOF\n"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def demo_plan(official_plan, media):
    """The official plan with demo values and a little of everything people do to it."""
    demo.seed_demo(password=PASSWORD)
    users = {u.username: u for u in get_user_model().objects.all()}
    planner, reporter = users["planificacion"], users["responsable_pgi"]
    reported = Measurement.objects.get(indicator__code="14.1", period="2021", gadp=None)
    workflow.validate(planner, reported, expected_version=reported.version)
    attach(reporter, reported, SimpleUploadedFile("acta.pdf", PDF))
    target = Target.objects.get(indicator__code="11.2", period="2019")
    target.original_value, target.value = target.value, Decimal("2.5")
    target.reform_reason = "reforma aprobada por el Directorio"
    target._history_user, target._change_reason = planner, target.reform_reason
    target.save()
    workflow.close_period(planner, official_plan, "2017", reason="cierre anual")
    return official_plan


def export(tmp_path, name="plan.zip") -> tuple[dict, dict, dict, zipfile.ZipFile]:
    path = tmp_path / name
    call_command("export_plan", PLAN_CODE, "-o", str(path), stdout=StringIO())
    archive = zipfile.ZipFile(path)
    contents = [json.loads(archive.read(n)) for n in ("manifest.json", "plan.json", "history.json")]
    return (*contents, archive)


def delete_plan():
    with transaction.atomic():
        backup._delete_plan(Plan.objects.get(code=PLAN_CODE))


def import_(path, *args):
    call_command("import_plan", str(path), *args, stdout=StringIO())


def test_the_file_is_a_versioned_zip_with_a_manifest_the_plan_history_and_evidence(
    demo_plan, tmp_path
):
    manifest, data, history, archive = export(tmp_path)
    assert manifest["format"] == "congope-plan" and manifest["version"] == 1
    assert manifest["plan"] == PLAN_CODE and manifest["exported_at"]
    counts = manifest["counts"]
    assert counts["indicators"] == 9 == len(data["indicators"])
    assert counts["measurements"] == Measurement.objects.count() == len(data["measurements"])
    assert counts["evidence"] == counts["evidence_files"] == 1
    assert counts["closed_periods"] == 1
    assert counts["history"] == sum(len(rows) for rows in history.values())
    (evidence,) = data["evidence"]
    assert archive.read(f"evidence/{evidence['file']}") == PDF
    assert evidence["measurement"] == ["14.1", "2021", None]
    assert evidence["uploaded_by"] == "responsable_pgi"


def test_references_are_codes_and_usernames_never_ids(demo_plan, tmp_path):
    _, data, history, _ = export(tmp_path)
    indicator = next(i for i in data["indicators"] if i["code"] == "12.2")
    assert indicator["objective"] == "OE2" and indicator["responsible_unit"] == "GEDG"
    assert "id" not in indicator and "plan" not in indicator
    part = next(m for m in data["measurements"] if m["indicator"] == "12.2" and m["gadp"])
    assert part["gadp"] in {g.code for g in Gadp.objects.all()}
    ratio = next(m for m in data["measurements"] if m["indicator"] == "14.1")
    assert ratio["numerator"] and ratio["denominator"] and ratio["value"] is None
    (validation,) = [
        h
        for h in history["measurements"]
        if h["history_change_reason"] == "validado" and h["object"] == ["14.1", "2021", None]
    ]
    assert validation["history_user"] == "planificacion" and validation["status"] == "validado"
    units = [u["code"] for u in data["units"]]
    assert all(
        units.index(u["parent"]) < units.index(u["code"]) for u in data["units"] if u["parent"]
    )


def test_a_plan_comes_back_whole_into_an_installation_without_it(demo_plan, tmp_path, media):
    manifest, data, history, archive = export(tmp_path)
    before = _measurements_by_code()
    delete_plan()
    default_storage.delete(data["evidence"][0]["file"])
    # The other installation lacks one unit and every GADP: they are created by code.
    OrgUnit.objects.filter(code="RI").delete()
    Gadp.objects.all().delete()
    assert not Plan.objects.filter(code=PLAN_CODE).exists()

    import_(tmp_path / "plan.zip")

    assert _measurements_by_code() == before
    _, data_again, history_again, archive_again = export(tmp_path, "again.zip")
    assert data_again == data
    (imported,) = [h for h in history_again["plan"] if h not in history["plan"]]
    assert imported["history_change_reason"] == "importado con import_plan: plan.zip"
    assert history_again == {**history, "plan": history["plan"] + [imported]}
    evidence = Evidence.objects.get()
    assert evidence.file.read() == PDF and evidence.original_name == "acta.pdf"
    assert ClosedPeriod.objects.get().closed_by.username == "planificacion"


def test_history_keeps_who_when_and_why(demo_plan, tmp_path):
    target = Target.objects.get(indicator__code="11.2", period="2019")
    dates = list(target.history.values_list("history_date", flat=True))
    export(tmp_path)
    delete_plan()
    import_(tmp_path / "plan.zip")
    target = Target.objects.get(indicator__code="11.2", period="2019")
    assert list(target.history.values_list("history_date", flat=True)) == dates
    latest = target.history.first()
    assert latest.history_user.username == "planificacion"
    assert latest.history_change_reason == "reforma aprobada por el Directorio"
    assert (target.value, target.original_value) == (Decimal("2.5"), Decimal(3))


def test_an_existing_plan_is_refused_and_left_as_it_was(demo_plan, tmp_path):
    export(tmp_path)
    count = Measurement.objects.count()
    with pytest.raises(CommandError, match="ya existe.*--replace"):
        import_(tmp_path / "plan.zip")
    assert Plan.objects.filter(code=PLAN_CODE).count() == 1
    assert Measurement.objects.count() == count


def test_replace_puts_the_file_in_place_of_the_existing_plan(demo_plan, tmp_path):
    _, data, _, _ = export(tmp_path)
    changed = Indicator.objects.get(code="11.1")
    changed.name = "cambiado después del respaldo"
    changed.save()
    import_(tmp_path / "plan.zip", "--replace")
    assert Indicator.objects.get(code="11.1").name != "cambiado después del respaldo"
    assert Plan.objects.filter(code=PLAN_CODE).count() == 1
    assert Measurement.objects.count() == len(data["measurements"])


def test_a_user_missing_here_becomes_nobody_with_a_warning(demo_plan, tmp_path, capsys):
    export(tmp_path)
    delete_plan()
    get_user_model().objects.filter(username="responsable_pgi").delete()
    call_command("import_plan", str(tmp_path / "plan.zip"))
    err = capsys.readouterr().err
    assert "usuario responsable_pgi: no existe aquí; queda sin usuario" in err
    assert Evidence.objects.get().uploaded_by is None
    assert Measurement.objects.filter(indicator__code="12.1").exclude(reported_by=None).count() == 0


def test_a_broken_file_writes_nothing_not_even_evidence_files(demo_plan, tmp_path, media):
    _, data, history, archive = export(tmp_path)
    delete_plan()
    data["targets"][-1]["indicator"] = "99.9"
    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(broken, "w") as out:
        for name in archive.namelist():
            content = archive.read(name)
            out.writestr(name, json.dumps(data) if name == "plan.json" else content)
    files_before = sorted(p for p in media.rglob("*") if p.is_file())
    with pytest.raises(CommandError, match="99.9"):
        import_(broken)
    assert not Plan.objects.filter(code=PLAN_CODE).exists()
    assert sorted(p for p in media.rglob("*") if p.is_file()) == files_before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no es un respaldo"),
        ({"format": "otro", "version": 1}, "formato"),
        ({"format": "congope-plan", "version": 2}, "versión 2"),
    ],
)
def test_a_file_that_is_not_a_plan_backup_is_refused_clearly(db, tmp_path, content, message):
    path = tmp_path / "x.zip"
    if content is None:
        path.write_bytes(b"no soy un zip")
    else:
        with zipfile.ZipFile(path, "w") as out:
            out.writestr("manifest.json", json.dumps(content))
    with pytest.raises(CommandError, match=message):
        import_(path)


def test_exporting_an_unknown_plan_says_so(db, tmp_path):
    with pytest.raises(CommandError, match="NOPE: no existe"):
        call_command("export_plan", "NOPE", "-o", str(tmp_path / "x.zip"))


def _measurements_by_code() -> set[tuple]:
    return set(
        Measurement.objects.values_list(
            "indicator__code",
            "period",
            "gadp__code",
            "value",
            "numerator",
            "denominator",
            "status",
            "reported_by__username",
            "validated_by__username",
            "version",
        )
    )
