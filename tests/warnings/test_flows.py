"""The lifecycle end to end: draft → submit → approve → publish → adjust → lift, and cancel."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from fenghuo.audit.models import AuditRecord
from fenghuo.errors import Invalid, InvalidTransition, NotFound
from fenghuo.notification import flows as notification_flows
from fenghuo.settings import Settings
from fenghuo.warnings import cap, flows, keys, reach, service, signing
from fenghuo.warnings.schemas import WarningUpdate
from tests.warnings.conftest import People, warning_in


def publish(session: Session, people: People, settings: Settings, **overrides: object) -> str:
    draft = flows.draft_warning(
        session=session, actor=people["gd-analyst"], warning_in=warning_in(**overrides)
    )
    flows.submit_warning(session=session, actor=people["gd-analyst"], warning_id=draft.id)
    flows.approve_warning(session=session, actor=people["gd-leader"], warning_id=draft.id)
    flows.publish_warning(
        session=session, actor=people["gd-leader"], settings=settings, warning_id=draft.id
    )
    return draft.id


def test_a_warning_goes_from_draft_to_lifted_with_cap_messages_that_reference_each_other(
    session: Session, people: People, settings: Settings
) -> None:
    warning_id = publish(session, people, settings)
    warning = service.get_or_raise(session=session, warning_id=warning_id)
    assert warning.state == "published"
    assert warning.identifier.startswith("FH-W-")
    flows.adjust_warning(
        session=session,
        actor=people["gd-leader"],
        settings=settings,
        warning_id=warning_id,
        changes=WarningUpdate(colour="yellow", reason="the campaign slowed down"),
    )
    flows.lift_warning(
        session=session,
        actor=people["gd-leader"],
        settings=settings,
        warning_id=warning_id,
        reason="no further attacks for 72 h",
    )
    assert warning.state == "lifted"
    assert [v.colour for v in service.versions(session, warning)] == ["orange", "yellow"]
    alert, update, lifted = service.cap_messages(session, warning)
    assert (alert.msg_type, update.msg_type, lifted.msg_type) == ("Alert", "Update", "Update")
    assert update.refs == alert.reference()
    assert lifted.refs == f"{alert.reference()} {update.reference()}"
    assert "<responseType>AllClear</responseType>" in lifted.xml
    trusted = list(keys.trusted(settings))
    for message in (alert, update, lifted):
        assert cap.validate(message.xml.encode()) == []
        assert signing.verify(message.xml.encode(), trusted).valid
    audited = session.execute(
        select(AuditRecord.action, AuditRecord.legal_basis)
        .where(AuditRecord.target_id == warning_id)
        .order_by(AuditRecord.seq)
    ).all()
    assert [tuple(row) for row in audited] == [
        ("warnings.warnings.draft", "Art. 54"),
        ("warnings.warnings.submit", "Art. 54"),
        ("warnings.warnings.approve", "Art. 51"),
        ("warnings.warnings.publish", "Art. 54"),
        ("warnings.warnings.adjust", "Art. 54"),
        ("warnings.warnings.lift", "Art. 54"),
    ]


def test_publishing_notifies_the_operators_in_scope_and_status_tells_who_acknowledged(
    session: Session, people: People, settings: Settings
) -> None:
    warning_id = publish(session, people, settings)
    warning = service.get_or_raise(session=session, warning_id=warning_id)
    reached = {o.name_en for o in reach.recipients(session, people["gd-leader"], warning)}
    assert reached == {"Shenzhen Power"}  # energy in Guangdong; not Shanghai Gas or the bank
    before = reach.status(session, people["gd-leader"], warning)
    assert [r.org_name for r in before.pending] == ["Shenzhen Power"]
    assert before.acknowledged == []
    notification_flows.acknowledge(session, people["sz-staff"], warning.notification_ids[-1])
    after = reach.status(session, people["gd-leader"], warning)
    assert [r.org_name for r in after.acknowledged] == ["Shenzhen Power"]
    assert after.pending == []


def test_cancelling_a_published_warning_emits_a_cap_cancel_referencing_the_alert(
    session: Session, people: People, settings: Settings
) -> None:
    warning_id = publish(session, people, settings)
    flows.cancel_warning(
        session=session,
        actor=people["gd-leader"],
        settings=settings,
        warning_id=warning_id,
        reason="issued in error: wrong province",
    )
    warning = service.get_or_raise(session=session, warning_id=warning_id)
    alert, cancel = service.cap_messages(session, warning)
    assert cancel.msg_type == "Cancel"
    assert cancel.refs == alert.reference()


def test_cancelling_a_draft_emits_no_cap_message(
    session: Session, people: People, settings: Settings
) -> None:
    draft = flows.draft_warning(
        session=session, actor=people["gd-analyst"], warning_in=warning_in()
    )
    flows.cancel_warning(
        session=session,
        actor=people["gd-leader"],
        settings=settings,
        warning_id=draft.id,
        reason="duplicate of another draft",
    )
    assert draft.state == "cancelled"
    assert service.cap_messages(session, draft) == []


def test_a_published_warning_cannot_be_edited_as_a_draft(
    session: Session, people: People, settings: Settings
) -> None:
    warning_id = publish(session, people, settings)
    with pytest.raises(InvalidTransition):
        flows.update_draft(
            session=session,
            actor=people["gd-analyst"],
            warning_id=warning_id,
            changes=WarningUpdate(title_en="Changed quietly"),
        )
    warning = service.get_or_raise(session=session, warning_id=warning_id)
    assert warning.title_en == "Ransomware targeting power companies"


def test_lifting_needs_a_reason(session: Session, people: People, settings: Settings) -> None:
    warning_id = publish(session, people, settings)
    with pytest.raises(Invalid) as error:
        flows.lift_warning(
            session=session,
            actor=people["gd-leader"],
            settings=settings,
            warning_id=warning_id,
            reason="  ",
        )
    assert (error.value.field, error.value.rule) == ("reason", "reason-required")


def test_an_unknown_region_is_invalid_naming_the_field(session: Session, people: People) -> None:
    with pytest.raises(Invalid) as error:
        flows.draft_warning(
            session=session, actor=people["nat-analyst"], warning_in=warning_in(regions=["990000"])
        )
    assert (error.value.field, error.value.rule) == ("regions.0", "region")


def test_drafts_are_hidden_from_operators_but_published_warnings_reach_those_in_scope(
    session: Session, people: People, settings: Settings
) -> None:
    draft = flows.draft_warning(
        session=session, actor=people["gd-analyst"], warning_in=warning_in()
    )
    with pytest.raises(NotFound):
        service.get(session=session, actor=people["sz-staff"], warning_id=draft.id)
    warning_id = publish(session, people, settings)
    assert service.get(session=session, actor=people["sz-staff"], warning_id=warning_id)
    with pytest.raises(NotFound):
        service.get(session=session, actor=people["gas-staff"], warning_id=warning_id)


def test_a_national_warning_reaches_the_departments_and_operators_it_concerns(
    session: Session, people: People, settings: Settings
) -> None:
    nat, leader = people["nat-analyst"], people["nat-leader"]
    draft = flows.draft_warning(session=session, actor=nat, warning_in=warning_in())
    flows.submit_warning(session=session, actor=nat, warning_id=draft.id)
    flows.approve_warning(session=session, actor=leader, warning_id=draft.id)
    flows.publish_warning(session=session, actor=leader, settings=settings, warning_id=draft.id)
    reached = {o.name_en for o in reach.recipients(session, leader, draft)}
    assert reached == {"Energy", "Guangdong", "Shenzhen Power"}
    for who in ("energy-analyst", "gd-analyst", "sz-staff"):
        assert service.get(session=session, actor=people[who], warning_id=draft.id)
    for who in ("gas-staff", "bank-staff"):
        with pytest.raises(NotFound):
            service.get(session=session, actor=people[who], warning_id=draft.id)
