"""``/api/v1/indicator-sets``: import STIX 2.1 bundles and CSV, list sets and indicators."""

from __future__ import annotations

from typing import Any

import orjson

from tests.api.conftest import Api, assert_problem
from tests.monitoring.test_indicators import GOOD_BUNDLE

URL = "/api/v1/indicator-sets"


def test_a_stix_bundle_is_imported_and_unsupported_patterns_are_listed(api: Api) -> None:
    body: dict[str, Any] = {
        "set": "national-feed",
        "owner_org_id": api.world.national.id,
        "stix": orjson.loads(GOOD_BUNDLE),
    }
    before = api.counts()["audit"]
    response = api.post("nat-admin", URL, json=body)
    assert response.status_code == 200, response.text
    result = response.json()
    assert (result["created"], result["added"], result["updated"]) == (True, 7, 0)
    assert len(result["skipped"]) == 4
    assert all(item["reason"] for item in result["skipped"])
    assert api.counts()["audit"] == before + 1
    sets = {item["name"]: item for item in api.get("nat-viewer", URL).json()["items"]}
    assert sets["national-feed"]["tlp"] == "RED"
    assert sets["national-feed"]["indicators"] == 7
    page = api.get("nat-admin", f"{URL}/{result['set_id']}/indicators").json()
    assert page["total"] == 7
    assert {i["type"] for i in page["items"]} >= {"ipv4", "cidr", "domain", "url", "sha256"}


def test_a_bad_csv_row_refuses_the_whole_import_naming_line_and_field(api: Api) -> None:
    csv = "type,value\nipv4,192.0.2.1\nsha256,not-a-hash\n"
    body = {"set": "bad-csv", "owner_org_id": api.world.energy_dept.id, "csv": csv}
    problem = assert_problem(api.post("energy-admin", URL, json=body), 422)
    assert problem["errors"][0]["field"] == "line 3: value"
    names = {item["name"] for item in api.get("nat-admin", URL).json()["items"]}
    assert "bad-csv" not in names
    good = {**body, "csv": "type,value\nipv4,192.0.2.1\n", "tlp": "GREEN"}
    assert api.post("energy-admin", URL, json=good).json()["added"] == 1


def test_who_may_import_and_see(api: Api) -> None:
    body = {"set": "op-set", "owner_org_id": api.world.energy_op_gd.id, "csv": "type,value\n"}
    assert_problem(api.post("sz-staff", URL, json=body), 403, rule="no-grant")
    outside = {**body, "owner_org_id": api.world.finance_op_sh.id}
    assert_problem(api.post("energy-admin", URL, json=outside), 403, rule="out-of-scope")
    assert_problem(api.post("nat-admin", URL, json={"set": "x-set"}), 422)
    assert api.get("bank-staff", URL).json()["items"] == []


def test_control_characters_and_odd_bundles_are_answered_not_crashed(api: Api) -> None:
    nul = {
        "type": "bundle",
        "objects": [
            {
                "type": "indicator",
                "id": "indicator--\x00",
                "pattern_type": "stix",
                "pattern": "[url:value = 'http://x.example/\x00']",
                "description": "a\x00b",
            },
            {
                "type": "indicator",
                "id": "indicator--ok",
                "pattern_type": "stix",
                "pattern": "[domain-name:value = 'ok.example']",
                "description": "a\x00b",
                "confidence": 2**70,
            },
        ],
    }
    body = {"set": "odd-bundle", "owner_org_id": api.world.national.id, "stix": nul}
    response = api.post("nat-admin", URL, json=body)
    assert response.status_code == 200, response.text
    assert (response.json()["added"], len(response.json()["skipped"])) == (1, 1)
    csv = {"set": "odd-csv", "owner_org_id": api.world.national.id, "csv": "type,value\nurl,\x00\n"}
    assert_problem(api.post("nat-admin", URL, json=csv), 422)
