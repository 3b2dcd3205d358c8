"""Checks of incident input against the world: operators, assets, detections, plan, times."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from fenghuo.accounts import service as accounts_service
from fenghuo.accounts.enums import OrgKind
from fenghuo.accounts.models import Organisation
from fenghuo.authority import Actor
from fenghuo.detection import service as detection_service
from fenghuo.errors import Invalid, InvalidTransition, NotFound
from fenghuo.incidents.models import Incident
from fenghuo.incidents.policy import OPEN_STATES
from fenghuo.monitoring.models import Asset
from fenghuo.plans.schema import PlanDocument

OPERATOR_RULE = "incidents-of-network-operators"


def operator(session: Session, org_id: str, *, field: str) -> Organisation:
    org = accounts_service.get(session=session, org_id=org_id)
    if org is None:
        raise Invalid(f"no organisation {org_id}", field=field, rule="known-organisation")
    if org.kind != OrgKind.network_operator:
        raise Invalid(
            f"{org.name_en} is a {org.kind.replace('_', ' ')}; incidents are network operators'",
            field=field,
            rule=OPERATOR_RULE,
        )
    return org


def assets(session: Session, asset_ids: Sequence[str], org_ids: set[str]) -> list[str]:
    for index, asset_id in enumerate(asset_ids):
        asset = session.get(Asset, asset_id)
        if asset is None:
            raise Invalid(f"no asset {asset_id}", field=f"asset_ids.{index}", rule="known-asset")
        if asset.org_id not in org_ids:
            raise Invalid(
                f"asset {asset.value} belongs to no affected operator",
                field=f"asset_ids.{index}",
                rule="asset-of-affected-operator",
            )
    return list(asset_ids)


def detections(session: Session, actor: Actor, ids: Sequence[str]) -> list[str]:
    for index, detection_id in enumerate(ids):
        try:
            detection_service.read(session=session, actor=actor, detection_id=detection_id)
        except NotFound:
            raise Invalid(
                f"no detection {detection_id}",
                field=f"detection_ids.{index}",
                rule="known-detection",
            ) from None
    return list(dict.fromkeys(ids))


def check_category(document: PlanDocument, category: str) -> None:
    keys = [item.key for item in document.categories.items]
    if category not in keys:
        raise Invalid(
            f"{category!r} is not a category of the plan ({', '.join(keys)})",
            field="category",
            rule="plan-category",
        )


def check_times(now: datetime, discovered: datetime, occurred: datetime | None) -> None:
    if discovered > now:
        raise Invalid(
            "the time of discovery is in the future", field="discovered_at", rule="not-in-future"
        )
    if occurred is not None and occurred > discovered:
        raise Invalid(
            "the incident cannot occur after it was discovered",
            field="occurred_at",
            rule="occurred-before-discovered",
        )


def check_open(incident: Incident, requested: str) -> None:
    if incident.state not in OPEN_STATES:
        raise InvalidTransition(
            f"{incident.reference} is {incident.state}; it cannot be {requested}",
            current=incident.state,
            requested=requested,
        )
