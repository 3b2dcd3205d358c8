"""Benchmark: one notification to 10,000 organisations, each with a webhook, until delivered.

Reproduce: .venv/bin/python bench/notify.py [--orgs 10000] [--database-url URL] [--profile]

Builds a fresh SQLite database (or uses --database-url, e.g. an empty PostgreSQL database),
creates the organisations under a coordinator, each with a webhook endpoint on a local
receiver (uvicorn in a subprocess: it checks every X-Fenghuo-Signature with the endpoint's
secret and counts), then, timed: ``notification.flows.send`` as a national duty officer and
commit; the outbox relay publishes ``notification.deliveries.requested`` on the in-process
bus; the notification worker (``fenghuo worker notify``'s consumer) delivers. Prints the
time to the send's commit, to the last webhook received, and to the last delivery recorded.
``--profile`` runs the timed part under py-spy (flame graph in the temp directory).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import counts, free_port, profiled, receiver, webhook_rows

ORGS = 10_000


def setup(settings: Any, orgs: int, url: str, secrets_file: Path) -> tuple[Any, list[str]]:
    """Migrate, create the organisations, their webhooks and a sender; untimed."""
    from sqlalchemy import insert

    from fenghuo.accounts import credentials
    from fenghuo.accounts import service as accounts_service
    from fenghuo.accounts.models import Organisation, User, UserRole
    from fenghuo.notification.models import NotificationEndpoint
    from fenghuo.platform import Platform
    from fenghuo.store import new_id
    from fenghuo.store.migrations import upgrade

    platform = Platform.build(settings)
    upgrade(platform.engine)
    key = settings.resolved_secret_key()
    known: dict[str, str] = {}
    with platform.transaction() as session:
        national = accounts_service.create_org(
            session=session,
            parent=None,
            fields={"kind": "national_coordinator", "name_zh": "国家", "name_en": "National"},
        )
        duty = User(
            org_id=national.id,
            username="duty",
            display_name="Duty",
            password_hash="!",
            role_rows=[UserRole(role="duty_officer")],
        )
        session.add(duty)
        session.flush()
        org_rows = []
        for n in range(orgs):
            org_id = new_id()
            org_rows.append(
                {
                    "id": org_id,
                    "parent_id": national.id,
                    "path": f"{national.path}{org_id}/",
                    "kind": "network_operator",
                    "name_zh": f"运营者{n}",
                    "name_en": f"Operator {n}",
                    "sector_code": "energy",
                    "region_code": "440300",
                    "is_cii": False,
                    "is_active": True,
                }
            )
        endpoint_rows = webhook_rows(
            [row["id"] for row in org_rows], url=url, server_key=key, known=known
        )
        session.execute(insert(Organisation), org_rows)
        session.execute(insert(NotificationEndpoint), endpoint_rows)
        actor = credentials.actor_for(duty, platform.policy)
    secrets_file.write_text(json.dumps(known))
    return (platform, actor), [row["id"] for row in org_rows]


async def timed(
    platform: Any, actor: Any, org_ids: list[str], url: str, orgs: int
) -> dict[str, float]:
    """Send, relay, deliver; the seconds from the start of the send to each milestone."""
    from sqlalchemy import func, select

    from fenghuo.bus.relay import relay_once
    from fenghuo.integrations import notify
    from fenghuo.notification import flows
    from fenghuo.notification.models import NotificationDelivery

    await platform.bus.connect()
    notifier = await notify.start(
        platform.bus,
        sessions=platform.session_factory,
        settings=platform.settings,
        policy=platform.policy,
        sweep_seconds=3600,
        escalate_seconds=3600,
    )
    started = time.perf_counter()
    with platform.transaction() as session:
        sent = flows.send(
            session,
            actor,
            kind="warning",
            title="Bench: patch CVE-2026-0001 now",
            body="请立即修补。Patch now.",
            recipient_org_ids=org_ids,
        )
        notification_id = sent.id
    committed = time.perf_counter() - started
    await relay_once(platform.session_factory, platform.bus)
    while sum((await asyncio.to_thread(counts, url)).values()) < orgs:
        await asyncio.sleep(0.1)
    received = time.perf_counter() - started

    def delivered() -> int:
        with platform.transaction() as session:
            return int(
                session.scalar(
                    select(func.count(NotificationDelivery.id)).where(
                        NotificationDelivery.notification_id == notification_id,
                        NotificationDelivery.channel == "webhook",
                        NotificationDelivery.state == "delivered",
                    )
                )
                or 0
            )

    while await asyncio.to_thread(delivered) < orgs:
        await asyncio.sleep(0.05)
    recorded = time.perf_counter() - started
    await notifier.close()
    await platform.bus.close()
    return {"send_committed": committed, "all_received": received, "all_recorded": recorded}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=ORGS)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    import logging

    from fenghuo.settings import Settings

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    work = Path(tempfile.mkdtemp(prefix="fenghuo-bench-notify-"))
    settings = Settings(
        data_dir=work,
        secret_key="bench-secret-key-not-for-production",
        database_url=args.database_url,
        delivery_concurrency=args.concurrency,
    )
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    secrets_file = work / "secrets.json"
    t = time.perf_counter()
    (platform, actor), org_ids = setup(settings, args.orgs, url, secrets_file)
    print(f"setup: {args.orgs} organisations and webhooks in {time.perf_counter() - t:.1f} s")
    with receiver(port, secrets_file), profiled(args.profile, work / "profile.svg"):
        figures = asyncio.run(timed(platform, actor, org_ids, url, args.orgs))
        received = counts(url)
    dialect = platform.engine.dialect.name
    print(f"database: {dialect}; receiver: uvicorn (httptools) in a subprocess, signatures checked")
    print(f"webhooks received: {received['valid']} valid signatures, {received['invalid']} invalid")
    for name, seconds in figures.items():
        print(f"{name:>15}: {seconds:6.2f} s")
    rate = args.orgs / figures["all_recorded"]
    print(f"throughput: {rate:,.0f} deliveries/s end to end (goal: {args.orgs} in under 10 s)")
    print(
        f"reproduce: .venv/bin/python bench/notify.py --orgs {args.orgs}"
        + (" --database-url URL" if args.database_url else "")
    )


if __name__ == "__main__":
    main()
