"""``POST /api/v1/hunt``: read-only SQL over the archive, scoped by visibility, audited."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from fenghuo.audit.models import AuditRecord
from fenghuo.monitoring import archive
from tests.api.conftest import Api, assert_field_problem, assert_problem
from tests.monitoring.test_hunting import DAY1, _event

URL = "/api/v1/hunt"
RANGE = {"since": DAY1.isoformat(), "until": (DAY1 + timedelta(days=1)).isoformat()}
ORGS_SQL = "SELECT DISTINCT owner_org_name FROM events ORDER BY 1"


def _stock(api: Api) -> None:
    """Three events of three operators, written once per module's world."""
    root = archive.events_root(api.platform.settings.data_dir)
    if (root / f"day={DAY1:%Y-%m-%d}" / "api-hunt.parquet").exists():
        return
    world = api.world
    owners = (world.energy_op_gd, world.finance_op_sh, world.energy_op_sh)
    events = [
        _event(n, at=DAY1 + timedelta(hours=n), org=org.id, name=org.name_en)
        for n, org in enumerate(owners, 1)
    ]
    archive.write_batch(root, "api-hunt", events)


def _names(api: Api, username: str) -> list[str]:
    response = api.post(username, URL, json={"sql": ORGS_SQL, **RANGE})
    assert response.status_code == 200, response.text
    return [row[0] for row in response.json()["rows"]]


def test_each_hunter_sees_the_events_of_their_visibility(api: Api) -> None:
    _stock(api)
    world = api.world
    everything = sorted(
        o.name_en for o in (world.energy_op_gd, world.finance_op_sh, world.energy_op_sh)
    )
    assert _names(api, "nat-admin") == everything
    assert _names(api, "gd-admin") == [world.energy_op_gd.name_en]  # the province (44…)
    assert _names(api, "energy-admin") == sorted(
        o.name_en for o in (world.energy_op_gd, world.energy_op_sh)
    )
    assert _names(api, "sz-staff") == [world.energy_op_gd.name_en]  # its own organisation


def test_an_answer_is_limited_and_the_query_audited(api: Api) -> None:
    _stock(api)
    before = api.counts()["audit"]
    sql = "SELECT time, host, process_image FROM events ORDER BY time"
    response = api.post("nat-admin", URL, json={"sql": sql, "max_rows": 2, **RANGE})
    body = response.json()
    assert (body["columns"], len(body["rows"]), body["truncated"]) == (
        ["time", "host", "process_image"],
        2,
        True,
    )
    assert body["files_scanned"] == 1 and body["elapsed_ms"] >= 0
    assert api.counts()["audit"] == before + 1
    with api.platform.transaction() as session:
        record = session.scalars(select(AuditRecord).order_by(AuditRecord.seq.desc())).first()
        assert record is not None
        assert (record.action, record.actor_label, record.details["sql"]) == (
            "monitoring.events.hunt",
            "nat-admin",
            sql,
        )


def test_bad_queries_are_refused_naming_the_rule(api: Api) -> None:
    before = api.counts()["audit"]
    assert_field_problem(
        api.post("nat-admin", URL, json={"sql": "DROP TABLE events", **RANGE}),
        422,
        "sql",
        "select-only",
    )
    assert_field_problem(
        api.post("nat-admin", URL, json={"sql": "SELECT * FROM read_csv('/etc/passwd')", **RANGE}),
        422,
        "sql",
        "sql-error",
    )
    too_long = {"since": RANGE["since"], "until": (DAY1 + timedelta(days=30)).isoformat()}
    assert_field_problem(
        api.post("nat-admin", URL, json={"sql": "SELECT 1", **too_long}), 422, "until", "hunt-range"
    )
    assert_problem(api.post("nat-viewer", URL, json={"sql": "SELECT 1", **RANGE}), 403)
    assert api.counts()["audit"] == before
