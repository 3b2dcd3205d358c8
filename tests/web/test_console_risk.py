"""Risk in the console: the heatmap and recommendations, one click to a warning draft."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.web.conftest import sign_in


def test_a_recommendation_becomes_a_warning_draft_in_one_click(app_client: TestClient) -> None:
    csrf = sign_in(app_client, "analyst")
    page = app_client.get("/risk").text
    assert 'id="heatmap"' in page and "heat-" in page  # at least one coloured cell
    found = re.search(r'action="(/risk/recommendations/[^"]+/draft)"', page)
    assert found, "the demo world holds a pending recommendation"
    drafted = app_client.post(found.group(1), data={"csrf_token": csrf})
    assert drafted.status_code == 303 and drafted.headers["location"].endswith("/edit")
    editor = app_client.get(drafted.headers["location"]).text
    assert 'name="title_zh"' in editor


def test_the_dashboard_shows_the_heatmap_and_operators_draft_nothing(
    app_client: TestClient,
) -> None:
    sign_in(app_client, "leader")
    assert 'id="heatmap"' in app_client.get("/dashboard").text
    sign_in(app_client, "op.szpower")  # an operator reads its own risk, drafts no warning
    page = app_client.get("/risk")
    assert page.status_code == 200 and "/draft" not in page.text
