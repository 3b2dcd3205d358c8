"""Hunting: read-only SQL over the event archive with DuckDB, within the hunter's visibility.

A query sees one table, ``events``: the archive's columns (see ``archive.EVENT_SCHEMA``) for
the requested time range only (at most ``FENGHUO_HUNT_MAX_DAYS``), and only rows whose owner
organisation the hunter may see (events no asset claims only for those who see everything).
``events`` is an Arrow dataset handed to DuckDB from Python with those filters built in, so
the user's SQL cannot widen them. DuckDB itself is then shut off from the outside world
before the query runs: external access off (no file, no ``COPY``, ``ATTACH``, ``INSTALL``),
no Python variable lookups, the configuration locked; one thread, a memory limit, a timer
that interrupts the query, and at most ``max_rows`` rows.

Reading raw events (user names, command lines) of other organisations is sensitive, so every
query that ran is an audit record (who, what SQL, which range, how many rows): the audit
trail is tamper-evident and read by the leaders, where a log line is neither. Queries refused
before they ran read nothing and are not recorded.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds
from sqlalchemy.orm import Session

from fenghuo.accounts import service as accounts_service
from fenghuo.audit import service as audit_service
from fenghuo.authority import Actor, require, visibility
from fenghuo.errors import Invalid
from fenghuo.monitoring.archive import EVENT_SCHEMA, events_root
from fenghuo.settings import Settings

HUNT = "monitoring.events.hunt"
DEFAULT_ROWS = 1000
MAX_SQL = 20_000
_AUDITED_SQL = 10_000


@dataclass(frozen=True)
class HuntScope:
    """Whose events a query sees: these organisations, or (``None``) every event."""

    org_ids: frozenset[str] | None


@dataclass(frozen=True)
class HuntResult:
    """A query's answer: column names, rows (JSON-ready values), whether rows were cut."""

    columns: list[str]
    rows: list[list[Any]]
    truncated: bool
    elapsed_ms: int
    files_scanned: int


def scope_for(*, session: Session, actor: Actor) -> HuntScope:
    """The hunting scope of ``actor``: the organisations within its visibility for hunting."""
    ids = accounts_service.visible_org_ids(session=session, scope=visibility(actor, HUNT))
    return HuntScope(None if ids is None else frozenset(ids))


def check_range(settings: Settings, since: dt.datetime, until: dt.datetime) -> None:
    """``since`` before ``until``, both aware, at most ``hunt_max_days`` apart."""
    if since.tzinfo is None or until.tzinfo is None:
        raise Invalid("give times with a zone (ISO 8601)", field="since", rule="aware-time")
    if until <= since:
        raise Invalid("until must be after since", field="until", rule="hunt-range")
    if until - since > dt.timedelta(days=settings.hunt_max_days):
        raise Invalid(
            f"a query covers at most {settings.hunt_max_days} days",
            field="until",
            rule="hunt-range",
        )


def check_sql(sql: str) -> str:
    """The one SELECT statement in ``sql`` (DuckDB's own parser decides); ``Invalid`` else."""
    if not sql.strip():
        raise Invalid("write a SELECT statement", field="sql", rule="required")
    if len(sql) > MAX_SQL:
        raise Invalid(f"at most {MAX_SQL} characters", field="sql", rule="sql-length")
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        raise Invalid(str(exc), field="sql", rule="sql-syntax") from None
    if len(statements) != 1:
        raise Invalid(
            f"exactly one statement, not {len(statements)}", field="sql", rule="one-statement"
        )
    if statements[0].type != duckdb.StatementType.SELECT:
        kind = statements[0].type.name
        raise Invalid(f"only SELECT may run, not {kind}", field="sql", rule="select-only")
    return sql


def archive_files(settings: Settings, since: dt.datetime, until: dt.datetime) -> list[Path]:
    """The archive's Parquet files of the UTC days from ``since`` up to (not at) ``until``."""
    root = events_root(settings.data_dir)
    files: list[Path] = []
    day = since.astimezone(dt.UTC).date()
    last = (until - dt.timedelta(microseconds=1)).astimezone(dt.UTC).date()  # until is exclusive
    while day <= last:
        folder = root / f"day={day.isoformat()}"
        if folder.is_dir():  # names starting with a dot are files still being written
            files += sorted(p for p in folder.glob("*.parquet") if not p.name.startswith("."))
        day += dt.timedelta(days=1)
    return files


def _events(
    files: Sequence[Path], scope: HuntScope, since: dt.datetime, until: dt.datetime
) -> ds.Dataset:
    """The files as one dataset whose every scan keeps only the range and the scope."""
    if files:
        dataset = ds.dataset([str(p) for p in files], format="parquet", schema=EVENT_SCHEMA)
    else:
        dataset = ds.dataset(EVENT_SCHEMA.empty_table())
    stamp = EVENT_SCHEMA.field("time").type
    where = (ds.field("time") >= pa.scalar(since, type=stamp)) & (
        ds.field("time") < pa.scalar(until, type=stamp)
    )
    if scope.org_ids is not None:
        where &= ds.field("owner_org_id").isin(sorted(scope.org_ids))
    return dataset.filter(where)


def _connect(settings: Settings, events: ds.Dataset) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(
        ":memory:",
        config={
            "threads": 1,
            "memory_limit": f"{settings.hunt_memory_mb}MB",
            "temp_directory": "",  # nothing spills to disk
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            # A table name never resolves to a Python variable of the caller.
            "python_enable_replacements": False,
        },
    )
    con.register("events", events)
    # From here on DuckDB reaches no file, network or extension, and nobody can undo it.
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    return con


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def run(
    settings: Settings,
    scope: HuntScope,
    sql: str,
    *,
    since: dt.datetime,
    until: dt.datetime,
    max_rows: int = DEFAULT_ROWS,
    timeout_s: float | None = None,
) -> HuntResult:
    """Run one read-only query over ``events`` (the range, within ``scope``); ``Invalid`` else."""
    check_range(settings, since, until)
    check_sql(sql)
    if not 1 <= max_rows <= settings.hunt_max_rows:
        raise Invalid(f"from 1 to {settings.hunt_max_rows}", field="max_rows", rule="hunt-max-rows")
    timeout = timeout_s if timeout_s is not None else settings.hunt_timeout_seconds
    files = archive_files(settings, since, until)
    started = time.monotonic()
    con = _connect(settings, _events(files, scope, since, until))
    timer = threading.Timer(timeout, con.interrupt)
    timer.start()
    try:
        cursor = con.execute(sql)
        columns = [d[0] for d in cursor.description or []]
        fetched = cursor.fetchmany(max_rows + 1)
    except duckdb.InterruptException:
        raise Invalid(
            f"the query ran longer than {timeout:g} s and was stopped",
            field="sql",
            rule="hunt-timeout",
        ) from None
    except duckdb.Error as exc:
        raise Invalid(str(exc), field="sql", rule="sql-error") from None
    finally:
        timer.cancel()
        con.close()
    rows = [[_jsonable(v) for v in row] for row in fetched[:max_rows]]
    elapsed = int((time.monotonic() - started) * 1000)
    return HuntResult(columns, rows, len(fetched) > max_rows, elapsed, len(files))


def hunt(
    *,
    session: Session,
    actor: Actor,
    settings: Settings,
    sql: str,
    since: dt.datetime,
    until: dt.datetime,
    max_rows: int = DEFAULT_ROWS,
) -> HuntResult:
    """Authorise, run within the actor's visibility, and audit a hunting query (caller commits)."""
    decision = require(actor, HUNT)
    scope = scope_for(session=session, actor=actor)
    result = run(settings, scope, sql, since=since, until=until, max_rows=max_rows)
    audit_service.record(
        session=session,
        actor=actor,
        action=HUNT,
        target_type="event_archive",
        target_id=None,
        target_org_id=actor.org.id if actor.org else None,
        decision=decision,
        details={
            "sql": sql[:_AUDITED_SQL],
            "since": since.isoformat(),
            "until": until.isoformat(),
            "rows": len(result.rows),
            "truncated": result.truncated,
            "files_scanned": result.files_scanned,
            "scope": "all" if scope.org_ids is None else f"{len(scope.org_ids)} organisations",
        },
        summary=f"hunting query over {since:%Y-%m-%d %H:%M} to {until:%Y-%m-%d %H:%M}: "
        f"{len(result.rows)} rows",
    )
    return result
