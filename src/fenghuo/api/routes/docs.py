"""The interactive API documentation, served from vendored Swagger UI files.

Government networks are often closed, so nothing is loaded from the internet: FastAPI's
default page would fetch Swagger UI from a CDN.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

from fenghuo.api.deps import requires

DOCS_PATH = "/api/v1/docs"
VENDOR = "/static/vendor/swagger-ui"

router = APIRouter(tags=["docs"], dependencies=[Depends(requires("system.docs.view"))])


@router.get(DOCS_PATH, include_in_schema=False)
def api_docs() -> HTMLResponse:
    """Swagger UI for /api/v1/openapi.json."""
    return get_swagger_ui_html(
        openapi_url="/api/v1/openapi.json",
        title="Fenghuo (烽火) API",
        swagger_js_url=f"{VENDOR}/swagger-ui-bundle.js",
        swagger_css_url=f"{VENDOR}/swagger-ui.css",
        swagger_favicon_url=f"{VENDOR}/favicon-32x32.png",
    )
