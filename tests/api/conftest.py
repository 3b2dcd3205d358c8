"""The API against a real, committed database: one fresh SQLite file and one fresh PostgreSQL
database per test module.

The app opens its own transaction per request, so the rolled-back ``session`` fixture cannot
serve it. Instead each module gets a migrated database of its own, a small world committed
in it, and a ``TestClient``. Tests in a module share that world, so each one either uses its
own user or asserts differences rather than absolute counts.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from fenghuo.accounts.models import Organisation, User
from fenghuo.api.app import create_app
from fenghuo.audit.models import AuditRecord
from fenghuo.authority import ActorKind
from fenghuo.platform import Platform
from fenghuo.settings import Settings
from fenghuo.store import make_engine
from fenghuo.store.migrations import upgrade
from tests import services
from tests.factories.accounts import TEST_PASSWORD, World, make_user, make_world

# username -> (organisation in the world, role)
PEOPLE: dict[str, tuple[str, str]] = {
    "nat-admin": ("national", "administrator"),
    "nat-viewer": ("national", "viewer"),
    "energy-admin": ("energy_dept", "administrator"),
    "gd-admin": ("guangdong", "administrator"),
    "sz-admin": ("energy_op_gd", "administrator"),
    "sz-staff": ("energy_op_gd", "operator_staff"),
    "bank-staff": ("finance_op_sh", "operator_staff"),
    "cert-analyst": ("cert", "analyst"),
}


@dataclass
class Api:
    """A client of the app, the world it runs in, and helpers to sign in and count rows."""

    client: TestClient
    app: FastAPI
    platform: Platform
    world: World
    user_ids: dict[str, str]
    _tokens: dict[str, str] = field(default_factory=dict)

    def sign_in(self, username: str, password: str = TEST_PASSWORD) -> str:
        """A fresh access token for ``username``."""
        response = self.client.post(
            "/api/v1/auth/token", data={"username": username, "password": password}
        )
        assert response.status_code == 200, response.text
        token: str = response.json()["access_token"]
        return token

    def headers(self, username: str) -> dict[str, str]:
        """Authorization headers for ``username`` (one access token per user, reused)."""
        if username not in self._tokens:
            self._tokens[username] = self.sign_in(username)
        return {"Authorization": f"Bearer {self._tokens[username]}"}

    def get(self, username: str, url: str, **kwargs: Any) -> Any:
        return self.client.get(url, headers=self.headers(username), **kwargs)

    def post(self, username: str, url: str, **kwargs: Any) -> Any:
        return self.client.post(url, headers=self.headers(username), **kwargs)

    def patch(self, username: str, url: str, **kwargs: Any) -> Any:
        return self.client.patch(url, headers=self.headers(username), **kwargs)

    def delete(self, username: str, url: str, **kwargs: Any) -> Any:
        return self.client.delete(url, headers=self.headers(username), **kwargs)

    def counts(self) -> dict[str, int]:
        """Rows of organisations, users and audit records, read in a transaction of its own.

        Audit records of the platform's own workers (the system actor: risk refreshes,
        escalation sweeps, detection batches) are left out: the embedded app runs them in
        the background, at times no test controls, and no request under test makes them.
        """
        people = AuditRecord.actor_kind != ActorKind.system.value
        with self.platform.transaction() as session:
            return {
                "organisations": session.scalar(select(func.count(Organisation.id))) or 0,
                "users": session.scalar(select(func.count(User.id))) or 0,
                "audit": session.scalar(select(func.count(AuditRecord.id)).where(people)) or 0,
            }

    def user(self, username: str) -> User:
        """The user row as committed now."""
        with self.platform.transaction() as session:
            user = session.get(User, self.user_ids[username])
            assert user is not None
            return user


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def api_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A fresh, empty database for this module: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('api-db') / 'fenghuo.db'}"
        return
    url: str = services._fresh_database(request.getfixturevalue("postgres_url"))
    yield url
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="module")
def api(api_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """The whole app on a migrated database holding a committed world and its people."""
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("var"),
        secret_key="test-secret-key-not-for-production",
        database_url=api_database_url,
    )
    engine = make_engine(api_database_url)
    upgrade(engine)
    platform = Platform.build(settings, engine=engine)
    with platform.transaction() as session:
        world = make_world(session)
        user_ids = {
            username: make_user(
                session, org=getattr(world, org), username=username, roles=[role]
            ).id
            for username, (org, role) in PEOPLE.items()
        }
    app = create_app(platform=platform)
    with TestClient(app) as client:
        api = Api(client=client, app=app, platform=platform, world=world, user_ids=user_ids)
        for username in PEOPLE:
            api.headers(username)  # sign in now, so that tests' row counts exclude sign-ins
        yield api
    engine.dispose()


def assert_problem(response: Any, status: int, **expected: Any) -> dict[str, Any]:
    """The response is RFC 9457 problem details with ``status`` and the expected members."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    for key, value in expected.items():
        assert body.get(key) == value, body
    return body


def assert_field_problem(response: Any, status: int, field: str, rule: str) -> None:
    """The problem names ``field`` and the ``rule`` it broke."""
    body = assert_problem(response, status)
    assert {"field": field, "rule": rule} in [
        {"field": e["field"], "rule": e["rule"]} for e in body["errors"]
    ], body
