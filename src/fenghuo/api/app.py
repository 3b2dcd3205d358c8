"""``create_app``: the API, the console and the public portal in one ASGI app."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import FastAPI

from fenghuo import __version__
from fenghuo.api import errors
from fenghuo.api.routes import ROUTERS
from fenghuo.bus import InProcessBus
from fenghuo.bus.relay import run_relay
from fenghuo.detection import worker as detection_worker
from fenghuo.integrations import notify as notify_worker
from fenghuo.monitoring import consumers
from fenghuo.platform import Platform
from fenghuo.risk import worker as risk_worker
from fenghuo.settings import Settings, get_settings

API_PREFIX = "/api/v1"
RELAY_INTERVAL_SECONDS = 0.5


def _lifespan(platform: Platform) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # The bus lives in the server's event loop; the relay publishes what flows emitted
        # into the outbox once their transactions have committed.
        await platform.bus.connect()
        stop = asyncio.Event()
        relay = asyncio.create_task(
            run_relay(
                platform.session_factory, platform.bus, interval=RELAY_INTERVAL_SECONDS, stop=stop
            )
        )
        notifier: notify_worker.NotifyWorker | None = None
        if isinstance(platform.bus, InProcessBus):
            # Embedded shape: no other process can join an in-process bus, so the detection
            # worker runs here; with NATS, `fenghuo worker detect` processes scale out.
            await detection_worker.subscribe_detect(
                platform.bus,
                sessions=platform.session_factory,
                settings=platform.settings,
                policy=platform.policy,
                engine=detection_worker.RulebookEngine(),
            )
            # Events submitted on the bus (`fenghuo worker ingest` with NATS).
            await consumers.subscribe_ingest(
                platform.bus,
                sessions=platform.session_factory,
                settings=platform.settings,
                policy=platform.policy,
            )
            # Risk refreshed as detections, incidents and submissions arrive.
            await risk_worker.subscribe_risk(
                platform.bus, sessions=platform.session_factory, policy=platform.policy
            )
            # Notification delivery, retry sweep and escalation (`fenghuo worker notify`).
            notifier = await notify_worker.start(
                platform.bus,
                sessions=platform.session_factory,
                settings=platform.settings,
                policy=platform.policy,
            )
        try:
            yield
        finally:
            if notifier is not None:
                await notifier.close()
            stop.set()
            await relay
            await platform.bus.close()

    return lifespan


def create_app(settings: Settings | None = None, *, platform: Platform | None = None) -> FastAPI:
    """Build the app from settings (or an already built platform, in tests)."""
    platform = platform or Platform.build(settings or get_settings())
    app = FastAPI(
        title="Fenghuo (烽火) API",
        version=__version__,
        description="Monitoring, early warning and emergency response under Chapter V of the "
        "PRC Cybersecurity Law. Errors are RFC 9457 problem details naming the field and the rule.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,  # served by routes/docs.py from vendored files
        redoc_url=None,
        lifespan=_lifespan(platform),
    )
    app.state.platform = platform
    errors.install(app)
    for router in ROUTERS:
        app.include_router(router)
    from fenghuo.web import mount as mount_web

    mount_web(app, platform)
    return app
