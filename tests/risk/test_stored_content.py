"""What a refresh stores for each scope is the schema's JSON of its assessment.

``refresh`` builds the stored ``content`` directly, without a pydantic model per scope
(``assessing.scope_json``); this holds it to ``Assessment.model_dump(mode="json")``: the
same keys in the same order, the same numbers (an int where the schema says float would
be written ``1`` instead of ``1.0``).
"""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from fenghuo.authority import Actor
from fenghuo.risk import service
from fenghuo.risk.models import RiskAssessment
from tests.factories.incidents import report
from tests.risk.conftest import NOW, People, add_detections, quiet_history


def test_each_stored_content_is_the_schemas_json_of_the_assessment(
    session: Session, people: People, system_actor: Actor
) -> None:
    quiet_history(session, people.world.energy_op_sh, per_window=2)
    report(session, people.sz_staff, discovered_at=NOW - timedelta(hours=3),
           impact={"pi_records_citizens": 12_000_000, "people_affected": 300})  # fmt: skip
    add_detections(session, people.world.energy_op_gd, count=40, at=NOW - timedelta(minutes=20))
    computed = {
        (a.scope_kind, a.sector, a.region, a.org_id): a.model_dump(mode="json")
        for a in service.assess(session, people.nat_admin)
    }

    result = service.refresh(session, system_actor)

    rows = session.scalars(
        select(RiskAssessment).where(RiskAssessment.refresh_id == result.refresh_id)
    ).all()
    assert len(rows) == len(computed) == result.assessments
    assert any(row.content["degree"]["level"] for row in rows)  # a graded scope among them
    for row in rows:
        expected = computed[(row.scope_kind, row.sector, row.region, row.org_id)]
        assert json.dumps(row.content) == json.dumps(expected)
