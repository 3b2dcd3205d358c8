"""The server-rendered console (for signed-in users) and the public portal (no login).

Pages are Jinja2 templates enhanced with HTMX; every asset is served from ``/static``
(nothing is fetched from the internet: government networks are often closed). Each
area has a router in ``routes/`` and templates in ``templates/<area>/``; strings are
translated through the Babel catalogues in ``locales/`` (zh and en).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from fenghuo.platform import Platform

STATIC_DIR = Path(__file__).parent / "static"


def mount(app: FastAPI, platform: Platform) -> None:
    """Add the console, the public portal and their static files to ``app``."""
    from fenghuo.web.errors import HtmlErrorRenderer
    from fenghuo.web.rendering import Renderer
    from fenghuo.web.routes import all_routers

    renderer = Renderer(platform)
    app.state.renderer = renderer
    app.state.html_error_renderer = HtmlErrorRenderer(platform, renderer)
    for router in all_routers():
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
