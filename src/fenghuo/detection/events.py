"""Event shapes: the nested evtx form flattened into the field names Sigma rules use."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson


def _text(value: Any) -> Any:
    """evtx writes attributed elements as {"#attributes": ..., "#text": ...}."""
    if isinstance(value, dict) and "#text" in value:
        return value["#text"]
    return value


def _merge_data(out: dict[str, Any], data: Any) -> None:
    if not isinstance(data, dict):
        return
    for key, value in data.items():
        if key == "#attributes":
            continue
        if isinstance(value, dict) and "#text" not in value and key not in out:
            # UserData wraps its fields in one more element (e.g. <LogFileCleared>).
            _merge_data(out, value)
        else:
            out[key] = _text(value)


def flatten(event: Mapping[str, Any]) -> Mapping[str, Any]:
    """Return the flat form: EventData keys at top level plus EventID/Channel/Computer."""
    inner = event.get("Event")
    if not isinstance(inner, dict):
        return event  # already flat; no copy, the engine never mutates events
    system = inner.get("System") or {}
    out: dict[str, Any] = {}
    _merge_data(out, inner.get("EventData"))
    _merge_data(out, inner.get("UserData"))
    provider = (system.get("Provider") or {}).get("#attributes") or {}
    out["EventID"] = _text(system.get("EventID"))
    out["Channel"] = system.get("Channel")
    out["Computer"] = system.get("Computer")
    out["Provider_Name"] = provider.get("Name")
    return out


def as_text(value: Any) -> str | None:
    """The string a rule compares against (Sigma matches on the textual value)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return orjson.dumps(value).decode()


def all_values(event: Mapping[str, Any], sep: str) -> str:
    """Every value of an event joined by sep, for field-less keyword searches."""
    # Most values are str; only the rest pay for as_text.
    return sep.join([v if type(v) is str else as_text(v) or "" for v in event.values()])
