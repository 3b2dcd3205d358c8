"""``fenghuo worker ...``: background consumers that share the load through the bus.

``fenghuo worker detect`` joins the detection consumer group on
``monitoring.events.ingested``; start as many as the event rate needs, on any host that
reaches the database, the bus and the event archive (``FENGHUO_DATA_DIR``).
``fenghuo worker ingest`` joins the ingest consumer group on ``monitoring.events.submit.*``.
``fenghuo worker notify`` delivers notifications (e-mail, webhooks), retries and escalates.
``fenghuo worker risk`` refreshes the risk assessment as detections, reports and submissions
arrive, and raises the recommendations.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated

import typer

from fenghuo.cli.context import open_platform
from fenghuo.cli.db import require_current
from fenghuo.cli.output import stderr
from fenghuo.detection import worker as detection_worker
from fenghuo.integrations import notify as notify_worker
from fenghuo.monitoring import consumers
from fenghuo.platform import Platform
from fenghuo.risk import worker as risk_worker

app = typer.Typer(help="Background workers (consumer groups on the bus).", no_args_is_help=True)


@app.callback()
def workers() -> None:
    """Background workers (consumer groups on the bus); they log what they do to stderr."""
    found = logging.getLogger("fenghuo")
    if not found.handlers:  # a worker is its own process: its log is its stderr
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        found.addHandler(handler)
        found.setLevel(logging.INFO)


Rules = Annotated[
    list[Path] | None,
    typer.Option(
        "--rules", exists=True, help="Sigma rule file or folder, besides the rulebook (repeat)."
    ),
]
Durable = Annotated[
    str, typer.Option(help="Consumer group name; workers sharing it share the batches.")
]
AckWait = Annotated[
    float,
    typer.Option(
        min=1.0, max=3600.0, help="Seconds a batch may take before another worker gets it."
    ),
]
Starter = Annotated[
    bool,
    typer.Option(
        "--starter/--no-starter", help="Run the packaged starter rules while the rulebook is empty."
    ),
]


@app.command("detect")
def detect(
    ctx: typer.Context,
    rules: Rules = None,
    durable: Durable = detection_worker.DURABLE,
    starter: Starter = True,
    ack_wait: AckWait = detection_worker.ACK_WAIT,
) -> None:
    """Run the rulebook's rules over every ingested batch; rebuild when the rulebook changes."""
    engine = detection_worker.RulebookEngine(extra=rules or [], starter=starter)
    with open_platform(ctx) as platform:
        require_current(platform)
        with platform.transaction() as session:
            for issue in engine.current(session).issues:
                stderr().print(f"not compiled: {issue.rule_path}: {issue.reason}", markup=False)
        asyncio.run(_run_detect(platform, engine, durable, ack_wait))


# A started worker: the line it prints once ready, and how it leaves (after its batch).
Started = tuple[str, Callable[[], Awaitable[None]]]


async def _serve(platform: Platform, start: Callable[[], Awaitable[Started]]) -> None:
    """Connect to the bus, start the worker, say it is ready, run until SIGINT or SIGTERM,
    then let it finish and close the bus."""
    stop = _stop_on_signals()
    await platform.bus.connect()
    try:
        ready, close = await start()
        stderr().print(ready, markup=False)
        await stop.wait()
        await close()
    finally:
        await platform.bus.close()


async def _run_detect(
    platform: Platform, engine: detection_worker.RulebookEngine, durable: str, ack_wait: float
) -> None:
    async def start() -> Started:
        subscription = await detection_worker.subscribe_detect(
            platform.bus,
            sessions=platform.session_factory,
            settings=platform.settings,
            policy=platform.policy,
            engine=engine,
            durable=durable,
            ack_wait=ack_wait,
        )
        ready = (
            f"worker detect: rulebook revision {engine.revision}, consumer group {durable}, ready"
        )
        return ready, subscription.close

    await _serve(platform, start)


def _stop_on_signals() -> asyncio.Event:
    """An event set by SIGINT or SIGTERM, so a worker finishes its batch and leaves cleanly."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    return stop


@app.command("ingest")
def ingest(ctx: typer.Context) -> None:
    """Ingest the events that sources publish on the bus (``monitoring.events.submit.<name>``)."""
    with open_platform(ctx) as platform:
        require_current(platform)
        asyncio.run(_run_ingest(platform))


async def _run_ingest(platform: Platform) -> None:
    async def start() -> Started:
        subscription = await consumers.subscribe_ingest(
            platform.bus,
            sessions=platform.session_factory,
            settings=platform.settings,
            policy=platform.policy,
        )
        return f"worker ingest: consumer group {consumers.DURABLE}, ready", subscription.close

    await _serve(platform, start)


@app.command("notify")
def notify(ctx: typer.Context) -> None:
    """Deliver notifications by e-mail and webhook, retry due ones, escalate unacknowledged."""
    with open_platform(ctx) as platform:
        require_current(platform)
        asyncio.run(_run_notify(platform))


async def _run_notify(platform: Platform) -> None:
    async def start() -> Started:
        notifier = await notify_worker.start(
            platform.bus,
            sessions=platform.session_factory,
            settings=platform.settings,
            policy=platform.policy,
        )
        channels = ", ".join(sorted(notifier.channels))
        return f"worker notify: channels {channels}, ready", notifier.close

    await _serve(platform, start)


@app.command("risk")
def risk(ctx: typer.Context) -> None:
    """Refresh the risk assessment on new detections, incident reports and submissions."""
    with open_platform(ctx) as platform:
        require_current(platform)
        asyncio.run(_run_risk(platform))


async def _run_risk(platform: Platform) -> None:
    async def start() -> Started:
        refresher = risk_worker.Refresher(platform.session_factory, platform.policy)
        subscriptions = await risk_worker.subscribe_risk(
            platform.bus,
            sessions=platform.session_factory,
            policy=platform.policy,
            refresher=refresher,
        )

        async def close() -> None:
            for subscription in subscriptions:
                await subscription.close()
            await refresher.idle()

        groups = ", ".join(sorted(risk_worker.SUBJECTS.values()))
        return f"worker risk: consumer groups {groups}, ready", close

    await _serve(platform, start)
