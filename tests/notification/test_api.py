"""``/api/v1/notifications`` and ``/api/v1/notification-endpoints`` on the embedded app.

The app's lifespan runs the notification worker (in-process bus), so a notification sent
through the API reaches a real local webhook receiver, signed.
"""

from __future__ import annotations

import time

from fenghuo.notification.policy import is_valid_signature
from tests.api.conftest import Api, assert_field_problem, assert_problem
from tests.notification.kit import webhook_receiver

BASE = "/api/v1/notifications"


def _wait_for(condition, timeout: float = 15.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "not delivered in time"
        time.sleep(0.05)


def test_a_directive_reaches_the_operators_webhook_and_is_acknowledged(api: Api) -> None:
    w = api.world
    with webhook_receiver() as receiver:
        created = api.post(
            "sz-admin",
            "/api/v1/notification-endpoints",
            json={"channel": "webhook", "address": f"{receiver.url}/sz"},
        )
        assert created.status_code == 201, created.text
        secret = created.json()["secret"]
        assert secret.startswith("whsec_")
        listed = api.get("sz-admin", "/api/v1/notification-endpoints").json()
        assert [e["address"] for e in listed["items"]] == [f"{receiver.url}/sz"]
        assert "secret" not in listed["items"][0]

        sent = api.post(
            "energy-admin",
            BASE,
            json={
                "kind": "directive",
                "title": "Block 203.0.113.0/24 at the border",
                "body": "立即封禁。Block it now.",
                "recipient_org_ids": [w.energy_op_gd.id],
                "ref_type": "incident",
                "ref_id": "INC-2026-0001",
                "escalate_after_minutes": 120,
            },
        )
        assert sent.status_code == 201, sent.text
        notification_id = sent.json()["id"]
        assert sent.headers["Location"] == f"{BASE}/{notification_id}"
        _wait_for(lambda: len(receiver.on("/sz")) == 1)
        request = receiver.on("/sz")[0]
        headers = {k.lower(): v for k, v in request.headers.items()}
        assert is_valid_signature(
            secret, headers["x-fenghuo-timestamp"], request.body, headers["x-fenghuo-signature"]
        )
        api.delete("sz-admin", f"/api/v1/notification-endpoints/{created.json()['id']}")

    inbox = api.get("sz-staff", BASE, params={"unacknowledged": True}).json()
    assert notification_id in [item["notification"]["id"] for item in inbox["items"]]
    assert api.get("bank-staff", BASE).json()["total"] == 0

    refused = api.post("bank-staff", f"{BASE}/{notification_id}/acknowledge", json={})
    assert_problem(refused, 403, rule="recipient-acknowledges")
    acknowledged = api.post(
        "sz-staff", f"{BASE}/{notification_id}/acknowledge", json={"note": "blocked"}
    )
    assert acknowledged.status_code == 200, acknowledged.text
    assert (acknowledged.json()["state"], acknowledged.json()["note"]) == (
        "acknowledged",
        "blocked",
    )
    assert_problem(api.post("sz-admin", f"{BASE}/{notification_id}/acknowledge"), 409)

    _wait_for(
        lambda: (
            api.get("energy-admin", f"{BASE}/{notification_id}/status").json()["deliveries"]
            == {"inbox": {"delivered": 1}, "webhook": {"delivered": 1}}
        )
    )
    status = api.get("energy-admin", f"{BASE}/{notification_id}/status").json()
    assert status["counts"]["acknowledged"] == 1
    assert status["recipients"][0]["acknowledged_by"] == "sz-staff"
    assert api.get("sz-staff", f"{BASE}/{notification_id}").json()["role"] == "recipient"
    assert api.get("energy-admin", f"{BASE}/{notification_id}").json()["role"] == "sender"
    assert_problem(api.get("sz-staff", f"{BASE}/{notification_id}/status"), 403)
    assert_problem(api.get("bank-staff", f"{BASE}/{notification_id}"), 404)


def test_operators_report_upward_and_send_nothing_else(api: Api) -> None:
    w = api.world
    directive = api.post(
        "sz-staff",
        BASE,
        json={"kind": "directive", "title": "x", "body": "", "recipient_org_ids": [w.national.id]},
    )
    assert_problem(directive, 403, rule="no-grant")
    report = api.post(
        "sz-staff",
        f"{BASE}/reports",
        json={"title": "Ransomware contained", "body": "…", "recipient_org_ids": [w.national.id]},
    )
    assert report.status_code == 201, report.text
    assert report.json()["kind"] == "report"
    sideways = api.post(
        "sz-staff",
        f"{BASE}/reports",
        json={"title": "To a peer", "body": "", "recipient_org_ids": [w.finance_op_sh.id]},
    )
    assert_problem(sideways, 403, rule="reports-go-upward")


def test_bad_input_and_dead_letter_listing(api: Api) -> None:
    bad = api.post(
        "energy-admin",
        BASE,
        json={"kind": "memo", "title": "x", "body": "", "recipient_org_ids": ["a"]},
    )
    assert_field_problem(bad, 422, "kind", "enum")
    unknown = api.post(
        "energy-admin",
        BASE,
        json={"kind": "notice", "title": "x", "body": "", "recipient_org_ids": ["nope"]},
    )
    assert_field_problem(unknown, 422, "recipient_org_ids.0", "known-organisation")
    dead = api.get("energy-admin", f"{BASE}/deliveries", params={"state": "dead"})
    assert dead.status_code == 200 and dead.json()["total"] == 0
    assert_problem(api.get("sz-staff", f"{BASE}/deliveries"), 403, rule="no-grant")
    assert_problem(api.post("energy-admin", f"{BASE}/deliveries/nope/replay"), 404)
    endpoint = api.post(
        "sz-admin",
        "/api/v1/notification-endpoints",
        json={"channel": "email", "address": "not an address"},
    )
    assert_field_problem(endpoint, 422, "address", "email-address")
