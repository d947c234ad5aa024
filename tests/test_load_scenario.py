"""The load scenario's data and its check (bench/load/): no timings here, only that the
reporters own distinct slots and that the verification catches lost, duplicated and extra
values."""

import json
from decimal import Decimal

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.test import RequestFactory

from bench.load import prepare, verify
from planning import access
from planning.models import Indicator
from scorecard.models import Measurement

PLAN = prepare.LOAD_PLAN


@pytest.fixture
def load_data(official_plan, tmp_path):
    return prepare.prepare(directors=2, reporters=3, out=tmp_path / "cuentas.json")


def test_prepare_writes_the_accounts_file_readable_only_by_its_owner(load_data, tmp_path):
    path = tmp_path / "cuentas.json"
    assert path.stat().st_mode & 0o777 == 0o600
    assert json.loads(path.read_text())["password"] == load_data["password"]


def test_prepare_refuses_to_write_passwords_outside_tmp(official_plan):
    with pytest.raises(SystemExit):
        prepare.prepare(directors=1, reporters=1, out=prepare.Path("/work/cuentas.json"))


def test_every_load_account_signs_in_with_the_password_it_was_given(load_data):
    request = RequestFactory().post("/ingresar/")
    for username in load_data["directors"] + load_data["reporters"]:
        user = authenticate(request, username=username, password=load_data["password"])
        assert user is not None, username


def test_each_reporter_may_report_its_own_slots_and_no_one_elses(load_data):
    reporters = load_data["reporters"]
    users = {u.username: u for u in get_user_model().objects.filter(username__in=reporters)}
    indicators = {i.code: i for i in Indicator.objects.filter(plan__code=PLAN)}
    for name in reporters:
        mine = {code for code, _period in load_data["slots"][name]}
        for code, indicator in indicators.items():
            assert access.can_report(users[name], indicator) == (code in mine)


def test_the_slots_of_two_reporters_never_overlap(load_data):
    every = [tuple(s) for slots in load_data["slots"].values() for s in slots]
    assert len(every) == len(set(every)) == 3 * 2 * 60


def test_directors_read_the_official_plan(load_data):
    assert load_data["dashboard"]["plan"] == "CONGOPE-2017-2021"
    assert "13.2" in load_data["dashboard"]["indicators"]


def test_prepare_again_starts_the_load_plan_with_no_values(load_data, tmp_path):
    indicator = Indicator.objects.get(plan__code=PLAN, code="R001.1")
    Measurement.objects.create(indicator=indicator, period="2017-01", value=1)
    prepare.prepare(directors=2, reporters=3, out=tmp_path / "cuentas.json")
    assert not Measurement.objects.filter(indicator__plan__code=PLAN).exists()


# --- verify.py ----------------------------------------------------------------------------


def _log(tmp_path, label, entries):
    with (tmp_path / f"envios-{label}-123.jsonl").open("a") as fh:
        for indicator, period, value, status in entries:
            sent = {"user": "r", "indicator": indicator, "period": period, "value": value}
            fh.write(json.dumps({**sent, "event": "intento"}) + "\n")
            if status is not None:
                answer = {"event": "respuesta", "status": status, "ok": status == 302}
                fh.write(json.dumps({**sent, **answer}) + "\n")


def _store(code, period, value, status="reportado"):
    indicator = Indicator.objects.get(plan__code=PLAN, code=code)
    Measurement.objects.create(
        indicator=indicator, period=period, value=Decimal(value), status=status
    )


def _check(tmp_path):
    return verify.check(verify.read_submissions(tmp_path), verify.stored_rows(PLAN))


def test_every_accepted_value_stored_once_checks_clean(load_data, tmp_path):
    _log(tmp_path, "50", [("R001.1", "2017-01", "7.000001", 302)])
    _store("R001.1", "2017-01", "7.000001")
    counts = _check(tmp_path)["50"]
    assert counts["confirmados"] == 1
    assert counts["perdidos"] == counts["duplicados"] == counts["de más"] == 0


def test_an_accepted_value_missing_or_different_is_lost(load_data, tmp_path):
    _log(tmp_path, "50", [("R001.1", "2017-01", "7.000001", 302), ("R001.1", "2017-02", "8", 302)])
    _store("R001.1", "2017-02", "8.5")  # another value than the one sent
    counts = _check(tmp_path)["50"]
    assert counts["perdidos"] == 2
    assert counts["de más"] == 1  # 8.5: no submission explains it


def test_an_accepted_value_left_as_a_draft_is_lost(load_data, tmp_path):
    _log(tmp_path, "50", [("R001.1", "2017-01", "7", 302)])
    _store("R001.1", "2017-01", "7", status="borrador")
    assert _check(tmp_path)["50"]["perdidos"] == 1


def test_a_value_held_by_two_rows_is_duplicated(load_data, tmp_path):
    _log(tmp_path, "200", [("R002.1", "2017-01", "9", 302)])
    _store("R002.1", "2017-01", "9")
    _store("R002.1", "2017-02", "9")  # the same value landed in a second slot too
    counts = _check(tmp_path)["200"]
    assert counts["duplicados"] == 1
    assert counts["perdidos"] == counts["de más"] == 0


def test_a_value_stored_although_the_app_refused_it_is_extra(load_data, tmp_path):
    _log(tmp_path, "50", [("R001.1", "2017-01", "7", 200)])
    _store("R001.1", "2017-01", "7")
    assert _check(tmp_path)["50"]["de más"] == 1


def test_a_submission_without_answer_is_counted_apart_stored_or_not(load_data, tmp_path):
    _log(tmp_path, "50", [("R001.1", "2017-01", "7", None), ("R001.1", "2017-02", "8", 0)])
    _store("R001.1", "2017-01", "7")
    counts = _check(tmp_path)["50"]
    assert counts["sin respuesta"] == 2 and counts["sin respuesta, guardados"] == 1
    assert counts["perdidos"] == counts["de más"] == 0
