"""Hunting: read-only SQL over the archive, within the range, the scope and the limits."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from fenghuo import clock
from fenghuo.accounts import credentials
from fenghuo.audit.models import AuditRecord
from fenghuo.authority import Actor, Policy
from fenghuo.errors import Invalid, Refused
from fenghuo.monitoring import archive, hunting, pipeline
from fenghuo.monitoring.hunting import HuntScope
from fenghuo.monitoring.schema import NormalisedEvent, Owner
from fenghuo.settings import Settings
from tests.factories.accounts import World, make_user, make_world

DAY1 = datetime(2026, 3, 1, tzinfo=UTC)
EVERYONE = HuntScope(None)


def _event(
    n: int, *, at: datetime, org: str | None, name: str | None = None, host: str = "ws1"
) -> NormalisedEvent:
    line = orjson.dumps(
        {
            "Channel": "Security",
            "EventID": 4688,
            "Computer": host,
            "EventTime": at.strftime("%Y-%m-%d %H:%M:%S"),
            "NewProcessName": f"C:\\tool{n}.exe",
            "SubjectUserName": "li",
        }
    )
    result = pipeline.run(
        pipeline.split_lines(line), source="s", declared="auto", received_at=clock.now()
    )
    (event,) = result.events
    return dataclasses.replace(event, owner=Owner(org_id=org, org_name=name or org))


def _archive(settings: Settings, batch: str, events: list[NormalisedEvent]) -> None:
    archive.write_batch(archive.events_root(settings.data_dir), batch, events)


@pytest.fixture
def stocked(settings: Settings) -> Settings:
    """Two days of events: org a (3), org b (2), unowned (1); and one on the third day."""
    _archive(
        settings,
        "b1",
        [
            _event(1, at=DAY1 + timedelta(hours=1), org="a"),
            _event(2, at=DAY1 + timedelta(hours=2), org="a"),
            _event(3, at=DAY1 + timedelta(hours=3), org="b"),
            _event(4, at=DAY1 + timedelta(hours=4), org=None),
            _event(5, at=DAY1 + timedelta(days=1, hours=1), org="a"),
            _event(6, at=DAY1 + timedelta(days=1, hours=2), org="b"),
            _event(7, at=DAY1 + timedelta(days=2, hours=1), org="a"),
        ],
    )
    return settings


def _run(settings: Settings, sql: str, scope: HuntScope = EVERYONE, **kwargs: object) -> object:
    options: dict[str, object] = {"since": DAY1, "until": DAY1 + timedelta(days=2)}
    options.update(kwargs)
    return hunting.run(settings, scope, sql, **options)  # type: ignore[arg-type]


def test_a_query_sees_the_range_and_only_the_scope(stocked: Settings) -> None:
    everyone = hunting.run(
        stocked,
        EVERYONE,
        "SELECT owner_org_id, count(*) AS n FROM events GROUP BY ALL ORDER BY ALL",
        since=DAY1,
        until=DAY1 + timedelta(days=2),
    )
    assert everyone.columns == ["owner_org_id", "n"]
    assert everyone.rows == [["a", 3], ["b", 2], [None, 1]]
    assert everyone.files_scanned == 2 and not everyone.truncated
    only_a = hunting.run(
        stocked,
        HuntScope(frozenset({"a"})),
        "SELECT owner_org_id, count(*) FROM events WHERE owner_org_id <> 'a' OR true GROUP BY 1",
        since=DAY1,
        until=DAY1 + timedelta(days=2),
    )
    assert only_a.rows == [["a", 3]]


def test_rows_beyond_the_limit_are_cut_and_said_so(stocked: Settings) -> None:
    result = hunting.run(
        stocked,
        EVERYONE,
        "SELECT time, process_image FROM events ORDER BY time",
        since=DAY1,
        until=DAY1 + timedelta(days=2),
        max_rows=2,
    )
    assert result.truncated and len(result.rows) == 2
    assert result.rows[0] == ["2026-03-01T01:00:00+00:00", "C:\\tool1.exe"]


def test_an_empty_range_still_has_the_events_table(settings: Settings) -> None:
    result = hunting.run(
        settings,
        EVERYONE,
        "SELECT count(*) AS n FROM events",
        since=DAY1,
        until=DAY1 + timedelta(hours=1),
    )
    assert (result.rows, result.files_scanned) == ([[0]], 0)


@pytest.mark.parametrize(
    ("sql", "rule"),
    [
        ("SELECT 1; SELECT 2", "one-statement"),
        ("DELETE FROM events", "select-only"),
        ("COPY (SELECT 1) TO '/tmp/fenghuo-hunt-out.csv'", "select-only"),
        ("ATTACH '/tmp/fenghuo-hunt.db'", "select-only"),
        ("INSTALL httpfs", "select-only"),
        ("SET enable_external_access = true", "select-only"),
        ("PRAGMA version", "select-only"),
        ("SELEC 1", "sql-syntax"),
        ("  ", "required"),
    ],
)
def test_only_one_select_may_run(stocked: Settings, sql: str, rule: str) -> None:
    with pytest.raises(Invalid) as refused:
        _run(stocked, sql)
    assert (refused.value.field, refused.value.rule) == ("sql", rule)
    assert not Path("/tmp/fenghuo-hunt-out.csv").exists()


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM read_text('/etc/hostname')",
        "SELECT * FROM glob('/*')",
        "SELECT * FROM read_parquet('{archive}/*/*.parquet')",
        "SELECT * FROM query('COPY (SELECT 1) TO ''/tmp/fenghuo-hunt-out.csv''')",
        "SELECT * FROM query('ATTACH ''/tmp/fenghuo-hunt.db''')",
        "SELECT * FROM stocked",  # a Python variable of the caller
    ],
)
def test_nothing_outside_the_events_table_is_reachable(stocked: Settings, sql: str) -> None:
    root = archive.events_root(stocked.data_dir)
    with pytest.raises(Invalid) as refused:
        _run(stocked, sql.replace("{archive}", str(root)), HuntScope(frozenset({"a"})))
    assert (refused.value.field, refused.value.rule) == ("sql", "sql-error")
    assert not Path("/tmp/fenghuo-hunt-out.csv").exists()
    assert not Path("/tmp/fenghuo-hunt.db").exists()


def test_a_long_query_is_interrupted(stocked: Settings) -> None:
    with pytest.raises(Invalid) as stopped:
        _run(stocked, "SELECT count(*) FROM range(1000000000000) a", timeout_s=0.3)
    assert stopped.value.rule == "hunt-timeout"
    assert "0.3 s" in stopped.value.message


def test_a_query_over_the_memory_limit_fails_cleanly(settings: Settings) -> None:
    limited = settings.model_copy(update={"hunt_memory_mb": 64})
    with pytest.raises(Invalid) as failed:
        _run(limited, "SELECT string_agg(repeat('x', 1000), ',') FROM range(1000000)")
    assert failed.value.rule == "sql-error" and "memory" in failed.value.message.lower()


@pytest.mark.parametrize(
    ("since", "until", "field"),
    [
        (DAY1, DAY1, "until"),
        (DAY1, DAY1 + timedelta(days=8), "until"),
        (DAY1.replace(tzinfo=None), DAY1 + timedelta(days=1), "since"),
    ],
)
def test_the_range_is_checked(
    settings: Settings, since: datetime, until: datetime, field: str
) -> None:
    with pytest.raises(Invalid) as refused:
        hunting.run(settings, EVERYONE, "SELECT 1", since=since, until=until)
    assert refused.value.field == field


def test_max_rows_is_bounded_by_the_setting(settings: Settings) -> None:
    with pytest.raises(Invalid) as refused:
        _run(settings, "SELECT 1", max_rows=settings.hunt_max_rows + 1)
    assert (refused.value.field, refused.value.rule) == ("max_rows", "hunt-max-rows")


# --- The flow: authority, visibility, audit (SQLite and PostgreSQL) ---------------------------


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


def _actor(session: Session, policy: Policy, world: World, org: str, role: str) -> Actor:
    user = make_user(session, org=getattr(world, org), username=f"h-{org}-{role}", roles=[role])
    return credentials.actor_for(user, policy)


def _stock_world(settings: Settings, world: World) -> None:
    _archive(
        settings,
        "w1",
        [
            _event(1, at=DAY1 + timedelta(hours=1), org=world.energy_op_gd.id),
            _event(2, at=DAY1 + timedelta(hours=2), org=world.finance_op_sh.id),
            _event(3, at=DAY1 + timedelta(hours=3), org=world.energy_op_sh.id),
            _event(4, at=DAY1 + timedelta(hours=4), org=None),
        ],
    )


@pytest.mark.parametrize(
    ("org", "role", "seen"),
    [
        ("national", "analyst", {"energy_op_gd", "finance_op_sh", "energy_op_sh", None}),
        ("energy_dept", "duty_officer", {"energy_op_gd", "energy_op_sh"}),
        ("guangdong", "analyst", {"energy_op_gd"}),
        ("finance_op_sh", "operator_staff", {"finance_op_sh"}),
    ],
)
def test_hunters_see_only_their_visibility_and_are_audited(
    session: Session,
    policy: Policy,
    settings: Settings,
    world: World,
    org: str,
    role: str,
    seen: set[str | None],
) -> None:
    _stock_world(settings, world)
    actor = _actor(session, policy, world, org, role)
    sql = "SELECT DISTINCT owner_org_id FROM events"
    result = hunting.hunt(
        session=session,
        actor=actor,
        settings=settings,
        sql=sql,
        since=DAY1,
        until=DAY1 + timedelta(days=1),
    )
    names = {v.id: k for k, v in vars(world).items()}
    assert {names.get(row[0]) for row in result.rows} == seen
    record = session.scalars(select(AuditRecord).order_by(AuditRecord.seq.desc())).first()
    assert record is not None
    assert (record.action, record.actor_user_id) == (hunting.HUNT, actor.user_id)
    assert record.details["sql"] == sql and record.details["rows"] == len(seen)


def test_viewers_may_not_hunt(
    session: Session, policy: Policy, world: World, settings: Settings
) -> None:
    actor = _actor(session, policy, world, "national", "viewer")
    with pytest.raises(Refused) as refused:
        hunting.hunt(
            session=session,
            actor=actor,
            settings=settings,
            sql="SELECT 1",
            since=DAY1,
            until=DAY1 + timedelta(days=1),
        )
    assert refused.value.rule == "no-grant"
