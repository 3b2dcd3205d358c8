"""Benchmark: a detection surge to the duty officer's recommendation; a warning to 10,000.

Reproduce:
  .venv/bin/python bench/warn.py surge   [--operators 500] [--hot-cell-operators N]
                                         [--database-url URL] [--profile]
  .venv/bin/python bench/warn.py publish [--orgs 10000]    [--database-url URL] [--profile]

``surge``: a demo-like tree (the national coordinator, a department per sector, provincial
departments, ``--operators`` operators across sectors and provinces) on a fresh database, a
quiet week of detections, two incidents of one Guangdong energy operator, the national plan;
the embedded risk worker on the in-process bus and the notification worker delivering. A
batch of that operator's events goes through ingest and the detection flow (starter rules);
timed from the detection batch's commit: the outbox relay publishes
``detection.detections.created``, the risk worker refreshes, the recommendation reaches
the inbox of the Guangdong provincial department's duty officer (polled through
``notification.flows.inbox`` as that officer).

``publish``: ``--orgs`` energy operators in Guangdong (440300), each with a webhook on the
local receiver of bench/notify.py; an orange warning for energy x 440000 drafted and
submitted by the Guangdong duty officer and approved by its approver (the plan's
``warning_issuers``), then, timed: published by the approver and committed; the relay and
the notification worker deliver; until the receiver has counted every valid signed webhook
and the database shows every webhook delivery delivered.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from _common import counts, free_port, load_average, profiled, receiver, webhook_rows

# Ten provinces (GB/T 2260) and a city of each: operators sit in the province or the city.
PROVINCES = {
    "440000": "440300",
    "330000": "330100",
    "510000": "510100",
    "110000": "110105",
    "310000": "310115",
    "320000": "320100",
    "370000": "370200",
    "420000": "420100",
    "430000": "430100",
    "500000": "500103",
}
HOT_SECTOR, HOT_PROVINCE, HOT_CITY = "energy", "440000", "440300"
RELAY_INTERVAL_SECONDS = 0.5  # fenghuo.api.app's, the embedded server's relay
LEVELS = ("informational", "low", "low", "medium", "medium", "medium", "high")
SYSMON = "Microsoft-Windows-Sysmon/Operational"


@dataclass
class Bench:
    """The platform and the people a timed part acts as."""

    platform: Any
    people: dict[str, Any] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)


def _user(session: Any, platform: Any, org_id: str, username: str, role: str) -> Any:
    from fenghuo.accounts import credentials
    from fenghuo.accounts.models import User, UserRole

    user = User(
        org_id=org_id,
        username=username,
        display_name=username,
        password_hash="!",
        role_rows=[UserRole(role=role)],
    )
    session.add(user)
    session.flush()
    return credentials.actor_for(user, platform.policy)


def _org(session: Any, parent: Any, **fields: Any) -> Any:
    from fenghuo.accounts import service as accounts_service

    return accounts_service.create_org(session=session, parent=parent, fields=fields)


def _operator_rows(parent: Any, n: int, sector: str, region: str, cii: bool) -> dict[str, Any]:
    from fenghuo.store import new_id

    org_id = new_id()
    return {
        "id": org_id,
        "parent_id": parent.id,
        "path": f"{parent.path}{org_id}/",
        "kind": "network_operator",
        "name_zh": f"运营者{n}",
        "name_en": f"Operator {n}",
        "sector_code": sector,
        "region_code": region,
        "is_cii": cii,
        "is_active": True,
    }


def build_authorities(session: Any, bench: Bench, provinces: list[str]) -> dict[str, Any]:
    """The coordinator, a department per sector and per province, with their people."""
    from fenghuo.accounts import policy as accounts_policy

    platform = bench.platform
    national = _org(session, None, kind="national_coordinator", name_zh="国家", name_en="CAC")
    bench.people["duty"] = _user(session, platform, national.id, "duty", "duty_officer")
    orgs: dict[str, Any] = {"national": national}
    for sector in sorted(accounts_policy.sectors()):
        orgs[sector] = _org(
            session,
            national,
            kind="sector_department",
            sector_code=sector,
            name_zh=f"{sector}主管部门",
            name_en=f"{sector} department",
        )
    for province in provinces:
        orgs[province] = _org(
            session,
            national,
            kind="provincial_department",
            region_code=province,
            name_zh=f"{province}网信办",
            name_en=f"Cyberspace office {province}",
        )
        duty = _user(session, platform, orgs[province].id, f"duty.{province}", "duty_officer")
        bench.people[f"duty.{province}"] = duty
    hot = orgs[HOT_PROVINCE].id
    bench.people["gd.leader"] = _user(session, platform, hot, "gd.leader", "approver")
    bench.ids.update({key: org.id for key, org in orgs.items()})
    return orgs


# --- surge -> recommendation ------------------------------------------------------------


def _detection_row(org: dict[str, Any], at: datetime, level: str, n: int) -> dict[str, Any]:
    from fenghuo.store import new_id

    return {
        "id": new_id(),
        "rule_id": f"bench-rule-{n % 7}",
        "rule_title": "Bench baseline rule",
        "rule_author": "bench",
        "level": level,
        "tags": [],
        "status": "new",
        "event_id": new_id(),
        "event_time": at,
        "window_start": at.replace(minute=0, second=0, microsecond=0),
        "host": "ws1",
        "source": "bench",
        "batch_id": "baseline",
        "owner_org_id": org["id"],
        "owner_org_name": org["name_en"],
        "owner_sector": org["sector_code"],
        "owner_region": org["region_code"],
        "owner_is_cii": org["is_cii"],
        "excerpt": {},
        "created_at": at,
    }


def quiet_week(session: Any, operators: list[dict[str, Any]], per_day: float, seed: int) -> int:
    """Detections at random times over the last 7 days, about ``per_day`` per operator."""
    from fenghuo import clock
    from fenghuo.detection import service as detection_service

    rng = random.Random(seed)
    now = clock.now()
    rows = []
    for org in operators:
        for n in range(int(rng.expovariate(1 / (per_day * 7)) + 0.5)):
            at = now - timedelta(seconds=rng.uniform(3600, 7 * 86400))
            rows.append(_detection_row(org, at, rng.choice(LEVELS), n))
    for start in range(0, len(rows), 5000):
        detection_service.insert_ignoring_duplicates(session, rows[start : start + 5000])
    return len(rows)


def _incidents(session: Any, staff: Any, count: int, age_days: float) -> list[str]:
    """``count`` first reports of the hot operator: a 45-minute main-function outage
    ``age_days`` ago (level III), then incidents not graded yet, a day ago."""
    from fenghuo import clock
    from fenghuo.incidents import flows as incident_flows
    from fenghuo.incidents.schemas import IncidentCreate

    levels = []
    for n in range(count):
        discovered = clock.now() - timedelta(days=age_days if n == 0 else 1, hours=n)
        incident = incident_flows.report_incident(
            session=session,
            actor=staff,
            incident_in=IncidentCreate.model_validate(
                {
                    "title": f"可疑登录与横向移动 {n} / Suspicious logons and lateral movement {n}",
                    "reporting_unit": "Operator 0",
                    "facility": "调度自动化系统 / SCADA",
                    "discovered_at": discovered,
                    "place": "广东省深圳市",
                    "category": "network_attack",
                    "impact": {"outage_mainfn_min": 45} if n == 0 else {},
                    "measures_taken": "已隔离主机，重置账户。",
                }
            ),
        )
        levels.append(incident.final_level or "unclassified")
    return levels


def _sysmon_lines(count: int, host: str) -> list[tuple[int, bytes]]:
    """Sysmon process creations of encoded PowerShell, in the last minutes."""
    from fenghuo import clock

    now = clock.now()
    lines = []
    for n in range(count):
        at = (now - timedelta(seconds=count - n)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        event = {
            "Event": {
                "System": {
                    "Provider": {"#attributes": {"Name": "Microsoft-Windows-Sysmon"}},
                    "EventID": 1,
                    "TimeCreated": {"#attributes": {"SystemTime": at}},
                    "EventRecordID": n,
                    "Channel": SYSMON,
                    "Computer": host,
                },
                "EventData": {
                    "Image": "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
                    "CommandLine": f"powershell.exe -nop -enc SQBFAFgA{n}",
                    "User": "CORP\\svc",
                    "ParentImage": "C:\\Windows\\explorer.exe",
                },
            }
        }
        lines.append((n + 1, json.dumps(event).encode()))
    return lines


def setup_surge(settings: Any, args: argparse.Namespace, url: str, secrets_file: Path) -> Bench:
    """The world, a quiet week, two incidents, the plan, webhooks of the authorities; untimed."""
    from sqlalchemy import insert

    from fenghuo.accounts import policy as accounts_policy
    from fenghuo.accounts.models import Organisation
    from fenghuo.monitoring import flows as monitoring_flows
    from fenghuo.monitoring.models import Asset
    from fenghuo.monitoring.schemas import SourceCreate
    from fenghuo.notification.models import NotificationEndpoint
    from fenghuo.plans import service as plans_service
    from fenghuo.platform import Platform
    from fenghuo.store.migrations import upgrade

    platform = Platform.build(settings)
    upgrade(platform.engine)
    bench = Bench(platform)
    system = platform.system_actor("bench")
    sectors = sorted(accounts_policy.sectors())
    provinces = list(PROVINCES)
    with platform.transaction() as session:
        orgs = build_authorities(session, bench, provinces)
        plans_service.ensure_default_plan(session, actor=system)
        rows = []
        in_hot_cell = 0
        for n in range(args.operators):
            sector = sectors[n % len(sectors)]
            province = provinces[(n // len(sectors)) % len(provinces)]
            region = province if n % 3 else PROVINCES[province]
            if n == 0:
                sector, region = HOT_SECTOR, HOT_CITY
            if (sector, province) == (HOT_SECTOR, HOT_PROVINCE):
                in_hot_cell += 1
                if args.hot_cell_operators and in_hot_cell > args.hot_cell_operators:
                    sector = sectors[(sectors.index(sector) + 1) % len(sectors)]  # next sector
            rows.append(_operator_rows(orgs[sector], n, sector, region, cii=n % 4 == 0))
        session.execute(insert(Organisation), rows)
        hot = rows[0]
        bench.ids["hot_operator"] = hot["id"]
        baseline = quiet_week(session, rows, args.baseline_per_day, args.seed)
        session.add(Asset(org_id=hot["id"], kind="host", value="ws1"))
        source_in = SourceCreate(name="hot-op-shipper", kind="shipper", owner_org_id=hot["id"])
        source, _ = monitoring_flows.create_source(
            session=session, actor=system, source_in=source_in
        )
        bench.ids["source"] = source.id
        staff = _user(session, platform, hot["id"], "op.hot", "operator_staff")
        levels = _incidents(session, staff, args.incidents, args.incident_age_days)
        # The competent authorities of the hot cell (and the coordinator) take webhooks.
        known: dict[str, str] = {}
        targets = [orgs[HOT_PROVINCE].id, orgs[HOT_SECTOR].id, orgs["national"].id]
        key = settings.resolved_secret_key()
        session.execute(
            insert(NotificationEndpoint),
            webhook_rows(targets, url=url, server_key=key, known=known),
        )
    secrets_file.write_text(json.dumps(known))
    print(
        f"world: {len(rows)} operators in {len(sectors)} sectors x {len(provinces)} provinces, "
        f"{baseline} baseline detections over 7 days, incidents of the hot operator: {levels}"
    )
    return bench


def _recommendation_in_inbox(bench: Bench) -> tuple[str, float, str] | None:
    """Colour, score and notification id of the recommendation in the duty officer's inbox."""
    from fenghuo.notification import flows as notification_flows
    from fenghuo.risk import service as risk_service

    officer = bench.people[f"duty.{HOT_PROVINCE}"]
    with bench.platform.session_factory() as session:
        items, _ = notification_flows.inbox(session, officer, limit=20)
        for item in items:
            if item.notification.ref_type == "risk_recommendation" and item.notification.ref_id:
                rec = risk_service.get_recommendation(session, officer, item.notification.ref_id)
                return rec.colour, rec.score, item.notification.id
    return None


def _hot_cell(bench: Bench) -> Any:
    from fenghuo.risk import service as risk_service

    actor = bench.people[f"duty.{HOT_PROVINCE}"]
    with bench.platform.session_factory() as session:
        cells = risk_service.latest(session, actor, scope_kind="cell")
    return next(c for c in cells if (c.sector, c.region) == (HOT_SECTOR, HOT_PROVINCE))


def _detect(bench: Bench, lines: list[tuple[int, bytes]]) -> tuple[int, float]:
    """Ingest the surge batch (committed), then the detection flow; its detections, seconds."""
    from fenghuo.authority import Actor
    from fenghuo.detection import flows as detection_flows
    from fenghuo.detection import worker as detection_worker
    from fenghuo.monitoring import flows as monitoring_flows
    from fenghuo.monitoring.models import Source

    platform = bench.platform
    system = platform.system_actor("bench")
    with platform.transaction() as session:
        source = session.get(Source, bench.ids["source"])
        ingested = monitoring_flows.ingest_events(
            session=session,
            actor=system,
            settings=platform.settings,
            source=source,
            lines=lines,
            origin="bench surge",
        )
        batch_id = ingested.batch.id
    engine = detection_worker.load_engine()  # the packaged starter rules
    detector = Actor.system(platform.policy, label=detection_flows.ACTOR_LABEL)
    started = time.perf_counter()
    with platform.transaction() as session:
        processed = detection_flows.process_batch(
            session=session,
            actor=detector,
            settings=platform.settings,
            engine=engine,
            batch_id=batch_id,
        )
    return processed.detections, time.perf_counter() - started


async def _until(check: Callable[[], Any], interval: float, what: str, limit: float = 60) -> Any:
    deadline = time.monotonic() + limit
    while not (found := await asyncio.to_thread(check)):
        if time.monotonic() > deadline:
            raise SystemExit(f"gave up after {limit:.0f} s waiting for {what}")
        await asyncio.sleep(interval)
    return found


async def timed_surge(bench: Bench, args: argparse.Namespace, _url: str) -> dict[str, Any]:
    """Warm the risk picture, then time a surge from its detections' commit to the inbox."""
    from fenghuo.bus.relay import relay_once, run_relay
    from fenghuo.integrations import notify
    from fenghuo.risk import worker as risk_worker

    platform = bench.platform
    await platform.bus.connect()
    refresher = risk_worker.Refresher(platform.session_factory, platform.policy)
    await risk_worker.subscribe_risk(
        platform.bus, sessions=platform.session_factory, policy=platform.policy, refresher=refresher
    )
    notifier = await notify.start(
        platform.bus,
        sessions=platform.session_factory,
        settings=platform.settings,
        policy=platform.policy,
    )
    # The incidents' notices, then one more refresh: the picture before the surge.
    while await relay_once(platform.session_factory, platform.bus):
        pass
    await asyncio.sleep(0.05)
    await refresher.idle()
    refresher.request()
    await refresher.idle()
    figures: dict[str, Any] = {"warm refresh": refresher.last_seconds}
    before = await asyncio.to_thread(_hot_cell, bench)
    print(f"before the surge: hot cell score {before.score:.1f} ({before.colour})")
    if await asyncio.to_thread(_recommendation_in_inbox, bench):
        raise SystemExit(
            f"the quiet world already raised a recommendation (warm refresh "
            f"{refresher.last_seconds:.2f} s): raise --incident-age-days or lower --incidents"
        )
    lines = _sysmon_lines(args.surge, "ws1")
    detections, seconds = await asyncio.to_thread(_detect, bench, lines)
    figures["detection flow (before t0)"] = seconds
    committed = time.perf_counter()
    # Publish the notice at once (not timed on its own: on SQLite this pass then waits for
    # the refresh's write lock to mark the row published).
    await relay_once(platform.session_factory, platform.bus)
    stop = asyncio.Event()
    relay = asyncio.create_task(
        run_relay(
            platform.session_factory, platform.bus, interval=RELAY_INTERVAL_SECONDS, stop=stop
        )
    )
    found = await _until(lambda: _recommendation_in_inbox(bench), 0.02, "the recommendation")
    figures["recommendation in the inbox"] = time.perf_counter() - committed
    await _until(lambda: _delivered(bench, found[2]) >= 2, 0.02, "the webhooks")
    figures["its webhooks delivered (2)"] = time.perf_counter() - committed
    await refresher.idle()
    figures["refresh itself"] = refresher.last_seconds
    after = await asyncio.to_thread(_hot_cell, bench)
    stop.set()
    await relay
    await notifier.close()
    await platform.bus.close()
    figures["facts"] = (
        f"{detections} detections; hot cell {HOT_SECTOR} x {HOT_PROVINCE}: score "
        f"{before.score:.1f} ({before.colour}) -> {after.score:.1f} ({after.colour}, surge "
        f"{after.surge_flagged}); recommendation {found[0]} at score {found[1]:.1f}"
    )
    return figures


# --- publish to 10,000 -------------------------------------------------------------------


def setup_publish(settings: Any, args: argparse.Namespace, url: str, secrets_file: Path) -> Bench:
    """The authorities, ``--orgs`` operators of the hot cell with webhooks, a key; untimed."""
    from sqlalchemy import insert

    from fenghuo.accounts.models import Organisation
    from fenghuo.notification.models import NotificationEndpoint
    from fenghuo.plans import service as plans_service
    from fenghuo.platform import Platform
    from fenghuo.store.migrations import upgrade
    from fenghuo.warnings import rotation

    platform = Platform.build(settings)
    upgrade(platform.engine)
    bench = Bench(platform)
    system = platform.system_actor("bench")
    known: dict[str, str] = {}
    with platform.transaction() as session:
        orgs = build_authorities(session, bench, [HOT_PROVINCE])
        plans_service.ensure_default_plan(session, actor=system)
        rows = [
            _operator_rows(orgs[HOT_SECTOR], n, HOT_SECTOR, HOT_CITY, cii=n % 10 == 0)
            for n in range(args.orgs)
        ]
        session.execute(insert(Organisation), rows)
        endpoints = webhook_rows(
            [r["id"] for r in rows], url=url, server_key=settings.resolved_secret_key(), known=known
        )
        session.execute(insert(NotificationEndpoint), endpoints)
        # As `fenghuo warnings keygen`: the province signs with a key it already has.
        rotation.rotate_key(
            session=session, actor=system, settings=settings, org_id=orgs[HOT_PROVINCE].id
        )
    secrets_file.write_text(json.dumps(known))
    return bench


def approved_warning(bench: Bench) -> tuple[str, dict[str, float]]:
    """Draft and submit as the provincial duty officer, approve as its approver: each committed."""
    from fenghuo.warnings import flows as warning_flows
    from fenghuo.warnings.enums import Colour
    from fenghuo.warnings.schemas import WarningCreate

    platform, duty, leader = (
        bench.platform,
        bench.people[f"duty.{HOT_PROVINCE}"],
        bench.people["gd.leader"],
    )
    warning_in = WarningCreate(
        colour=Colour.orange,
        category="network_attack",
        title_zh="针对电力调度系统的定向攻击",
        title_en="Targeted attacks on power dispatch systems",
        description_zh="多家电力运营者检测到编码 PowerShell 命令与横向移动。",
        description_en="Several power operators detected encoded PowerShell and lateral movement.",
        measures_zh="排查告警主机，限制远程访问，每日报告。",
        measures_en="Examine the alerting hosts, restrict remote access, report daily.",
        sectors=[HOT_SECTOR],
        regions=[HOT_PROVINCE],
    )
    steps: dict[str, float] = {}
    started = time.perf_counter()
    with platform.transaction() as session:
        warning = warning_flows.draft_warning(session=session, actor=duty, warning_in=warning_in)
        warning_id = warning.id
    steps["draft"] = time.perf_counter() - started
    for name, flow, actor in (
        ("submit", warning_flows.submit_warning, duty),
        ("approve", warning_flows.approve_warning, leader),
    ):
        started = time.perf_counter()
        with platform.transaction() as session:
            flow(session=session, actor=actor, warning_id=warning_id)
        steps[name] = time.perf_counter() - started
    return warning_id, steps


def _delivered(bench: Bench, notification_id: str) -> int:
    from sqlalchemy import func, select

    from fenghuo.notification.models import NotificationDelivery

    with bench.platform.session_factory() as session:
        query = select(func.count(NotificationDelivery.id)).where(
            NotificationDelivery.notification_id == notification_id,
            NotificationDelivery.channel == "webhook",
            NotificationDelivery.state == "delivered",
        )
        return int(session.scalar(query) or 0)


async def timed_publish(bench: Bench, args: argparse.Namespace, url: str) -> dict[str, Any]:
    """Publish the approved warning; the seconds from its start to each milestone."""
    from fenghuo.bus.relay import relay_once
    from fenghuo.integrations import notify
    from fenghuo.warnings import flows as warning_flows

    platform = bench.platform
    warning_id, steps = await asyncio.to_thread(approved_warning, bench)
    await platform.bus.connect()
    notifier = await notify.start(
        platform.bus,
        sessions=platform.session_factory,
        settings=platform.settings,
        policy=platform.policy,
        sweep_seconds=3600,
        escalate_seconds=3600,
    )
    while await relay_once(platform.session_factory, platform.bus):
        pass  # the draft's, submission's and approval's notices
    figures: dict[str, Any] = {f"{k} (untimed)": v for k, v in steps.items()}
    started = time.perf_counter()

    def publish() -> str:
        with platform.transaction() as session:
            warning = warning_flows.publish_warning(
                session=session,
                actor=bench.people["gd.leader"],
                settings=platform.settings,
                warning_id=warning_id,
            )
            return str(warning.notification_ids[-1])

    notification_id = await asyncio.to_thread(publish)
    figures["publish committed"] = time.perf_counter() - started
    await relay_once(platform.session_factory, platform.bus)
    await _until(lambda: sum(counts(url).values()) >= args.orgs, 0.1, "the webhooks")
    figures["all webhooks received"] = time.perf_counter() - started
    await _until(lambda: _delivered(bench, notification_id) >= args.orgs, 0.05, "the deliveries")
    figures["all deliveries recorded"] = time.perf_counter() - started
    await notifier.close()
    await platform.bus.close()
    return figures


# --- main ----------------------------------------------------------------------------------


@contextmanager
def _world(args: argparse.Namespace) -> Iterator[tuple[Any, Path, int]]:
    from fenghuo.settings import Settings

    work = Path(tempfile.mkdtemp(prefix=f"fenghuo-bench-warn-{args.part}-"))
    settings = Settings(
        data_dir=work,
        secret_key="bench-secret-key-not-for-production",
        database_url=args.database_url,
        delivery_concurrency=args.concurrency,
    )
    yield settings, work, free_port()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("part", choices=["surge", "publish"])
    parser.add_argument("--operators", type=int, default=500, help="surge: operators")
    parser.add_argument(
        "--baseline-per-day",
        type=float,
        default=3.0,
        help="surge: mean detections per operator per day, last 7 days",
    )
    parser.add_argument("--incidents", type=int, default=2, help="surge: of the hot operator")
    parser.add_argument(
        "--incident-age-days", type=float, default=10.0, help="surge: of the level-III incident"
    )
    parser.add_argument("--surge", type=int, default=200, help="surge: events in the batch")
    parser.add_argument(
        "--hot-cell-operators",
        type=int,
        default=0,
        help="surge: at most this many operators in the hot cell, the rest in the next sector "
        "(0: no cap; 8 keeps the cell below blue before the surge at 5,000 operators)",
    )
    parser.add_argument("--seed", type=int, default=20261128)
    parser.add_argument("--orgs", type=int, default=10_000, help="publish: operators in scope")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    import logging

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    with _world(args) as (settings, work, port):
        url = f"http://127.0.0.1:{port}"
        secrets_file = work / "secrets.json"
        started = time.perf_counter()
        setup = setup_surge if args.part == "surge" else setup_publish
        bench = setup(settings, args, url, secrets_file)
        print(f"setup: {time.perf_counter() - started:.1f} s")
        timed = timed_surge if args.part == "surge" else timed_publish
        with receiver(port, secrets_file), profiled(args.profile, work / "profile.svg"):
            figures = asyncio.run(timed(bench, args, url))
            received = counts(url)
    print(f"database: {bench.platform.engine.dialect.name}; load average {load_average()}")
    print(f"webhooks received: {received['valid']} valid signatures, {received['invalid']} invalid")
    facts = figures.pop("facts", None)
    for name, seconds in figures.items():
        print(f"{name:>32}: {seconds:6.2f} s")
    if facts:
        print(facts)
    goal = "2 s to the inbox" if args.part == "surge" else f"{args.orgs} in under 10 s"
    options = (
        f"--operators {args.operators} --surge {args.surge} --incidents {args.incidents} "
        f"--incident-age-days {args.incident_age_days:g}"
        + (f" --hot-cell-operators {args.hot_cell_operators}" if args.hot_cell_operators else "")
        if args.part == "surge"
        else f"--orgs {args.orgs}"
    )
    print(f"goal: {goal}")
    print(
        f"reproduce: .venv/bin/python bench/warn.py {args.part} {options}"
        + (" --database-url URL" if args.database_url else "")
    )


if __name__ == "__main__":
    main()
