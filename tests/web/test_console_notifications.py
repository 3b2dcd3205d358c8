"""Where an organisation receives notifications: its administrators register endpoints."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.web.conftest import sign_in


def test_an_administrator_registers_a_webhook_and_sees_its_secret_once(
    app_client: TestClient,
) -> None:
    csrf = sign_in(app_client, "op.szpower.admin")
    bad = app_client.post(
        "/notifications/endpoints",
        data={"csrf_token": csrf, "channel": "webhook", "address": "ftp://soc.szpower.example"},
    )
    assert bad.status_code == 422 and 'id="address-error"' in bad.text
    made = app_client.post(
        "/notifications/endpoints",
        data={"csrf_token": csrf, "channel": "webhook", "address": "https://soc.szpower.example/h"},
    )
    assert made.status_code == 200
    secret = re.search(r'id="webhook-secret".*?class="secret">([^<]+)<', made.text, re.S)
    assert secret and len(secret.group(1).strip()) >= 32
    again = app_client.get("/notifications/endpoints").text
    assert "https://soc.szpower.example/h" in again
    assert secret.group(1).strip() not in again  # shown once, never again

    sign_in(app_client, "op.szpower")  # operator staff, not an administrator
    assert app_client.get("/notifications/endpoints").status_code == 403
