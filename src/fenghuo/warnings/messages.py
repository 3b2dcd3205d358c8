"""The CAP messages of a warning: compose, sign with the issuer's key, validate, store.

REFERENCE §5.3: publish → ``Alert``; adjust → ``Update`` referencing every earlier message;
lift → ``Update`` with ``responseType=AllClear``; issued in error → ``Cancel``; exercise →
``status=Exercise``; a preview before publication → ``status=Draft`` (never stored).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from lxml import etree
from sqlalchemy.orm import Session

from fenghuo import clock
from fenghuo.accounts import policy as accounts_policy
from fenghuo.errors import Invalid
from fenghuo.settings import Settings
from fenghuo.warnings import cap, keys, service, signing
from fenghuo.warnings.enums import Audience, CapMsgType, SignatureAlgorithm
from fenghuo.warnings.models import CapMessage, EarlyWarning

RESTRICTION = {
    "zh": "仅限预警范围内的部门和网络运营者",
    "en": "departments and network operators within the warning's scope only",
}


def sender_of(settings: Settings, warning: EarlyWarning) -> str:
    """CAP ``sender``: the issuing organisation at this deployment's host (no spaces, commas)."""
    host = urlsplit(settings.public_url).hostname or "localhost"
    return f"{warning.org_id}@{host}"


def _area(warning: EarlyWarning, language: str) -> str:
    regions = [accounts_policy.region_name(code, language) for code in warning.regions]
    place = "、".join(regions) if language == "zh" else ", ".join(regions)
    if not place:
        place = "全国" if language == "zh" else "Nationwide"
    if warning.sectors:
        names = [accounts_policy.sectors().get(s, {}).get(language, s) for s in warning.sectors]
        joined = "、".join(names) if language == "zh" else ", ".join(names)
        place += f"（行业：{joined}）" if language == "zh" else f" (sectors: {joined})"
    return place


def _texts(warning: EarlyWarning, language: str) -> cap.Texts:
    return cap.Texts(
        title=getattr(warning, f"title_{language}"),
        description=getattr(warning, f"description_{language}"),
        measures=getattr(warning, f"measures_{language}"),
        sender_name=warning.organisation.name(language),
        area=_area(warning, language),
    )


def compose(
    settings: Settings,
    warning: EarlyWarning,
    *,
    identifier: str,
    msg_type: CapMsgType,
    references: list[str],
    draft: bool = False,
    all_clear: bool = False,
) -> cap.CapInput:
    """The CAP content of ``warning`` as it stands now."""
    public = warning.audience == Audience.public
    tlp = warning.tlp or "AMBER"
    status = "Draft" if draft else "Exercise" if warning.exercise else "Actual"
    web = f"{settings.public_url.rstrip('/')}/public/warnings/{warning.id}" if public else ""
    return cap.CapInput(
        identifier=identifier,
        sender=sender_of(settings, warning),
        sent=clock.now(),
        status=status,
        msg_type=msg_type,
        public=public,
        restriction=f"TLP:{tlp}; {RESTRICTION['en']}; {RESTRICTION['zh']}",
        references=references,
        colour=warning.colour,
        category=warning.category,
        exercise=warning.exercise,
        all_clear=all_clear,
        effective=warning.effective_at,
        expires=warning.expires_at,
        regions=list(warning.regions),
        zh=_texts(warning, "zh"),
        en=_texts(warning, "en"),
        web=web,
        note="演练 EXERCISE" if warning.exercise else "",
    )


def signing_key(settings: Settings, warning: EarlyWarning) -> keys.KeyPair:
    """The issuing organisation's current key (generated on first use)."""
    return keys.ensure(
        settings,
        org_id=warning.org_id,
        org_name=warning.organisation.name_en,
        algorithm=SignatureAlgorithm(settings.warning_signature),
    )


def signed_document(settings: Settings, warning: EarlyWarning, content: cap.CapInput) -> bytes:
    """The signed XML, checked against the CAP 1.2 schema before it leaves."""
    key = signing_key(settings, warning)
    document = cap.to_bytes(signing.sign(cap.build(content), key))
    issues = cap.validate(document)
    if issues:  # a Fenghuo defect, never user input: refuse rather than emit
        raise Invalid("; ".join(issues), field="cap", rule="cap-schema")
    return document


def emit(
    session: Session,
    settings: Settings,
    warning: EarlyWarning,
    msg_type: CapMsgType,
    *,
    all_clear: bool = False,
) -> CapMessage:
    """Sign and store the warning's next CAP message, referencing every earlier one."""
    earlier = service.cap_messages(session, warning)
    seq = service.next_cap_seq(session, warning)
    content = compose(
        settings,
        warning,
        identifier=f"{warning.identifier}-{seq}",
        msg_type=msg_type,
        references=[m.reference() for m in earlier],
        all_clear=all_clear,
    )
    document = signed_document(settings, warning, content)
    key = signing_key(settings, warning)
    message = CapMessage(
        warning_id=warning.id,
        seq=seq,
        identifier=content.identifier,
        sender=content.sender,
        sent_at=content.sent,
        sent=cap.cap_time(content.sent),
        msg_type=msg_type.value,
        status=content.status,
        scope="Public" if content.public else "Restricted",
        refs=" ".join(content.references),
        version=warning.version,
        algorithm=key.algorithm.value,
        key_fingerprint=key.fingerprint,
        xml=document.decode("utf-8"),
    )
    session.add(message)
    session.flush()
    return message


def preview(settings: Settings, warning: EarlyWarning) -> bytes:
    """A signed ``status=Draft`` document of a warning not yet published (not stored)."""
    content = compose(
        settings,
        warning,
        identifier=f"{warning.identifier}-draft-{warning.version}",
        msg_type=CapMsgType.alert,
        references=[],
        draft=True,
    )
    return signed_document(settings, warning, content)


def render(message: CapMessage) -> bytes:
    """A stored CAP message, byte for byte as issued."""
    return message.xml.encode("utf-8")


def parse(document: bytes) -> etree._Element:
    """Parse a CAP document safely (no entity expansion, no network)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.fromstring(document, parser=parser)
