"""The risk API against the whole app on a real database: refresh, heatmap, recommendations."""

from __future__ import annotations

from datetime import timedelta

from fenghuo import clock
from tests.api.conftest import Api, assert_problem
from tests.factories.incidents import first_report
from tests.risk.conftest import add_detections

URL = "/api/v1/risk"


def test_refresh_heatmap_and_recommendations_over_the_api(api: Api) -> None:
    # The detections first: the embedded risk worker may refresh as soon as the incident
    # is reported, and a recommendation is raised once per scope and window.
    with api.platform.transaction() as session:
        add_detections(session, api.world.energy_op_gd, count=30,
                       at=clock.now() - timedelta(minutes=15))  # fmt: skip
    filed = api.post(
        "sz-staff",
        "/api/v1/incidents",
        json=first_report(
            discovered_at=clock.now() - timedelta(hours=2),
            impact={"pi_records_citizens": 12_000_000},
        ),
    )
    assert filed.status_code == 201, filed.text

    refused = api.post("gd-admin", f"{URL}/refresh")
    assert_problem(refused, 403, rule="risk-refreshed-nationally")
    assert_problem(api.post("sz-staff", f"{URL}/refresh"), 403, rule="no-grant")
    done = api.post("nat-admin", f"{URL}/refresh")
    assert done.status_code == 200, done.text
    (rec_id,) = [r["id"] for r in api.get("nat-admin", f"{URL}/recommendations").json()]

    grid = api.get("nat-admin", f"{URL}/heatmap").json()
    hot = [c for c in grid["cells"] if (c["sector"], c["region"]) == ("energy", "440000")]
    assert hot[0]["colour"] is not None and hot[0]["surge"] is True

    listed = api.get("gd-admin", f"{URL}/recommendations").json()
    assert [r["id"] for r in listed] == [rec_id]
    one = api.get("gd-admin", f"{URL}/recommendations/{rec_id}").json()
    assert one["evidence"]["detections_by_level"] == {"high": 30}
    draft = api.get("gd-admin", f"{URL}/recommendations/{rec_id}/draft").json()
    assert draft["recommendation_id"] == rec_id and draft["regions"] == ["440000"]
    assert_problem(api.get("bank-staff", f"{URL}/recommendations"), 403, rule="no-grant")

    own = api.get("sz-staff", f"{URL}/assessments").json()
    assert [(a["scope_kind"], a["org_id"]) for a in own] == [
        ("operator", api.world.energy_op_gd.id)
    ]
    fresh = api.get("nat-admin", f"{URL}/assessments?fresh=true&scope_kind=cell").json()
    assert {a["scope_kind"] for a in fresh} == {"cell"}
    assert_problem(api.get("nat-admin", f"{URL}/recommendations/nope"), 404)
