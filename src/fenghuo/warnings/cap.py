"""CAP 1.2 documents of warnings (OASIS CAP 1.2; mapping per REFERENCE §5.3).

``build`` turns a frozen ``CapInput`` into an ``<alert>`` element; ``validate`` checks a
document against the packaged OASIS schema (``CAP-v1.2.xsd``) and returns the issues (an
empty list when valid). Times go out in China Standard Time (``+08:00``), as CAP's
``dateTime`` pattern requires an explicit offset and no fractions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from importlib import resources

from lxml import etree

from fenghuo.warnings.enums import CapMsgType, Colour
from fenghuo.warnings.policy import CAP_GRADE, COLOUR_ZH, cap_category, labelled

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
CST = timezone(timedelta(hours=8), "CST")
LEVEL_VALUE_NAME = "fenghuo:warning-level"
CATEGORY_VALUE_NAME = "fenghuo:gbt20986-category"
GEOCODE_VALUE_NAME = "GB/T2260"
_C = f"{{{CAP_NS}}}"


@dataclass(frozen=True)
class Texts:
    """The texts of one language block."""

    title: str
    description: str
    measures: str
    sender_name: str
    area: str


@dataclass(frozen=True)
class CapInput:
    """Everything a CAP message of a warning says."""

    identifier: str
    sender: str
    sent: datetime
    status: str  # Actual, Exercise or Draft
    msg_type: CapMsgType
    public: bool
    restriction: str
    references: Sequence[str]
    colour: str
    category: str
    exercise: bool
    all_clear: bool
    effective: datetime
    expires: datetime | None
    regions: Sequence[str]
    zh: Texts
    en: Texts
    web: str = ""
    note: str = ""


def cap_time(value: datetime) -> str:
    """A CAP ``dateTime``: ``2026-11-28T16:30:00+08:00``."""
    return value.astimezone(CST).replace(microsecond=0).isoformat()


def _text(parent: etree._Element, name: str, value: str) -> etree._Element:
    element = etree.SubElement(parent, f"{_C}{name}")
    element.text = value
    return element


def _pair(parent: etree._Element, name: str, value_name: str, value: str) -> None:
    element = etree.SubElement(parent, f"{_C}{name}")
    _text(element, "valueName", value_name)
    _text(element, "value", value)


def build(message: CapInput) -> etree._Element:
    """The ``<alert>`` element of ``message`` (unsigned)."""
    alert = etree.Element(f"{_C}alert", nsmap={None: CAP_NS})
    _text(alert, "identifier", message.identifier)
    _text(alert, "sender", message.sender)
    _text(alert, "sent", cap_time(message.sent))
    _text(alert, "status", message.status)
    _text(alert, "msgType", message.msg_type.value)
    _text(alert, "source", "Fenghuo")
    _text(alert, "scope", "Public" if message.public else "Restricted")
    if not message.public:
        _text(alert, "restriction", message.restriction)
    if message.note:
        _text(alert, "note", message.note)
    if message.references:
        _text(alert, "references", " ".join(message.references))
    for language, texts in (("zh-CN", message.zh), ("en-US", message.en)):
        _info(alert, message, language, texts)
    return alert


def _info(alert: etree._Element, message: CapInput, language: str, texts: Texts) -> None:
    colour = Colour(message.colour)
    grade = CAP_GRADE[colour]
    zh = language == "zh-CN"
    info = etree.SubElement(alert, f"{_C}info")
    _text(info, "language", language)
    _text(info, "category", cap_category(message.category))
    event = (
        f"{COLOUR_ZH[colour]}网络安全预警"
        if zh
        else f"{colour.value.title()} cybersecurity warning"
    )
    _text(info, "event", labelled(event, exercise=message.exercise, language=language[:2]))
    response = "AllClear" if message.all_clear else grade.response_type
    _text(info, "responseType", response)
    _text(info, "urgency", "Past" if message.all_clear else grade.urgency)
    _text(info, "severity", grade.severity)
    _text(info, "certainty", grade.certainty)
    _pair(info, "eventCode", LEVEL_VALUE_NAME, colour.value)
    _text(info, "effective", cap_time(message.effective))
    if message.expires is not None:
        _text(info, "expires", cap_time(message.expires))
    _text(info, "senderName", texts.sender_name)
    _text(info, "headline", labelled(texts.title, exercise=message.exercise, language=language[:2]))
    _text(info, "description", texts.description)
    _text(info, "instruction", texts.measures)
    if message.web:
        _text(info, "web", message.web)
    _pair(info, "parameter", CATEGORY_VALUE_NAME, message.category)
    area = etree.SubElement(info, f"{_C}area")
    _text(area, "areaDesc", texts.area)
    for code in message.regions:
        _pair(area, "geocode", GEOCODE_VALUE_NAME, code)


@lru_cache(maxsize=1)
def _schema() -> etree.XMLSchema:
    source = resources.files("fenghuo.warnings").joinpath("CAP-v1.2.xsd").read_bytes()
    return etree.XMLSchema(etree.fromstring(source))


def validate(document: bytes | etree._Element) -> list[str]:
    """The ways ``document`` breaks the CAP 1.2 schema; empty when it is valid."""
    if isinstance(document, bytes):
        try:
            document = etree.fromstring(document, parser=etree.XMLParser(resolve_entities=False))
        except etree.XMLSyntaxError as exc:
            return [f"not well-formed XML: {exc}"]
    schema = _schema()
    if schema.validate(document):
        return []
    return [f"line {error.line}: {error.message}" for error in schema.error_log]


def to_bytes(alert: etree._Element) -> bytes:
    """The document as UTF-8 bytes with an XML declaration (no pretty-printing after signing)."""
    return bytes(etree.tostring(alert, xml_declaration=True, encoding="UTF-8"))
