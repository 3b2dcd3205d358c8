"""Use cases of plans: import a new version, read plans. Authorise -> check -> change -> audit
-> emit, in the caller's transaction.

Who manages a plan (Art. 53): the national coordinator's administrators the national plan;
a sector protection department's administrators the plans of their sector. Authority grants
``plans.plans.manage`` to administrators over their own organisation; the policy here then
refuses anyone but the owner organisation itself (rule ``plans-managed-by-owner``).

Who reads a plan: staff of every authority read every plan. A network operator reads the
plans that bind it (CII Regs Art. 15(3): operators make their own plans "按照国家及行业网络
安全事件应急预案"): the national plan and the plans of its own sector (rule
``plans-that-bind-the-operator``).
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from fenghuo.accounts import service as accounts_service
from fenghuo.accounts.enums import OrgKind
from fenghuo.audit import service as audit_service
from fenghuo.authority import Actor, ActorKind, Decision, Target, require
from fenghuo.bus.outbox import emit
from fenghuo.errors import Invalid, Refused
from fenghuo.plans import loader
from fenghuo.plans import service as plan_service
from fenghuo.plans.actions import MANAGE, VIEW
from fenghuo.plans.models import Plan, PlanVersion
from fenghuo.plans.schema import PlanDocument
from fenghuo.plans.service import PlanVersionView

VERSIONED = "plans.plans.versioned"
OWNER_RULE = "plans-managed-by-owner"
BINDS_RULE = "plans-that-bind-the-operator"


def import_plan(
    *, session: Session, actor: Actor, yaml_text: str, source_name: str = "plan.yaml"
) -> PlanVersionView:
    """Store ``yaml_text`` as the next version of its plan and make it active."""
    document = loader.parse(yaml_text, name=source_name)
    owner = plan_service.owner_org(session, document)
    if owner is None and document.owner.kind == "sector_department":
        plan_service.require_owner(session, document)  # raises Invalid on ``owner``
    target = (
        Target(org=accounts_service.org_ref(owner), description=document.name) if owner else None
    )
    decision = require(actor, MANAGE, target)
    if actor.kind is not ActorKind.system and (
        owner is None or actor.org is None or actor.org.id != owner.id
    ):
        raise Refused(
            f"plan {document.name!r} belongs to {owner.name_en if owner else 'the coordinator'}; "
            "only its administrators import its versions",
            rule=OWNER_RULE,
            article="Art. 53",
        )
    return _store(session, actor, document, yaml_text, owner.id if owner else None, decision)


def install_packaged(*, session: Session, actor: Actor) -> PlanVersionView:
    """Install the packaged national plan (as the system; called by ``ensure_default_plan``)."""
    document = loader.packaged()
    owner = plan_service.owner_org(session, document)
    decision = require(actor, MANAGE)
    return _store(
        session, actor, document, loader.packaged_text(), owner.id if owner else None, decision
    )


def _store(
    session: Session,
    actor: Actor,
    document: PlanDocument,
    yaml_text: str,
    owner_id: str | None,
    decision: Decision,
) -> PlanVersionView:
    plan = plan_service.get_plan(session=session, name=document.name)
    if plan is None:
        plan = Plan(
            name=document.name,
            owner_org_id=owner_id,
            owner_kind=document.owner.kind,
            owner_sector=document.owner.sector,
            latest_version=0,
        )
        session.add(plan)
        session.flush()
    elif plan.owner_org_id is None:  # installed before the coordinator's organisation existed
        plan.owner_org_id = owner_id
    if (plan.owner_kind, plan.owner_sector) != (document.owner.kind, document.owner.sector):
        raise Invalid(
            f"plan {plan.name!r} is owned by {plan.owner_sector or plan.owner_kind}; a new "
            "version cannot change its owner",
            field="owner",
            rule="plan-owner-fixed",
        )
    session.execute(
        update(PlanVersion).where(PlanVersion.plan_id == plan.id).values(is_active=False)
    )
    plan.latest_version += 1
    row = PlanVersion(
        plan_id=plan.id,
        version=plan.latest_version,
        yaml_text=yaml_text,
        document=document.model_dump(mode="json"),
        created_by=actor.label,
        created_by_id=actor.user_id,
        is_active=True,
    )
    row.plan = plan
    session.add(row)
    session.flush()
    audit_service.record(
        session=session,
        actor=actor,
        action=MANAGE,
        target_type="plan",
        target_id=plan.id,
        target_org_id=owner_id,
        after=row.state(),
        details={"plan": plan.name, "version": row.version, "title": document.title.en},
        decision=decision,
        legal_basis="Art. 53",
        summary=f"plan {plan.name} version {row.version} imported and made active",
    )
    emit(
        session,
        VERSIONED,
        {"plan_id": plan.id, "name": plan.name, "version": row.version, "version_id": row.id},
    )
    return PlanVersionView.of(row)


def check_view(actor: Actor, plan: Plan) -> Decision:
    """May ``actor`` read ``plan``? Operators read the plans that bind them."""
    decision = require(actor, VIEW)
    org = actor.org
    if actor.kind is ActorKind.system or org is None or org.kind != OrgKind.network_operator:
        return decision
    if plan.owner_kind == "national_coordinator" or plan.owner_sector == org.sector:
        return decision
    raise Refused(
        f"plan {plan.name!r} is a plan of the {plan.owner_sector} sector; an operator reads "
        "the national plan and its own sector's plans",
        rule=BINDS_RULE,
        article="Art. 53",
    )


def visible_plans(*, session: Session, actor: Actor) -> list[Plan]:
    """The plans ``actor`` may read, by name (the national plan installed if missing)."""
    require(actor, VIEW)
    plan_service.active_plan(session)
    found = []
    for plan in plan_service.list_plans(session=session):
        try:
            check_view(actor, plan)
        except Refused:
            continue
        found.append(plan)
    return found


def get_version(
    *, session: Session, actor: Actor, name: str, version: int | None = None
) -> PlanVersionView:
    """A version of plan ``name`` (None: the active one), if the actor may read the plan."""
    if name == plan_service.NATIONAL:
        plan_service.active_plan(session)
    plan = plan_service.get_plan_or_raise(session=session, name=name)
    check_view(actor, plan)
    if version is None:
        return plan_service.active_plan(session, name)
    return PlanVersionView.of(
        plan_service.get_version_or_raise(session=session, plan=plan, version=version)
    )
