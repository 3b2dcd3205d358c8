"""CAP 1.2 documents: every state validates against the OASIS schema and its signature
verifies, with each signature algorithm; tampering, untrusted keys and rotation."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy.orm import Session

from fenghuo.settings import Settings
from fenghuo.warnings import cap, flows, keys, messages, service, signing
from fenghuo.warnings.enums import SignatureAlgorithm
from fenghuo.warnings.schemas import WarningUpdate
from tests.warnings.conftest import People, warning_in

NS = {"cap": cap.CAP_NS, "ds": signing.DS_NS}


def documents_of_every_state(
    session: Session, people: People, settings: Settings
) -> dict[str, bytes]:
    """One CAP document per state: previews before publication, then the messages issued."""
    gd, leader = people["gd-analyst"], people["gd-leader"]
    found: dict[str, bytes] = {}
    warning = flows.draft_warning(session=session, actor=gd, warning_in=warning_in())
    found["draft"] = messages.preview(settings, warning)
    flows.submit_warning(session=session, actor=gd, warning_id=warning.id)
    found["submitted"] = messages.preview(settings, warning)
    flows.approve_warning(session=session, actor=leader, warning_id=warning.id)
    found["approved"] = messages.preview(settings, warning)
    flows.publish_warning(session=session, actor=leader, settings=settings, warning_id=warning.id)
    flows.adjust_warning(
        session=session,
        actor=leader,
        settings=settings,
        warning_id=warning.id,
        changes=WarningUpdate(colour="yellow", reason="slowing down"),
    )
    flows.lift_warning(
        session=session, actor=leader, settings=settings, warning_id=warning.id, reason="over"
    )
    issued = service.cap_messages(session, warning)
    found.update(
        zip(["published", "adjusted", "lifted"], (m.xml.encode() for m in issued), strict=True)
    )
    other = flows.draft_warning(session=session, actor=gd, warning_in=warning_in())
    for move in (flows.submit_warning, flows.approve_warning):
        move(session=session, actor=leader, warning_id=other.id)
    flows.publish_warning(session=session, actor=leader, settings=settings, warning_id=other.id)
    flows.cancel_warning(
        session=session, actor=leader, settings=settings, warning_id=other.id, reason="error"
    )
    found["cancelled"] = service.cap_messages(session, other)[-1].xml.encode()
    return found


@pytest.mark.parametrize("algorithm", list(SignatureAlgorithm))
def test_documents_of_every_state_validate_and_verify(
    session: Session, people: People, settings: Settings, algorithm: SignatureAlgorithm
) -> None:
    configured = settings.model_copy(update={"warning_signature": algorithm.value})
    documents = documents_of_every_state(session, people, configured)
    trusted = list(keys.trusted(configured))
    assert {k.algorithm for k in trusted} == {algorithm}
    expected = {
        "draft": ("Draft", "Alert"),
        "submitted": ("Draft", "Alert"),
        "approved": ("Draft", "Alert"),
        "published": ("Actual", "Alert"),
        "adjusted": ("Actual", "Update"),
        "lifted": ("Actual", "Update"),
        "cancelled": ("Actual", "Cancel"),
    }
    for state, document in documents.items():
        assert cap.validate(document) == [], state
        result = signing.verify(document, trusted)
        assert result.valid, (state, result.reason)
        assert result.algorithm == algorithm.value
        root = etree.fromstring(document)
        status = root.findtext("cap:status", namespaces=NS)
        msg_type = root.findtext("cap:msgType", namespaces=NS)
        assert (status, msg_type) == expected[state], state


@pytest.mark.parametrize("algorithm", list(SignatureAlgorithm))
def test_a_tampered_document_fails_verification_naming_why(
    session: Session, people: People, settings: Settings, algorithm: SignatureAlgorithm
) -> None:
    configured = settings.model_copy(update={"warning_signature": algorithm.value})
    document = documents_of_every_state(session, people, configured)["published"]
    trusted = list(keys.trusted(configured))
    assert signing.verify(document, trusted).valid
    changed = document.replace(b"<severity>Severe</severity>", b"<severity>Minor</severity>", 1)
    assert changed != document
    result = signing.verify(changed, trusted)
    assert not result.valid
    assert "changed" in result.reason or "does not verify" in result.reason
    root = etree.fromstring(document)
    value = root.find("ds:Signature/ds:SignatureValue", namespaces=NS)
    assert value is not None and value.text is not None
    raw = bytearray(base64.b64decode(value.text))
    raw[5] ^= 0x01
    value.text = base64.b64encode(bytes(raw)).decode()
    assert not signing.verify(etree.tostring(root), trusted).valid
    for signature in root.findall("ds:Signature", namespaces=NS):
        root.remove(signature)
    stripped = signing.verify(etree.tostring(root), trusted)
    assert not stripped.valid and "found 0" in stripped.reason


def test_a_valid_signature_by_an_unknown_key_is_not_trusted(
    session: Session, people: People, settings: Settings, tmp_path: Path
) -> None:
    document = documents_of_every_state(session, people, settings)["published"]
    stranger = settings.model_copy(update={"warning_keys_dir": tmp_path / "stranger"})
    keys.generate(stranger, org_id="x", org_name="X", algorithm=SignatureAlgorithm.ecdsa)
    result = signing.verify(document, list(keys.trusted(stranger)))
    assert not result.valid
    assert "not a trusted issuer key" in result.reason


def test_messages_signed_before_a_rotation_still_verify(
    session: Session, people: People, settings: Settings
) -> None:
    gd, leader = people["gd-analyst"], people["gd-leader"]
    warning = flows.draft_warning(session=session, actor=gd, warning_in=warning_in())
    flows.submit_warning(session=session, actor=gd, warning_id=warning.id)
    flows.approve_warning(session=session, actor=leader, warning_id=warning.id)
    flows.publish_warning(session=session, actor=leader, settings=settings, warning_id=warning.id)
    old = service.cap_messages(session, warning)[0]
    rotated = keys.generate(
        settings, org_id=warning.org_id, org_name="Guangdong", algorithm=SignatureAlgorithm.ecdsa
    )
    flows.lift_warning(
        session=session, actor=leader, settings=settings, warning_id=warning.id, reason="over"
    )
    new = service.cap_messages(session, warning)[-1]
    assert new.key_fingerprint == rotated.fingerprint != old.key_fingerprint
    trusted = list(keys.trusted(settings))
    assert signing.verify(old.xml.encode(), trusted).valid
    assert signing.verify(new.xml.encode(), trusted).valid


def _alert(document: bytes) -> etree._Element:
    return etree.fromstring(document)


def test_the_colour_maps_to_severity_urgency_and_certainty(
    session: Session, people: People, settings: Settings
) -> None:
    nat = people["nat-analyst"]
    expected = {
        "red": ("Extreme", "Immediate", "Likely", "Execute"),
        "orange": ("Severe", "Immediate", "Likely", "Prepare"),
        "yellow": ("Moderate", "Expected", "Possible", "Monitor"),
        "blue": ("Minor", "Future", "Possible", "Monitor"),
    }
    for colour, grade in expected.items():
        warning = flows.draft_warning(
            session=session, actor=nat, warning_in=warning_in(colour=colour)
        )
        root = _alert(messages.preview(settings, warning))
        for info in root.findall("cap:info", namespaces=NS):
            got = tuple(
                info.findtext(f"cap:{name}", namespaces=NS)
                for name in ("severity", "urgency", "certainty", "responseType")
            )
            assert got == grade
            assert info.findtext("cap:eventCode/cap:value", namespaces=NS) == colour
        languages = [
            i.findtext("cap:language", namespaces=NS)
            for i in root.findall("cap:info", namespaces=NS)
        ]
        assert languages == ["zh-CN", "en-US"]


def test_scope_restriction_geocodes_and_exercise_labels(
    session: Session, people: People, settings: Settings
) -> None:
    gd = people["gd-analyst"]
    departments = flows.draft_warning(session=session, actor=gd, warning_in=warning_in())
    root = _alert(messages.preview(settings, departments))
    assert root.findtext("cap:scope", namespaces=NS) == "Restricted"
    assert "TLP:AMBER" in (root.findtext("cap:restriction", namespaces=NS) or "")
    geocode = root.find("cap:info/cap:area/cap:geocode", namespaces=NS)
    assert geocode is not None
    assert geocode.findtext("cap:valueName", namespaces=NS) == "GB/T2260"
    assert geocode.findtext("cap:value", namespaces=NS) == "440000"
    public = flows.draft_warning(
        session=session, actor=gd, warning_in=warning_in(audience="public", exercise=True)
    )
    root = _alert(messages.preview(settings, public))
    assert root.findtext("cap:scope", namespaces=NS) == "Public"
    assert root.find("cap:restriction", namespaces=NS) is None
    headlines = [h.text for h in root.iterfind("cap:info/cap:headline", namespaces=NS)]
    assert headlines[0] is not None and headlines[0].startswith("【演练】")
    assert headlines[1] is not None and headlines[1].startswith("[EXERCISE]")


def test_an_exercise_warning_goes_out_with_status_exercise(
    session: Session, people: People, settings: Settings
) -> None:
    gd, leader = people["gd-analyst"], people["gd-leader"]
    warning = flows.draft_warning(
        session=session, actor=gd, warning_in=warning_in(exercise=True, audience="public")
    )
    flows.submit_warning(session=session, actor=gd, warning_id=warning.id)
    flows.approve_warning(session=session, actor=leader, warning_id=warning.id)
    flows.publish_warning(session=session, actor=leader, settings=settings, warning_id=warning.id)
    (alert,) = service.cap_messages(session, warning)
    assert alert.status == "Exercise"
    assert _alert(alert.xml.encode()).findtext("cap:status", namespaces=NS) == "Exercise"


def test_the_schema_check_reports_a_broken_document() -> None:
    broken = (
        b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>x</identifier>'
        b"<sender>s</sender><sent>2026-11-28T10:00:00Z</sent><status>Actual</status>"
        b"<msgType>Alert</msgType><scope>Public</scope></alert>"
    )
    issues = cap.validate(broken)
    assert issues and "sent" in issues[0]
    assert cap.validate(b"<alert") and cap.validate(b"<alert")[0].startswith("not well-formed")
