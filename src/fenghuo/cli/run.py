"""``fenghuo run``: the whole platform on the embedded default, in one process.

Migrate, seed the demo world once (when the tree is empty), print the demo logins, serve.
On the first start of a demo world, the bundled sample events are replayed in the
background (``fenghuo.demo.monitoring.replay``) so that detections arrive within a minute.
"""

from __future__ import annotations

import threading
import time
from typing import Annotated

import typer

from fenghuo import demo
from fenghuo.cli.context import cli_actor, open_platform
from fenghuo.cli.output import logins_table, stdout
from fenghuo.cli.serve import Host, Port, serve_platform
from fenghuo.demo import monitoring as demo_monitoring
from fenghuo.platform import Platform
from fenghuo.store import migrations

# Let the server start its bus relay and detection worker before the first batch lands.
REPLAY_DELAY_SECONDS = 3.0

Demo = Annotated[
    bool,
    typer.Option(
        "--demo/--no-demo", help="Seed the demo world when the database has no organisation."
    ),
]


def run(
    ctx: typer.Context, host: Host = "127.0.0.1", port: Port = 8000, with_demo: Demo = True
) -> None:
    """Migrate, seed the demo once, print its logins, and serve on http://127.0.0.1:8000."""
    with open_platform(ctx) as platform:
        migrations.upgrade(platform.engine)
        if with_demo:
            with platform.transaction() as session:
                logins = demo.seed(session, cli_actor(platform), platform.settings)
            if logins:
                console = stdout()
                console.print(logins_table(logins, width=console.width))
            with platform.transaction() as session:
                replayed = demo_monitoring.has_replayed(session)
            if not replayed:
                threading.Thread(target=_replay, args=(platform,), daemon=True).start()
        serve_platform(platform, host=host, port=port)


def _replay(platform: Platform) -> None:
    time.sleep(REPLAY_DELAY_SECONDS)
    accepted = demo_monitoring.replay(
        platform.transaction, platform.system_actor("demo-replay"), platform.settings
    )
    stdout().print(f"Demo: replayed {accepted} sample events; detections follow.")
