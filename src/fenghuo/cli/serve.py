"""``fenghuo serve``: the API, console and public portal, on a database already migrated.

This is the scale-out entry point: several ``fenghuo serve`` processes behind a proxy,
sharing PostgreSQL (``FENGHUO_DATABASE_URL``) and NATS (``FENGHUO_BUS_URL``). Migrations
are run once, separately, by ``fenghuo db upgrade``.
"""

from __future__ import annotations

from typing import Annotated

import typer

from fenghuo.cli.context import open_platform
from fenghuo.cli.db import require_current
from fenghuo.cli.output import stderr
from fenghuo.platform import Platform

Host = Annotated[str, typer.Option(help="Interface to listen on (0.0.0.0 for every one).")]
Port = Annotated[int, typer.Option(min=1, max=65535, help="TCP port to listen on.")]


def serve(ctx: typer.Context, host: Host = "127.0.0.1", port: Port = 8000) -> None:
    """Check the schema is current, then serve the API and console with uvicorn."""
    with open_platform(ctx) as platform:
        require_current(platform)
        serve_platform(platform, host=host, port=port)


def serve_platform(platform: Platform, *, host: str, port: int) -> None:
    """Run uvicorn on the app built from ``platform`` until interrupted."""
    import uvicorn

    from fenghuo.api.app import create_app

    shown = f"[{host}]" if ":" in host else host
    stderr().print(f"Fenghuo at http://{shown}:{port}/  (Ctrl+C stops it)", markup=False)
    uvicorn.run(create_app(platform=platform), host=host, port=port, log_level="info")
