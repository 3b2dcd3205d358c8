"""``fenghuo tokens create``: the secret is printed once and works as a bearer token."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from fenghuo.accounts import credentials
from fenghuo.accounts.enums import CredentialKind
from fenghuo.accounts.models import Credential
from fenghuo.api.app import create_app
from fenghuo.platform import Platform
from tests.cli.conftest import Invoke

API = frozenset({CredentialKind.api})


def test_the_token_is_printed_once_and_authenticates(seeded: Invoke, platform: Platform) -> None:
    result = seeded(
        "tokens", "create", "--user", "energy.analyst", "--name", "sensor gateway",
        "--scope", "accounts.orgs.view", "--scope", "audit.*", "--days", "30",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip()
    assert secret.startswith("fht_") and "\n" not in secret
    assert "shown once" in result.stderr and secret not in result.stderr
    with platform.transaction() as session:
        found = credentials.authenticate(
            session=session, policy=platform.policy, secret=secret, kinds=API
        )
        assert found is not None
        actor, credential = found
        assert actor.username == "energy.analyst"
        assert actor.token_scopes == frozenset({"accounts.orgs.view", "audit.*"})
        assert credential.name == "sensor gateway"
        assert credential.expires_at is not None
        stored = list(session.scalars(select(Credential.secret_hash)))
        assert secret not in stored


def test_the_token_works_as_a_bearer_on_the_api(seeded: Invoke, platform: Platform) -> None:
    app = create_app(platform=platform)
    if "/api/v1/me" not in app.openapi()["paths"]:
        pytest.skip("the API has no /api/v1/me route yet")
    result = seeded("tokens", "create", "--user", "gd.duty", "--name", "script")
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip()
    with TestClient(app) as client:
        assert client.get("/api/v1/me").status_code == 401
        response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200, response.text
    assert response.json()["user"]["username"] == "gd.duty"


@pytest.mark.parametrize(
    ("args", "code", "expected"),
    [
        (["--user", "nobody"], 1, "Not found: no user 'nobody'"),
        (["--user", "admin", "--scope", "launch.missiles"], 1, "(rule known-action)"),
        (["--user", "admin", "--days", "0"], 2, "--days"),
    ],
    ids=["unknown-user", "unknown-scope", "bad-days"],
)
def test_bad_input_is_refused(seeded: Invoke, args: list[str], code: int, expected: str) -> None:
    result = seeded("tokens", "create", "--name", "x", *args)
    assert result.exit_code == code
    assert expected in result.stderr
    assert result.stdout == ""


def test_a_revoked_token_stops_working(seeded: Invoke, platform: Platform) -> None:
    secret = seeded("tokens", "create", "--user", "op.cmb", "--name", "siem").stdout.strip()
    with platform.transaction() as session:
        credential = session.scalar(select(Credential).where(Credential.name == "siem"))
        assert credential is not None
        prefix = credential.prefix
    result = seeded("tokens", "revoke", prefix)
    assert result.exit_code == 0, result.output
    assert f"Revoked API token 'siem' (prefix {prefix}) of op.cmb." in result.stdout
    with platform.transaction() as session:
        assert (
            credentials.authenticate(
                session=session, policy=platform.policy, secret=secret, kinds=API
            )
            is None
        )
    assert seeded("tokens", "revoke", "fht_nothing").exit_code == 1
