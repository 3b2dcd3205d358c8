"""``/api/v1/rules``: the rulebook over HTTP — upload, list, detail, diff, enable/disable."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from tests.api.conftest import Api, assert_field_problem, assert_problem
from tests.detection.test_rulebook import rule_text

URL = "/api/v1/rules"
CALC_ID = "6c1b7c7a-0c7e-4a52-9d3e-1d0f3a4b5c6d"


def _zip(members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def _upload(api: Api, username: str, *files: tuple[str, bytes]) -> Any:
    return api.post(username, f"{URL}/import", files=[("files", f) for f in files])


def test_import_list_detail_diff_and_disable(api: Api) -> None:
    pack = _zip(
        {
            "rules/calc.yml": rule_text(),
            "rules/broken.yml": rule_text(rule_id=None, title="Unrouted", category="nope_cat"),
            "README.md": "ignored",
        }
    )
    before = api.counts()["audit"]
    first = _upload(api, "nat-admin", ("pack.zip", pack))
    assert first.status_code == 200, first.text
    body = first.json()
    assert sorted(body["created"]) == [CALC_ID, "title:Unrouted"]
    assert list(body["not_compiled"]) == ["title:Unrouted"] and body["revision"] >= 1
    assert api.counts()["audit"] == before + 1

    again = _upload(api, "cert-analyst", ("calc.yml", rule_text(level="high").encode()))
    assert again.json()["updated"] == [CALC_ID]

    listed = api.get("nat-viewer", URL, params={"compiles": "false"})
    assert listed.status_code == 403  # viewers are not staff of the watch
    listed = api.get("energy-admin", URL, params={"compiles": "false"}).json()
    assert [r["title"] for r in listed["items"]] == ["Unrouted"]
    assert listed["counts"]["not_compiling"] == 1 and listed["counts"]["total"] == 2
    by_tag = api.get("energy-admin", URL, params={"tag": "attack.t1204", "q": "calc"}).json()
    assert [r["key"] for r in by_tag["items"]] == [CALC_ID]

    detail = api.get("energy-admin", f"{URL}/{CALC_ID}").json()
    assert (detail["version"], detail["level"], detail["author"]) == (2, "high", "Tester")
    assert [v["number"] for v in detail["versions"]] == [2, 1]
    assert detail["versions"][1]["origin"] == "pack.zip/rules/calc.yml"
    assert "level: high" in detail["text"]
    old = api.get("energy-admin", f"{URL}/{detail['id']}/versions/1").json()
    assert "level: low" in old["text"]
    diff = api.get("energy-admin", f"{URL}/{CALC_ID}/diff", params={"old": 1, "new": 2}).json()
    assert "-level: low" in diff["diff"] and "+level: high" in diff["diff"]
    assert api.get("energy-admin", f"{URL}/{CALC_ID}/versions/9").status_code == 404

    no_reason = api.post("nat-admin", f"{URL}/{CALC_ID}/disable", json={"reason": ""})
    assert_field_problem(no_reason, 422, "reason", "string_too_short")
    disabled = api.post("nat-admin", f"{URL}/{CALC_ID}/disable", json={"reason": "noisy"})
    assert disabled.status_code == 200 and disabled.json()["enabled"] is False
    enabled = api.get("energy-admin", URL, params={"enabled": "true"}).json()
    assert CALC_ID not in [r["key"] for r in enabled["items"]]
    back = api.post("nat-admin", f"{URL}/{CALC_ID}/enable", json={"reason": "tuned"})
    assert back.json()["enabled"] is True


def test_departments_and_operators_may_not_change_the_rulebook(api: Api) -> None:
    refused = _upload(api, "energy-admin", ("calc.yml", rule_text().encode()))
    assert_problem(refused, 403, rule="rulebook-managed-nationally")
    refused = _upload(api, "sz-admin", ("calc.yml", rule_text().encode()))
    assert_problem(refused, 403, rule="rulebook-managed-nationally")
    assert api.get("sz-staff", URL).status_code == 403


def test_unsafe_or_foreign_uploads_are_refused_whole(api: Api) -> None:
    before = api.get("nat-admin", URL).json()["counts"]["total"]
    climbing = _zip({"../../etc/evil.yml": rule_text(rule_id=None, title="Evil")})
    assert_field_problem(
        _upload(api, "nat-admin", ("a.zip", climbing), ("ok.yml", rule_text().encode())),
        422,
        "file",
        "zip-path",
    )
    assert_field_problem(_upload(api, "nat-admin", ("x.txt", b"hello")), 422, "file", "file-type")
    assert_field_problem(_upload(api, "nat-admin", ("x.zip", b"PK nope")), 422, "file", "zip")
    assert api.get("nat-admin", URL).json()["counts"]["total"] == before
