"""Every route of the whole app (API, console, public portal) declares the authority action it
needs, through a ``Requires`` dependency anywhere in its dependency tree.

The only exceptions are static files and the OpenAPI document and its viewer. A new route
without an action fails here, naming it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from fenghuo.api.app import create_app
from fenghuo.api.deps import Requires
from fenghuo.platform import Platform
from fenghuo.settings import Settings


def declared_actions(dependant: Dependant) -> set[str]:
    """The actions named by ``Requires`` dependencies anywhere below ``dependant``."""
    found: set[str] = set()
    for dependency in dependant.dependencies:
        if isinstance(dependency.call, Requires):
            found.add(dependency.call.action)
        found |= declared_actions(dependency)
    return found


def undeclared_routes(app: FastAPI) -> list[str]:
    """Each route of ``app`` that declares no action, or names one the policy does not know.

    FastAPI keeps included routers as lazy branches; ``iter_route_contexts`` (what the OpenAPI
    generator walks) yields every route with the dependencies that really run for it.
    """
    platform: Platform = app.state.platform
    documentation = {app.openapi_url, app.docs_url, app.swagger_ui_oauth2_redirect_url}
    problems: list[str] = []
    for context in iter_route_contexts(app.routes):
        route, path = context.original_route, context.path
        if isinstance(route, APIRoute):
            name = f"{','.join(sorted(context.methods or ()))} {path}"
            actions = declared_actions(context.dependant)
            if not actions:
                problems.append(f"{name} declares no action")
            problems += [
                f"{name} names the unregistered action {action!r}"
                for action in sorted(actions - set(platform.policy.actions))
            ]
        elif isinstance(route, Mount):
            if not isinstance(route.app, StaticFiles):
                problems.append(f"mount {path} is {type(route.app).__name__}, not static files")
        elif not (isinstance(route, Route) and path in documentation):
            problems.append(f"{type(route).__name__} {path} is not an APIRoute with an action")
    return problems


@pytest.fixture
def app(tmp_path: Path) -> FastAPI:
    """The whole app; building it touches no database."""
    settings = Settings(
        data_dir=tmp_path,
        secret_key="test-secret-key-not-for-production",
        database_url=f"sqlite:///{tmp_path / 'unused.db'}",
    )
    return create_app(platform=Platform.build(settings))


def test_every_route_declares_its_action(app: FastAPI) -> None:
    contexts = list(iter_route_contexts(app.routes))
    api_paths = {c.path for c in contexts if isinstance(c.original_route, APIRoute)}
    assert {"/api/v1/organisations", "/api/v1/auth/token", "/healthz"} <= api_paths
    assert undeclared_routes(app) == []


def test_a_route_without_an_action_is_named(app: FastAPI) -> None:
    @app.get("/api/v1/naked")
    def naked() -> dict[str, str]:
        return {"no": "action"}

    app.router.routes.append(Route("/plain", PlainTextResponse("plain")))
    app.mount("/sub", FastAPI())

    assert undeclared_routes(app) == [
        "GET /api/v1/naked declares no action",
        "Route /plain is not an APIRoute with an action",
        "mount /sub is FastAPI, not static files",
    ]


def test_an_unregistered_action_is_named(app: FastAPI) -> None:
    from fastapi import Depends

    from fenghuo.api.deps import requires

    @app.get("/api/v1/typo", dependencies=[Depends(requires("accounts.orgs.veiw"))])
    def typo() -> dict[str, str]:
        return {}

    assert undeclared_routes(app) == [
        "GET /api/v1/typo names the unregistered action 'accounts.orgs.veiw'"
    ]


def test_static_files_may_be_mounted_without_an_action(app: FastAPI, tmp_path: Path) -> None:
    app.mount("/static-test", StaticFiles(directory=tmp_path))
    assert undeclared_routes(app) == []
