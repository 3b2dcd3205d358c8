"""The whole matrix: every role x every action x every kind of actor organisation x every target.

The expectations below are written from the law and the product's intent, independently of
``rules.yaml``, so a change to the rules that breaks them fails here with a list of cells.
"""

from __future__ import annotations

import itertools

import pytest

from fenghuo.authority import Actor, ActorKind, OrgRef, Policy, Target, check

NATIONAL = OrgRef(id="n", kind="national_coordinator", path="/n/", name="National")
COUNCIL = OrgRef(id="sc", kind="state_council_office", path="/n/sc/", name="Council")
ENERGY = OrgRef(id="e", kind="sector_department", path="/n/e/", sector="energy", name="Energy")
GUANGDONG = OrgRef(id="gd", kind="provincial_department", path="/n/gd/", region="440000", name="GD")
CERT = OrgRef(id="c", kind="professional_institution", path="/n/c/", name="CERT")
SZ_POWER = OrgRef(
    id="op1",
    kind="network_operator",
    path="/n/e/op1/",
    sector="energy",
    region="440300",
    name="SZ Power",
)
SZ_POWER_BRANCH = OrgRef(
    id="op1b",
    kind="network_operator",
    path="/n/e/op1/op1b/",
    sector="energy",
    region="440300",
    name="SZ Power branch",
)
SH_BANK = OrgRef(
    id="op2",
    kind="network_operator",
    path="/n/f/op2/",
    sector="finance",
    region="310000",
    name="SH Bank",
)
GZ_BANK = OrgRef(
    id="op3",
    kind="network_operator",
    path="/n/f/op3/",
    sector="finance",
    region="440100",
    name="GZ Bank",
)
SH_GAS = OrgRef(
    id="op4",
    kind="network_operator",
    path="/n/e/op4/",
    sector="energy",
    region="310000",
    name="SH Gas",
)

ACTOR_ORGS = {
    "national": NATIONAL,
    "council": COUNCIL,
    "energy_dept": ENERGY,
    "guangdong": GUANGDONG,
    "cert": CERT,
    "sz_power": SZ_POWER,
}
TARGET_ORGS = {
    "national": NATIONAL,
    "energy_dept": ENERGY,
    "guangdong": GUANGDONG,
    "sz_power": SZ_POWER,
    "sz_power_branch": SZ_POWER_BRANCH,
    "sh_bank": SH_BANK,
    "gz_bank": GZ_BANK,
    "sh_gas": SH_GAS,
}

# Art. 51-55: what each kind of organisation may see (its own subtree always).
SEES: dict[str, set[str]] = {
    "national": set(TARGET_ORGS),
    "council": set(TARGET_ORGS),
    "energy_dept": {"energy_dept", "sz_power", "sz_power_branch", "sh_gas"},
    "guangdong": {"guangdong", "sz_power", "sz_power_branch", "gz_bank"},
    "cert": set(),
    "sz_power": {"sz_power", "sz_power_branch"},
}
# The part of its tree an organisation owns (for operator staff reading their own people).
OWNS: dict[str, set[str]] = {
    "national": set(TARGET_ORGS),
    "council": set(),
    "energy_dept": {"energy_dept", "sz_power", "sz_power_branch", "sh_gas"},
    "guangdong": {"guangdong"},
    "cert": set(),
    "sz_power": {"sz_power", "sz_power_branch"},
}

ALL_STAFF = {"administrator", "analyst", "approver", "duty_officer", "operator_staff", "viewer"}
# Which roles hold which organisation-scoped action, and over what ("visible" or "own").
ORG_ACTIONS: dict[str, dict[str, str]] = {
    "accounts.orgs.view": dict.fromkeys(ALL_STAFF, "visible"),
    "accounts.orgs.create": {"administrator": "visible"},
    "accounts.orgs.update": {"administrator": "visible"},
    "accounts.users.view": {
        "administrator": "visible",
        "analyst": "visible",
        "approver": "visible",
        "duty_officer": "visible",
        "operator_staff": "own",
        "viewer": "own",
    },
    "accounts.users.create": {"administrator": "visible"},
    "accounts.users.update": {"administrator": "visible"},
    "audit.view": {"administrator": "visible", "approver": "visible"},
    "monitoring.sources.view": {
        "administrator": "visible",
        "analyst": "visible",
        "approver": "visible",
        "duty_officer": "visible",
        "operator_staff": "own",
        "viewer": "own",
    },
    "monitoring.sources.manage": {"administrator": "visible"},
    "monitoring.assets.view": {
        "administrator": "visible",
        "analyst": "visible",
        "approver": "visible",
        "duty_officer": "visible",
        "operator_staff": "own",
        "viewer": "own",
    },
    "monitoring.assets.manage": {"administrator": "visible"},
    # A source sends as operator staff of its owner, with a token scoped to this action.
    "monitoring.events.ingest": {"administrator": "own", "operator_staff": "own"},
    "monitoring.indicators.view": {
        "administrator": "visible",
        "analyst": "visible",
        "approver": "visible",
        "duty_officer": "visible",
        "operator_staff": "own",
        "viewer": "own",
    },
    "monitoring.indicators.manage": {"administrator": "visible", "analyst": "visible"},
    # Products on assets: staff within visibility, operator staff on their own assets.
    "monitoring.products.manage": {
        "administrator": "visible",
        "analyst": "visible",
        "operator_staff": "own",
    },
    # Vulnerability exposure of operators: staff within visibility, operators their own.
    "monitoring.exposures.view": {
        "administrator": "visible",
        "analyst": "visible",
        "approver": "visible",
        "duty_officer": "visible",
        "operator_staff": "own",
        "viewer": "own",
    },
    # Art. 52: staff submit for their own organisation; the submissions flow also refuses
    # every organisation but a sector or provincial department (rule
    # submissions-from-departments, tested in tests/monitoring/test_submissions.py).
    "monitoring.submissions.create": {
        "administrator": "own",
        "analyst": "own",
        "duty_officer": "own",
    },
    # A department sees its own submissions; the coordinator's own tree is the whole tree.
    "monitoring.submissions.view": {
        "administrator": "own",
        "analyst": "own",
        "approver": "own",
        "duty_officer": "own",
        "viewer": "own",
    },
    # Detections are seen where their event's owner is seen (the asset registry decides).
    "detection.detections.view": {
        "administrator": "visible",
        "analyst": "visible",
        "approver": "visible",
        "duty_officer": "visible",
        "operator_staff": "own",
    },
    # Hunting reads raw events: staff within their visibility, operator staff their own.
    "monitoring.events.hunt": {
        "administrator": "visible",
        "analyst": "visible",
        "approver": "visible",
        "duty_officer": "visible",
        "operator_staff": "own",
    },
    # Art. 55: authorities notify organisations within their visibility; the flow also
    # refuses operators (rule operators-report-upward, tests/notification/test_flows.py).
    "notification.notifications.send": {
        "administrator": "visible",
        "analyst": "visible",
        "approver": "visible",
        "duty_officer": "visible",
    },
    "notification.notifications.view": dict.fromkeys(ALL_STAFF, "own"),
    # The flow narrows "own" to the recipient organisation itself (rule recipient-acknowledges).
    "notification.notifications.acknowledge": dict.fromkeys(ALL_STAFF - {"viewer"}, "own"),
    "notification.deliveries.view": {"administrator": "own"},
    "notification.deliveries.replay": {"administrator": "own"},
    "notification.endpoints.view": {"administrator": "own"},
    "notification.endpoints.manage": {"administrator": "own"},
    # Art. 53: the flow narrows "own" to the owner organisation itself (rule
    # plans-managed-by-owner, tests/plans/test_flows.py).
    "plans.plans.manage": {"administrator": "own"},
    # Art. 55: an incident's target is its operator. Authorities see and investigate those
    # within their visibility; operator staff report and see their own.
    "incidents.incidents.view": {
        "administrator": "visible",
        "analyst": "visible",
        "approver": "visible",
        "duty_officer": "visible",
        "operator_staff": "own",
        "viewer": "own",
    },
    "incidents.evidence.view": {
        "administrator": "visible",
        "analyst": "visible",
        "approver": "visible",
        "duty_officer": "visible",
        "operator_staff": "own",
    },
    "incidents.incidents.report": {
        "analyst": "visible",
        "duty_officer": "visible",
        "operator_staff": "own",
    },
    "incidents.incidents.update": {
        "analyst": "visible",
        "duty_officer": "visible",
        "operator_staff": "own",
    },
    "incidents.evidence.add": {
        "analyst": "visible",
        "duty_officer": "visible",
        "operator_staff": "own",
    },
    "incidents.timeline.add": {
        "analyst": "visible",
        "approver": "visible",
        "duty_officer": "visible",
        "operator_staff": "own",
    },
    # A directive only by its operator (rule directive-completed-by-its-operator, tested in
    # tests/incidents/test_flows.py).
    "incidents.tasks.complete": {
        "analyst": "visible",
        "approver": "visible",
        "duty_officer": "visible",
        "operator_staff": "own",
    },
    # Art. 53: leaders override the computed level, stating the reason.
    "incidents.level.override": {"approver": "visible"},
    "incidents.response.manage": {"approver": "visible", "duty_officer": "visible"},
    "incidents.referrals.create": {"approver": "visible", "duty_officer": "visible"},
    # Warnings of one's own organisation; which colour for which scope is the plan's
    # warning_issuers, checked in the flow (tests/warnings/test_authority.py).
    "warnings.warnings.draft": dict.fromkeys(("analyst", "duty_officer", "approver"), "own"),
    "warnings.warnings.submit": dict.fromkeys(("analyst", "duty_officer", "approver"), "own"),
    "warnings.warnings.approve": {"approver": "own"},
    "warnings.warnings.publish": {"approver": "own"},
    "warnings.warnings.adjust": {"approver": "own"},
    "warnings.warnings.lift": {"approver": "own"},
    "warnings.warnings.cancel": {"approver": "own"},
    "warnings.keys.manage": {"administrator": "own"},
    # Art. 54(2): risk within visibility; operators their own assessment only. Refresh by
    # the coordinator's administrators (rule risk-refreshed-nationally, tests/risk).
    "risk.assessments.view": {
        **dict.fromkeys(("administrator", "analyst", "approver", "duty_officer"), "visible"),
        "operator_staff": "own",
    },
    "risk.recommendations.view": dict.fromkeys(
        ("administrator", "analyst", "approver", "duty_officer"), "visible"
    ),
    "risk.assessments.refresh": {"administrator": "own"},
}
# Actions about no organisation in particular.
UNSCOPED_ACTIONS: dict[str, set[str]] = {
    "console.dashboard.view": ALL_STAFF,
    "audit.verify": {"administrator"},
    "accounts.reference.view": ALL_STAFF,
    # Only the detection workers (the system actor) process batches.
    "detection.batches.process": set(),
    # The rulebook is one national set; the flow also refuses every organisation but the
    # national coordinator and CERTs (rule rulebook-managed-nationally,
    # tests/detection/test_rulebook.py).
    "detection.rules.view": {"administrator", "analyst", "approver", "duty_officer"},
    "detection.rules.manage": {"administrator", "analyst"},
    # The vulnerability catalogue is public data every signed-in user reads; importing is
    # national: the flow also refuses every organisation but the national coordinator and
    # CERTs (rule vulnerabilities-imported-nationally, tests/monitoring/test_vulnerabilities.py).
    "monitoring.vulnerabilities.view": ALL_STAFF,
    "monitoring.vulnerabilities.import": {"administrator", "analyst"},
    # Reports go upward to any authority over the sender; the flow checks that (rule
    # reports-go-upward). Escalation and delivery are the notification worker's (system).
    "notification.reports.send": ALL_STAFF - {"viewer"},
    "notification.notifications.escalate": set(),
    "notification.deliveries.deliver": set(),
    # Every signed-in user reads plans; the flow keeps operators to the plans that bind
    # them (rule plans-that-bind-the-operator, tests/plans/test_flows.py).
    "plans.plans.view": ALL_STAFF,
    # Every signed-in user reads warnings; the flow shows drafts to the issuer's side and
    # published ones to those in scope (tests/warnings/test_flows.py).
    "warnings.warnings.view": ALL_STAFF,
}
SELF_ACTIONS = (
    "accounts.profile.view",
    "accounts.profile.update",
    "accounts.session.logout",
    "accounts.tokens.manage",
)
PUBLIC_ACTIONS = (
    "accounts.session.login",
    "public.portal.view",
    "system.health.view",
    "system.docs.view",
)


def _actor(policy: Policy, role: str, org: OrgRef) -> Actor:
    return Actor(
        kind=ActorKind.user,
        policy=policy,
        user_id=f"u-{role}-{org.id}",
        username=f"{role}@{org.id}",
        org=org,
        roles=frozenset({role}),
    )


def _expected_org_action(action: str, role: str, actor_org: str, target: str) -> bool:
    relation = ORG_ACTIONS[action].get(role)
    if relation == "visible":
        return target in SEES[actor_org] or target in OWNS[actor_org]
    if relation == "own":
        return target in OWNS[actor_org]
    return False


@pytest.mark.parametrize(
    ("role", "actor_org"), list(itertools.product(sorted(ALL_STAFF), sorted(ACTOR_ORGS)))
)
def test_matrix_cell_by_cell(policy: Policy, role: str, actor_org: str) -> None:
    actor = _actor(policy, role, ACTOR_ORGS[actor_org])
    wrong: list[str] = []
    for action, target_name in itertools.product(ORG_ACTIONS, TARGET_ORGS):
        decision = check(actor, action, Target(org=TARGET_ORGS[target_name]))
        if decision.allowed != _expected_org_action(action, role, actor_org, target_name):
            wrong.append(f"{action} on {target_name}: got {decision}")
    for action, roles in UNSCOPED_ACTIONS.items():
        if check(actor, action).allowed != (role in roles):
            wrong.append(f"{action}: got {check(actor, action)}")
    for action in SELF_ACTIONS:
        if not check(actor, action, Target(user_id=actor.user_id)).allowed:
            wrong.append(f"{action} on own account refused")
        if check(actor, action, Target(user_id="someone-else")).allowed:
            wrong.append(f"{action} on another account allowed")
    assert wrong == [], "\n".join(wrong)


def test_every_registered_action_is_in_the_matrix(policy: Policy) -> None:
    covered = {*ORG_ACTIONS, *UNSCOPED_ACTIONS, *SELF_ACTIONS, *PUBLIC_ACTIONS}
    assert set(policy.actions) - covered == set()


@pytest.mark.parametrize("action", PUBLIC_ACTIONS)
def test_public_actions_are_open_to_anonymous_visitors(policy: Policy, action: str) -> None:
    decision = check(Actor.anonymous(policy), action)
    assert decision.allowed and decision.rule == "public-action"


@pytest.mark.parametrize("action", sorted({*ORG_ACTIONS, *UNSCOPED_ACTIONS, *SELF_ACTIONS}))
def test_anonymous_visitors_are_refused_everything_else(policy: Policy, action: str) -> None:
    decision = check(Actor.anonymous(policy), action, Target(org=NATIONAL))
    assert not decision.allowed
    assert decision.rule == "authentication-required"
    assert "signed-in" in decision.reason


def test_refusal_for_missing_grant_names_role_and_action(policy: Policy) -> None:
    decision = check(
        _actor(policy, "viewer", NATIONAL), "accounts.users.create", Target(org=SZ_POWER)
    )
    assert (decision.allowed, decision.rule) == (False, "no-grant")
    assert decision.reason == "viewer may not accounts.users.create"


def test_refusal_out_of_scope_names_the_target_and_the_viewer(policy: Policy) -> None:
    decision = check(
        _actor(policy, "operator_staff", SZ_POWER), "accounts.orgs.view", Target(org=SH_BANK)
    )
    assert (decision.allowed, decision.rule) == (False, "out-of-scope")
    assert decision.reason == "organisation SH Bank is outside the visibility of SZ Power"


def test_allowed_decision_names_the_rule_and_the_article(policy: Policy) -> None:
    decision = check(
        _actor(policy, "administrator", ENERGY), "accounts.orgs.create", Target(org=SH_GAS)
    )
    assert decision.allowed
    assert decision.rule == "administrators-manage-organisations"
    assert decision.article == "Art. 51"


def test_token_scopes_narrow_what_a_token_may_do(policy: Policy) -> None:
    actor = Actor(
        kind=ActorKind.user,
        policy=policy,
        user_id="u",
        username="u",
        org=NATIONAL,
        roles=frozenset({"administrator"}),
        token_scopes=frozenset({"accounts.orgs.view"}),
    )
    assert check(actor, "accounts.orgs.view", Target(org=SH_BANK)).allowed
    refused = check(actor, "accounts.orgs.create", Target(org=SH_BANK))
    assert (refused.allowed, refused.rule) == (False, "token-scope")


def test_system_operator_may_do_everything(policy: Policy) -> None:
    actor = Actor.system(policy)
    for action in policy.actions:
        assert check(actor, action, Target(org=SH_BANK)).rule in {
            "local-system-operator",
            "public-action",
        }


def test_list_visibility_follows_the_grant_of_the_action(policy: Policy) -> None:
    from fenghuo.authority import visibility

    sector_viewer = _actor(policy, "viewer", ENERGY)
    assert visibility(sector_viewer).kind == "sector"
    assert visibility(sector_viewer, "accounts.orgs.view").kind == "sector"
    narrowed = visibility(sector_viewer, "accounts.users.view")
    assert (narrowed.kind, narrowed.org_path) == ("self", ENERGY.path)
    assert visibility(_actor(policy, "analyst", GUANGDONG), "accounts.users.view").kind == "region"
