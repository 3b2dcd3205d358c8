"""``fenghuo worker ...``: background consumers that share the load through the bus.

``fenghuo worker detect`` joins the detection consumer group on
``monitoring.events.ingested``; start as many as the event rate needs, on any host that
reaches the database, the bus and the event archive (``FENGHUO_DATA_DIR``).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from pathlib import Path
from typing import Annotated

import typer

from fenghuo.cli.context import open_platform
from fenghuo.cli.db import require_current
from fenghuo.cli.output import stderr
from fenghuo.detection import worker as detection_worker
from fenghuo.detection.engine import Engine
from fenghuo.platform import Platform

app = typer.Typer(help="Background workers (consumer groups on the bus).", no_args_is_help=True)

Rules = Annotated[
    list[Path] | None,
    typer.Option(
        "--rules", exists=True, help="Sigma rule file or folder, besides the starter set (repeat)."
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
    bool, typer.Option("--starter/--no-starter", help="Load the packaged starter rule set.")
]


@app.command("detect")
def detect(
    ctx: typer.Context,
    rules: Rules = None,
    durable: Durable = detection_worker.DURABLE,
    starter: Starter = True,
    ack_wait: AckWait = detection_worker.ACK_WAIT,
) -> None:
    """Run the Sigma rules over every ingested batch and record the detections."""
    engine = detection_worker.load_engine(rules or [], starter=starter)
    console = stderr()
    for issue in engine.issues:
        console.print(f"not compiled: {issue.rule_path}: {issue.reason}", markup=False)
    with open_platform(ctx) as platform:
        require_current(platform)
        asyncio.run(_run_detect(platform, engine, durable, ack_wait))


async def _run_detect(platform: Platform, engine: Engine, durable: str, ack_wait: float) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    await platform.bus.connect()
    try:
        subscription = await detection_worker.subscribe_detect(
            platform.bus,
            sessions=platform.session_factory,
            settings=platform.settings,
            policy=platform.policy,
            engine=engine,
            durable=durable,
            ack_wait=ack_wait,
        )
        stderr().print(
            f"worker detect: {len(engine.rules)} rules, consumer group {durable}, ready",
            markup=False,
        )
        await stop.wait()
        await subscription.close()
    finally:
        await platform.bus.close()
