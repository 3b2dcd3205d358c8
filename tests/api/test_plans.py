"""``/api/v1/plans``: read, import/export round trip, versioning, refusals, classification."""

from __future__ import annotations

from sqlalchemy import func, select

from fenghuo.plans import loader
from fenghuo.plans.models import Plan, PlanVersion
from tests.api.conftest import Api, assert_field_problem, assert_problem

URL = "/api/v1/plans"
TEXT = loader.packaged_text()
YAML = {"Content-Type": "application/yaml"}


def energy_plan() -> str:
    return TEXT.replace("name: national", "name: energy", 1).replace(
        "owner: {kind: national_coordinator}", "owner: {kind: sector_department, sector: energy}"
    )


def plan_rows(api: Api) -> tuple[int, int]:
    with api.platform.transaction() as session:
        return (
            session.scalar(select(func.count(Plan.id))) or 0,
            session.scalar(select(func.count(PlanVersion.id))) or 0,
        )


def active_version(api: Api, name: str = "national") -> int:
    version: int = api.get("nat-viewer", f"{URL}/{name}").json()["active_version"]
    return version


def test_everyone_reads_the_national_plan_installed_on_first_use(api: Api) -> None:
    listed = api.get("sz-staff", URL)
    assert listed.status_code == 200, listed.text
    national = next(p for p in listed.json() if p["name"] == "national")
    assert national["owner_kind"] == "national_coordinator"
    detail = api.get("cert-analyst", f"{URL}/national").json()
    assert (
        detail["active"]["document"]["reporting"]["routes"]["cii"]["first_report"]["due_after"]
        == "PT1H"
    )
    assert detail["all_versions"][-1]["version"] == 1
    exported = api.get("bank-staff", f"{URL}/national/export?version=1")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("application/yaml")
    assert exported.text == TEXT


def test_import_export_round_trip_makes_a_new_version_and_keeps_the_old(api: Api) -> None:
    before = active_version(api)
    audit = api.counts()["audit"]
    changed = TEXT.replace("II: {after: 30, source: design", "II: {after: 20, source: design")
    created = api.client.post(
        URL, content=changed.encode(), headers={**YAML, **api.headers("nat-admin")}
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["version"], body["is_active"], body["created_by"]) == (
        before + 1,
        True,
        "nat-admin",
    )
    assert created.headers["Location"] == f"{URL}/national/versions/{before + 1}"
    assert api.counts()["audit"] == audit + 1
    assert api.get("nat-viewer", f"{URL}/national/export").text == changed
    old = api.get("nat-viewer", f"{URL}/national/versions/{before}").json()
    assert old["is_active"] is False
    assert old["document"]["notification_escalation"]["II"]["after"] != "PT20M"
    new = api.get("nat-viewer", f"{URL}/national/versions/{before + 1}").json()
    assert new["document"]["notification_escalation"]["II"]["after"] == "PT20M"
    as_json = api.post("nat-admin", URL, json={"yaml": TEXT})
    assert as_json.status_code == 201 and as_json.json()["version"] == before + 2


def test_a_plan_with_an_error_is_422_naming_line_and_rule_and_nothing_changes(api: Api) -> None:
    api.get("nat-viewer", URL)
    rows, audit = plan_rows(api), api.counts()["audit"]
    bad = TEXT.replace("at_least: 1", "at_least: often")
    response = api.client.post(
        URL, content=bad.encode(), headers={**YAML, **api.headers("nat-admin")}
    )
    assert_field_problem(response, 422, "exercises.at_least", "whole-number")
    line = next(n for n, text in enumerate(bad.splitlines(), 1) if "at_least: often" in text)
    assert f"line {line}" in response.json()["detail"]
    assert (plan_rows(api), api.counts()["audit"]) == (rows, audit)
    wrong = api.post("nat-admin", URL, json={"text": TEXT})
    assert_field_problem(wrong, 422, "yaml", "plan-import-json")


def test_only_the_owners_administrators_import(api: Api) -> None:
    api.get("nat-viewer", URL)
    rows, audit = plan_rows(api), api.counts()["audit"]
    as_energy = api.client.post(
        URL, content=TEXT.encode(), headers={**YAML, **api.headers("energy-admin")}
    )
    assert_problem(as_energy, 403, rule="out-of-scope")
    as_viewer = api.client.post(
        URL, content=TEXT.encode(), headers={**YAML, **api.headers("nat-viewer")}
    )
    assert_problem(as_viewer, 403, rule="no-grant")
    sector = api.client.post(
        URL, content=energy_plan().encode(), headers={**YAML, **api.headers("nat-admin")}
    )
    assert_problem(sector, 403, rule="plans-managed-by-owner")
    assert (plan_rows(api), api.counts()["audit"]) == (rows, audit)
    own = api.client.post(
        URL, content=energy_plan().encode(), headers={**YAML, **api.headers("energy-admin")}
    )
    assert own.status_code == 201, own.text
    assert api.get("sz-staff", f"{URL}/energy").status_code == 200
    refused = api.get("bank-staff", f"{URL}/energy")
    assert_problem(refused, 403, rule="plans-that-bind-the-operator")
    assert "energy" not in {p["name"] for p in api.get("bank-staff", URL).json()}


def test_classify_gives_the_same_answer_as_the_cli(api: Api) -> None:
    report = {
        "operator_type": "other",
        "discovered_at": "2026-03-01T08:00:00+08:00",
        "pi_records_citizens": 12_000_000,
    }
    response = api.post("sz-staff", f"{URL}/national/classify", json=report)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["level"], body["level_name"]) == ("II", "Major")
    assert body["reasons"][0]["input"] == "pi_records_citizens"
    assert [(d["kind"], d["due_at"]) for d in body["deadlines"]] == [
        ("first_report", "2026-03-01T04:00:00+00:00"),
        ("escalation", "2026-03-01T05:00:00+00:00"),
        ("final_report", None),
    ]
    bad = api.post("sz-staff", f"{URL}/national/classify", json={"people_affected": "many"})
    assert_field_problem(bad, 422, "people_affected", "number")
    assert_problem(api.post("sz-staff", f"{URL}/nowhere/classify", json={}), 404)
    anonymous = api.client.post(f"{URL}/national/classify", json=report)
    assert anonymous.status_code == 401
