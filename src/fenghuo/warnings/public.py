"""What the public sees (Arts. 54(3), 55): active and archived public warnings, JSON, CAP, Atom.

Only warnings whose audience is ``public``, that are not exercises and that were published
ever reach these functions' results; a department-only or exercise warning is ``NotFound``
here whatever its state. No sign-in: the edges authorise ``public.portal.view``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from lxml import etree
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from fenghuo import clock
from fenghuo.accounts import policy as accounts_policy
from fenghuo.errors import NotFound
from fenghuo.warnings import messages, policy, service
from fenghuo.warnings.enums import Audience, Colour, WarningState
from fenghuo.warnings.models import EarlyWarning

ATOM_NS = "http://www.w3.org/2005/Atom"
CAP_MIME = "application/cap+xml"
RECENTLY_LIFTED = timedelta(days=30)
_A = f"{{{ATOM_NS}}}"


def _public() -> Select[EarlyWarning]:
    return select(EarlyWarning).where(
        EarlyWarning.audience == Audience.public.value,
        EarlyWarning.exercise.is_(False),
        EarlyWarning.published_at.is_not(None),
    )


def is_public(warning: EarlyWarning) -> bool:
    """Whether a warning may appear on any public output."""
    return (
        warning.audience == Audience.public
        and not warning.exercise
        and warning.published_at is not None
    )


def public_state(warning: EarlyWarning, now: datetime | None = None) -> str:
    """``active``, ``lifted``, ``cancelled`` or ``expired``, as the public page says it."""
    moment = now or clock.now()
    if warning.state == WarningState.lifted:
        return "lifted"
    if warning.state == WarningState.cancelled:
        return "cancelled"
    if warning.expires_at is not None and warning.expires_at <= moment:
        return "expired"
    return "active"


def public_active(session: Session) -> list[EarlyWarning]:
    """Public warnings in force now, most severe first, then newest."""
    now = clock.now()
    query = _public().where(
        EarlyWarning.state.in_([s.value for s in policy.IN_FORCE]),
        or_(EarlyWarning.expires_at.is_(None), EarlyWarning.expires_at > now),
    )
    rows = list(session.scalars(query.order_by(EarlyWarning.published_at.desc())).unique())
    return sorted(rows, key=lambda w: -policy.colour_rank(w.colour))


def public_archive(
    session: Session, search: str = "", *, limit: int = 50, offset: int = 0
) -> tuple[list[EarlyWarning], int]:
    """Every public warning ever published (newest first), optionally searched, and the total."""
    query = _public()
    text = search.strip()
    if text:
        pattern = f"%{text.replace('%', '').replace('_', '')}%"
        query = query.where(
            or_(
                EarlyWarning.title_zh.ilike(pattern),
                EarlyWarning.title_en.ilike(pattern),
                EarlyWarning.description_zh.ilike(pattern),
                EarlyWarning.description_en.ilike(pattern),
                EarlyWarning.identifier.ilike(pattern),
            )
        )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    ordered = query.order_by(EarlyWarning.published_at.desc(), EarlyWarning.id)
    rows = session.scalars(ordered.offset(offset).limit(limit)).unique()
    return list(rows), int(total)


def public_get(session: Session, warning_id: str) -> EarlyWarning:
    """A public warning; ``NotFound`` for anything else (department-only, exercise, draft)."""
    try:
        warning = service.get_or_raise(session=session, warning_id=warning_id)
    except NotFound:
        raise NotFound(f"no public warning {warning_id}") from None
    if not is_public(warning):
        raise NotFound(f"no public warning {warning_id}")
    return warning


def public_cap(session: Session, warning_id: str) -> bytes:
    """The latest signed CAP message of a public warning, byte for byte as issued."""
    warning = public_get(session, warning_id)
    found = service.cap_messages(session, warning)
    if not found:
        raise NotFound(f"no CAP message for warning {warning_id}")
    return messages.render(found[-1])


def public_json(session: Session, warning: EarlyWarning, base_url: str) -> dict[str, Any]:
    """The public JSON form of a public warning."""
    if not is_public(warning):
        raise NotFound(f"no public warning {warning.id}")
    base = base_url.rstrip("/")
    return {
        "id": warning.id,
        "identifier": warning.identifier,
        "status": public_state(warning),
        "level": warning.colour,
        "category": warning.category,
        "version": warning.version,
        "title": {"zh": warning.title_zh, "en": warning.title_en},
        "description": {"zh": warning.description_zh, "en": warning.description_en},
        "measures": {"zh": warning.measures_zh, "en": warning.measures_en},
        "sectors": list(warning.sectors),
        "regions": [
            {
                "code": code,
                "zh": accounts_policy.region_name(code, "zh"),
                "en": accounts_policy.region_name(code, "en"),
            }
            for code in warning.regions
        ],
        "issuer": {"zh": warning.organisation.name_zh, "en": warning.organisation.name_en},
        "effective": warning.effective_at.isoformat(),
        "expires": warning.expires_at.isoformat() if warning.expires_at else None,
        "published": warning.published_at.isoformat() if warning.published_at else None,
        "lifted": warning.lifted_at.isoformat() if warning.lifted_at else None,
        "links": {
            "html": f"{base}/public/warnings/{warning.id}",
            "cap": f"{base}/public/warnings/{warning.id}.cap",
            "json": f"{base}/public/warnings/{warning.id}.json",
        },
        "versions": [
            {"number": v.number, "change": v.change, "level": v.colour, "at": v.made_at.isoformat()}
            for v in service.versions(session, warning)
        ],
    }


def feed_warnings(session: Session) -> list[EarlyWarning]:
    """What the Atom feed carries: active public warnings and those lifted recently."""
    since = clock.now() - RECENTLY_LIFTED
    lifted = _public().where(
        EarlyWarning.state == WarningState.lifted.value, EarlyWarning.lifted_at >= since
    )
    recent = list(session.scalars(lifted.order_by(EarlyWarning.lifted_at.desc())).unique())
    return [*public_active(session), *recent]


def _updated(warning: EarlyWarning) -> datetime:
    return warning.lifted_at or warning.cancelled_at or warning.updated_at or clock.now()


def _sub(
    parent: etree._Element, name: str, text: str | None = None, **attrs: str
) -> etree._Element:
    element = etree.SubElement(parent, f"{_A}{name}", **attrs)
    if text is not None:
        element.text = text
    return element


def atom_feed(session: Session, base_url: str) -> bytes:
    """The Atom 1.0 feed of public, non-exercise warnings (active and recently lifted)."""
    base = base_url.rstrip("/")
    warnings = feed_warnings(session)
    feed = etree.Element(f"{_A}feed", nsmap={None: ATOM_NS})
    feed.set("{http://www.w3.org/XML/1998/namespace}lang", "zh-CN")
    _sub(feed, "id", f"{base}/public/warnings.atom")
    _sub(feed, "title", "烽火 网络安全预警 / Fenghuo cybersecurity warnings")
    updated = max((_updated(w) for w in warnings), default=clock.now())
    _sub(feed, "updated", updated.isoformat())
    author = _sub(feed, "author")
    _sub(author, "name", "Fenghuo")
    _sub(feed, "link", rel="self", type="application/atom+xml", href=f"{base}/public/warnings.atom")
    _sub(feed, "link", rel="alternate", type="text/html", href=f"{base}/public/warnings")
    for warning in warnings:
        _entry(feed, warning, base)
    return bytes(etree.tostring(feed, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _entry(feed: etree._Element, warning: EarlyWarning, base: str) -> None:
    entry = _sub(feed, "entry")
    state = public_state(warning)
    prefix = {"lifted": "【已解除】", "cancelled": "【已撤销】"}.get(state, "")
    colour_zh = policy.COLOUR_ZH[Colour(warning.colour)]
    _sub(entry, "id", f"urn:fenghuo:warning:{warning.identifier}")
    _sub(entry, "title", f"{prefix}{colour_zh}预警：{warning.title_zh} / {warning.title_en}")
    _sub(entry, "updated", _updated(warning).isoformat())
    if warning.published_at is not None:
        _sub(entry, "published", warning.published_at.isoformat())
    author = _sub(entry, "author")
    _sub(author, "name", warning.organisation.name_zh)
    page = f"{base}/public/warnings/{warning.id}"
    _sub(entry, "link", rel="alternate", type="text/html", href=page)
    _sub(entry, "link", rel="alternate", type=CAP_MIME, href=f"{page}.cap")
    _sub(entry, "link", rel="related", type="application/json", href=f"{page}.json")
    _sub(entry, "category", term=warning.colour, label=f"{colour_zh}预警")
    _sub(entry, "summary", f"{warning.description_zh}\n\n{warning.description_en}")
