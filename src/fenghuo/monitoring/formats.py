"""Format detection and parsers: each step returns flat fields or rejects the line with a reason."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

EVTX_JSON = "evtx_json"
WINDOWS_JSON = "windows_json"
SURICATA_EVE = "suricata_eve"
SYSLOG_5424 = "syslog_5424"
SYSLOG_3164 = "syslog_3164"
AUTO = "auto"
FORMATS = (EVTX_JSON, WINDOWS_JSON, SURICATA_EVE, SYSLOG_5424, SYSLOG_3164)
SYSLOG_FIELDS = ("facility", "severity", "pri")
# Which field mapping (mappings/<name>.yaml) each format uses.
MAPPING_OF = {
    EVTX_JSON: "windows",
    WINDOWS_JSON: "windows",
    SURICATA_EVE: "suricata_eve",
    SYSLOG_5424: "syslog",
    SYSLOG_3164: "syslog",
}
# Keys of flat Windows shippers (NXLog, Winlogbeat-style) that tell them from other JSON.
WINDOWS_MARKERS = ("Channel", "SourceName", "ProviderGuid", "Provider", "Computer", "Hostname")


class Rejected(Exception):
    """A line that cannot be taken, and why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Parsed:
    """A parsed line: its format and its flat fields, values as they came."""

    format: str
    fields: dict[str, Any]


def load_json(text: str) -> dict[str, Any]:
    """Decode one JSON object."""
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise Rejected(f"not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise Rejected(f"a JSON {type(value).__name__} where an object was expected")
    return value


def detect_json(obj: dict[str, Any]) -> str:
    """The format of a JSON event, from the keys it carries."""
    event = obj.get("Event")
    if isinstance(event, dict) and "System" in event:
        return EVTX_JSON
    if "event_type" in obj and "timestamp" in obj:
        return SURICATA_EVE
    if "EventID" in obj:
        for key in WINDOWS_MARKERS:  # a loop, not any(...): this runs for every event
            if key in obj:
                return WINDOWS_JSON
    raise Rejected(
        "a JSON object of no known format (expected Event.System, EventID with Channel, "
        "or event_type with timestamp)"
    )


def _put(fields: dict[str, Any], key: str, value: Any) -> None:
    # evtx_dump renders XML: {"#text": v, "#attributes": {...}}; attributes join their name.
    if not isinstance(value, dict):
        fields[key] = value
        return
    for name, inner in value.items():
        if name == "#text":
            fields[key] = inner
        elif name == "#attributes" and isinstance(inner, dict):
            for attribute, attribute_value in inner.items():
                fields[f"{key}{attribute}"] = attribute_value
        else:
            _put(fields, f"{key}{name}", inner)


def _put_section(fields: dict[str, Any], section: str, data: Any) -> None:
    if not isinstance(data, dict):
        if data is not None:
            fields[section] = data
        return
    for key, value in data.items():
        if key == "#attributes":
            continue
        # UserData wraps its values in one element named after the event's template.
        if section == "UserData" and isinstance(value, dict) and "#text" not in value:
            for inner_key, inner in value.items():
                if inner_key != "#attributes":
                    _put(fields, inner_key, inner)
        else:
            _put(fields, key, value)


def flatten_evtx(obj: dict[str, Any]) -> dict[str, Any]:
    """Flatten ``{"Event": {"System": ..., "EventData": ...}}`` into one level of fields."""
    event = obj.get("Event")
    if not isinstance(event, dict) or not isinstance(event.get("System"), dict):
        raise Rejected("Event.System is missing or not an object")
    fields: dict[str, Any] = {}
    for key, value in event["System"].items():
        _put(fields, key, value)
    for section in ("EventData", "UserData"):
        _put_section(fields, section, event.get(section))
    if "EventID" not in fields:
        raise Rejected("Event.System has no EventID")
    return fields


def check_windows(obj: dict[str, Any]) -> dict[str, Any]:
    """A flat Windows event is taken as it is; it must carry an EventID."""
    if "EventID" not in obj:
        raise Rejected("a flat Windows event needs an EventID")
    return obj


def _flatten_into(fields: dict[str, Any], prefix: str, value: Any) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _flatten_into(fields, f"{prefix}.{key}" if prefix else str(key), inner)
    elif isinstance(value, list) and any(isinstance(item, dict) for item in value):
        for index, item in enumerate(value):
            _flatten_into(fields, f"{prefix}.{index}", item)
    else:
        fields[prefix] = value


def flatten_suricata(obj: dict[str, Any]) -> dict[str, Any]:
    """Flatten an EVE record with dotted names (``alert.signature``)."""
    if not isinstance(obj.get("event_type"), str):
        raise Rejected("an EVE record needs event_type as text")
    if not isinstance(obj.get("timestamp"), str):
        raise Rejected("an EVE record needs timestamp as text")
    fields: dict[str, Any] = {}
    _flatten_into(fields, "", obj)
    return fields


_PRI = r"<(?P<pri>\d{1,3})>"
_SD = r'(?P<sd>-|(?:\[(?:[^\]\\"]|\\.|"(?:[^"\\]|\\.)*")*\])+)'
_RFC5424 = re.compile(
    _PRI + r"1 (?P<timestamp>\S+) (?P<hostname>\S+) (?P<app_name>\S+) (?P<procid>\S+) "
    r"(?P<msgid>\S+) " + _SD + r"(?: (?P<msg>.*))?",
    re.DOTALL,
)
_RFC3164 = re.compile(
    _PRI + r"(?P<timestamp>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d) (?P<hostname>\S+) (?P<rest>.*)",
    re.DOTALL,
)
_TAG = re.compile(
    r"(?P<app_name>[^\s:\[\]]{1,48})(?:\[(?P<procid>[^\]]*)\])?: ?(?P<msg>.*)", re.DOTALL
)


def _pri(fields: dict[str, Any], text: str) -> None:
    pri = int(text)
    if pri > 191:
        raise Rejected(f"syslog priority {pri} is above 191")
    fields.update(pri=pri, facility=pri // 8, severity=pri % 8)


def parse_5424(text: str) -> dict[str, Any]:
    """Parse an RFC 5424 line; ``-`` (nil) values become absent."""
    match = _RFC5424.fullmatch(text)
    if match is None:
        raise Rejected(
            "not an RFC 5424 syslog line (<PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG)"
        )
    fields: dict[str, Any] = {}
    _pri(fields, match["pri"])
    for name in ("timestamp", "hostname", "app_name", "procid", "msgid"):
        if match[name] != "-":
            fields[name] = match[name]
    if match["sd"] != "-":
        fields["structured_data"] = match["sd"]
    if match["msg"] is not None:
        fields["msg"] = match["msg"]
    return fields


def parse_3164(text: str) -> dict[str, Any]:
    """Parse a BSD (RFC 3164) line; the tag, when present, gives the program and its pid."""
    match = _RFC3164.fullmatch(text)
    if match is None:
        raise Rejected("not an RFC 3164 syslog line (<PRI>Mmm dd hh:mm:ss HOST MSG)")
    fields: dict[str, Any] = {"timestamp": match["timestamp"], "hostname": match["hostname"]}
    _pri(fields, match["pri"])
    tag = _TAG.fullmatch(match["rest"])
    if tag is None:
        fields["msg"] = match["rest"]
    else:
        fields["app_name"] = tag["app_name"]
        if tag["procid"] is not None:
            fields["procid"] = tag["procid"]
        fields["msg"] = tag["msg"]
    return fields


def _syslog(text: str, declared: str) -> Parsed:
    if declared == SYSLOG_5424 or (declared == AUTO and re.match(_PRI + "1 ", text)):
        return Parsed(SYSLOG_5424, parse_5424(text))
    return Parsed(SYSLOG_3164, parse_3164(text))


_JSON_STEPS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    EVTX_JSON: flatten_evtx,
    WINDOWS_JSON: check_windows,
    SURICATA_EVE: flatten_suricata,
}


def parse(text: str, declared: str = AUTO) -> Parsed:
    """Validate and parse one line in the declared format, or detect it (``auto``)."""
    if declared in (SYSLOG_5424, SYSLOG_3164):
        return _syslog(text, declared)
    if declared == AUTO and text.startswith("<"):
        return _syslog(text, declared)
    if declared != AUTO and declared not in _JSON_STEPS:
        raise Rejected(f"unknown format {declared!r}")
    obj = load_json(text)
    detected = detect_json(obj) if declared == AUTO else declared
    return Parsed(detected, _JSON_STEPS[detected](obj))
