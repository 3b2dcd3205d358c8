"""Indicator sets: values, their normal form, STIX 2.1 and CSV readers, and the matcher.

Everything here is pure (no database): ``indicators_flows`` stores what these readers
produce, and builds a ``Matcher`` from the live indicators for ingest to call per batch.
See docs/monitoring.md, *Indicator sets*.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import ipaddress
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any
from urllib.parse import urlsplit, urlunsplit

import orjson
from pydantic import AfterValidator, AwareDatetime

from fenghuo import clock
from fenghuo.monitoring.schema import NormalisedEvent


class Tlp(StrEnum):
    """FIRST TLP 2.0 labels, least to most restrictive."""

    clear = "CLEAR"
    green = "GREEN"
    amber = "AMBER"
    amber_strict = "AMBER+STRICT"
    red = "RED"


TLP_ORDER = tuple(Tlp)
DEFAULT_TLP = Tlp.amber

# STIX marking-definition ids: TLP 2.0 (OASIS common objects) and the TLP 1.0 ones built
# into STIX 2.1, which legacy feeds still send (WHITE reads as CLEAR).
TLP_MARKINGS: dict[str, Tlp] = {
    "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487": Tlp.clear,
    "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb": Tlp.green,
    "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421": Tlp.amber,
    "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003": Tlp.amber_strict,
    "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1": Tlp.red,
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": Tlp.clear,
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": Tlp.green,
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": Tlp.amber,
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": Tlp.red,
}


def strictest(labels: Iterable[Tlp]) -> Tlp | None:
    """The most restrictive of ``labels`` (None when there are none)."""
    found = list(labels)
    return max(found, key=TLP_ORDER.index) if found else None


class IndicatorType(StrEnum):
    ipv4 = "ipv4"
    ipv6 = "ipv6"
    cidr = "cidr"
    domain = "domain"
    url = "url"
    md5 = "md5"
    sha1 = "sha1"
    sha256 = "sha256"


MAX_VALUE = 2048  # the column's length
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
HASH_LENGTHS = {IndicatorType.md5: 32, IndicatorType.sha1: 40, IndicatorType.sha256: 64}
_HEX = re.compile(r"^[0-9a-f]+$")
_LABEL = r"(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)"
_DOMAIN = re.compile(rf"^{_LABEL}(?:\.{_LABEL})*$")


class BadIndicator(ValueError):
    """A value that is not what its type says, with the reason."""


def _ip(kind: IndicatorType, text: str) -> tuple[IndicatorType, str]:
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise BadIndicator(f"{text!r} is not an IP address") from None
    if network.num_addresses != 1:
        return IndicatorType.cidr, str(network)
    found = IndicatorType.ipv4 if network.version == 4 else IndicatorType.ipv6
    if kind not in (found, IndicatorType.cidr):
        raise BadIndicator(f"{text!r} is not an {kind.value} address")
    return found, str(network.network_address)


def _url(text: str) -> str:
    parts = urlsplit(text)
    if not parts.scheme or not parts.netloc:
        raise BadIndicator(f"{text!r} is not an absolute URL (scheme://host/...)")
    return urlunsplit(
        (parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, "")
    )


def normalise(kind: IndicatorType | str, value: str) -> tuple[IndicatorType, str]:
    """The canonical type and value (lower-case domains and hashes, canonical CIDR).

    A single-address CIDR (``/32``, ``/128``) becomes an address; a CIDR given with host
    bits (``10.1.2.3/8``) becomes its network (``10.0.0.0/8``).
    """
    try:
        kind = IndicatorType(kind)
    except ValueError:
        allowed = ", ".join(t.value for t in IndicatorType)
        raise BadIndicator(f"{kind!r} is not an indicator type ({allowed})") from None
    text = value.strip()
    if not text:
        raise BadIndicator("the value is empty")
    if len(text) > MAX_VALUE:
        raise BadIndicator(f"the value is longer than {MAX_VALUE} characters")
    if _CONTROL.search(text):
        raise BadIndicator("the value holds control characters")
    if kind in (IndicatorType.ipv4, IndicatorType.ipv6, IndicatorType.cidr):
        return _ip(kind, text)
    if kind is IndicatorType.domain:
        lowered = text.lower().rstrip(".")
        if len(lowered) > 253 or not _DOMAIN.match(lowered):
            raise BadIndicator(f"{text!r} is not a domain name")
        return kind, lowered
    if kind is IndicatorType.url:
        return kind, _url(text)
    lowered = text.lower()
    if len(lowered) != HASH_LENGTHS[kind] or not _HEX.match(lowered):
        raise BadIndicator(f"{text!r} is not a {kind.value} hash ({HASH_LENGTHS[kind]} hex digits)")
    return kind, lowered


@dataclass(frozen=True)
class ParsedIndicator:
    """One indicator read from a file, normalised, before it is stored."""

    type: IndicatorType
    value: str
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    confidence: int | None = None
    description: str = ""
    stix_id: str | None = None
    tlp: Tlp | None = None


@dataclass(frozen=True)
class Skipped:
    """A STIX object or pattern that was not imported, and why (never silently dropped)."""

    ref: str
    reason: str


@dataclass
class ImportFile:
    """What a file held: indicators to import, skipped objects, and the markings seen."""

    indicators: list[ParsedIndicator] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    markings: set[Tlp] = field(default_factory=set)


class IndicatorFileError(ValueError):
    """A file that cannot be imported; ``location`` names the line (or object) and field."""

    def __init__(self, location: str, field_name: str, reason: str) -> None:
        super().__init__(f"{location}, field {field_name}: {reason}")
        self.location = location
        self.field = field_name
        self.reason = reason


def clean_text(text: str, limit: int = 1000) -> str:
    """Text fit for a column: control characters (PostgreSQL refuses NUL) become spaces."""
    return _CONTROL.sub(" ", text)[:limit]


def in_utc(value: datetime) -> datetime:
    """An aware time in UTC; one that UTC cannot hold (year 9999 west of Greenwich) is refused."""
    try:
        return clock.as_utc(value)
    except OverflowError:
        raise ValueError("the time is out of range") from None


UtcTime = Annotated[AwareDatetime, AfterValidator(in_utc)]


def parse_time(text: str) -> datetime:
    """An ISO 8601 time with a zone (or a date, read as midnight UTC), in UTC."""
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if value.tzinfo is None:
        if len(text.strip()) > 10:
            raise ValueError(f"{text!r} has no time zone")
        value = value.replace(tzinfo=UTC)
    return in_utc(value)


# ---------------------------------------------------------------- STIX 2.1 patterns

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<bracket>[\[\]()])
  | (?P<string>'(?:[^'\\]|\\.)*')
  | (?P<path>[a-z0-9-]+:(?:[A-Za-z0-9_-]+|'[^']*')(?:\.(?:[A-Za-z0-9_-]+|'[^']*')|\[(?:\d+|\*)\])*)
  | (?P<op>!=|<=|>=|=|<|>)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<other>.)
    """,
    re.VERBOSE,
)
_HASH_KEYS = {
    "md5": IndicatorType.md5,
    "sha-1": IndicatorType.sha1,
    "sha1": IndicatorType.sha1,
    "sha-256": IndicatorType.sha256,
    "sha256": IndicatorType.sha256,
}
_VALUE_PATHS = {
    "ipv4-addr:value": IndicatorType.ipv4,
    "ipv6-addr:value": IndicatorType.ipv6,
    "domain-name:value": IndicatorType.domain,
    "url:value": IndicatorType.url,
}


class UnsupportedPattern(ValueError):
    """A STIX pattern outside the supported subset; the message says what is not supported."""


def _tokens(pattern: str) -> Iterator[tuple[str, str]]:
    for match in _TOKEN.finditer(pattern):
        kind = match.lastgroup or "other"
        if kind != "space":
            yield kind, match.group()


def _object_path(path: str) -> IndicatorType:
    if path in _VALUE_PATHS:
        return _VALUE_PATHS[path]
    if path.startswith("file:hashes."):
        key = path.removeprefix("file:hashes.").strip("'").lower()
        if key in _HASH_KEYS:
            return _HASH_KEYS[key]
        raise UnsupportedPattern(f"the hash {key!r} is not supported (MD5, SHA-1, SHA-256)")
    raise UnsupportedPattern(f"the object path {path} is not supported")


def _literal(token: str) -> str:
    return re.sub(r"\\(.)", r"\1", token[1:-1])


class _PatternParser:
    """A recursive-descent reader of the supported subset of STIX patterning."""

    def __init__(self, pattern: str) -> None:
        self.tokens = list(_tokens(pattern))
        self.position = 0
        self.found: list[tuple[IndicatorType, str]] = []

    def take(self) -> tuple[str, str]:
        if self.position >= len(self.tokens):
            raise UnsupportedPattern("the pattern ends too early")
        token = self.tokens[self.position]
        self.position += 1
        return token

    def parse(self) -> list[tuple[IndicatorType, str]]:
        self.observation()
        while self.position < len(self.tokens):
            _, text = self.take()
            if text.upper() != "OR":
                raise UnsupportedPattern(
                    f"{text!r} is not supported (only OR between observations)"
                )
            self.observation()
        return self.found

    def observation(self) -> None:
        _, text = self.take()
        if text != "[":
            raise UnsupportedPattern(f"expected '[' but found {text!r}")
        self.comparison()
        while True:
            _, text = self.take()
            if text == "]":
                return
            if text.upper() != "OR":
                raise UnsupportedPattern(f"{text!r} is not supported (only OR)")
            self.comparison()

    def comparison(self) -> None:
        kind, text = self.take()
        if kind != "path":
            raise UnsupportedPattern(f"expected an object path but found {text!r}")
        indicator_type = _object_path(text)
        op_kind, op = self.take()
        if op != "=":
            raise UnsupportedPattern(
                f"the operator {op} is not supported (only =)"
                if op_kind in ("op", "word")
                else f"expected an operator but found {op!r}"
            )
        value_kind, value = self.take()
        if value_kind != "string":
            raise UnsupportedPattern(f"expected a quoted string but found {value!r}")
        self.found.append((indicator_type, _literal(value)))


def parse_pattern(pattern: str) -> list[tuple[IndicatorType, str]]:
    """Comparisons ``path = 'value'`` of a STIX pattern whose parts are joined by OR.

    Supported: observation expressions in brackets, joined by ``OR``, each holding
    equality comparisons joined by ``OR``, on ``ipv4-addr:value``, ``ipv6-addr:value``,
    ``domain-name:value``, ``url:value`` and ``file:hashes.(MD5|SHA-1|SHA-256)``. Anything
    else (``AND``, other operators, qualifiers, ``FOLLOWEDBY``, other objects) raises
    ``UnsupportedPattern`` naming it, since importing half of it would change its meaning.
    """
    return _PatternParser(pattern).parse()


def _markings(refs: Any) -> set[Tlp]:
    if not isinstance(refs, list):
        return set()
    return {TLP_MARKINGS[ref] for ref in refs if isinstance(ref, str) and ref in TLP_MARKINGS}


def _stix_indicator(obj: dict[str, Any], ref: str) -> list[ParsedIndicator] | Skipped:
    if obj.get("revoked") is True:
        return Skipped(ref, "the indicator is revoked")
    if obj.get("pattern_type") != "stix":
        kind = clean_text(repr(obj.get("pattern_type")), 100)
        return Skipped(ref, f"pattern_type {kind} is not supported (stix)")
    pattern = obj.get("pattern")
    if not isinstance(pattern, str):
        return Skipped(ref, "the indicator has no pattern")
    try:
        normalised = [normalise(kind, value) for kind, value in parse_pattern(pattern)]
    except (UnsupportedPattern, BadIndicator) as exc:
        return Skipped(ref, clean_text(f"{exc} in {pattern}", 500))
    try:
        valid_from = parse_time(obj["valid_from"]) if obj.get("valid_from") else None
        valid_until = parse_time(obj["valid_until"]) if obj.get("valid_until") else None
    except (ValueError, TypeError, AttributeError) as exc:
        return Skipped(ref, clean_text(f"bad valid_from/valid_until: {exc}", 500))
    confidence = obj.get("confidence")
    description = clean_text(str(obj.get("description") or obj.get("name") or ""))
    tlp = strictest(_markings(obj.get("object_marking_refs")))
    return [
        ParsedIndicator(
            type=kind,
            value=value,
            valid_from=valid_from,
            valid_until=valid_until,
            confidence=confidence
            if isinstance(confidence, int) and 0 <= confidence <= 100
            else None,
            description=description,
            stix_id=ref if ref.startswith("indicator--") and len(ref) <= 100 else None,
            tlp=tlp,
        )
        for kind, value in normalised
    ]


def read_stix(data: bytes) -> ImportFile:
    """Indicators of a STIX 2.1 bundle (``pattern_type: stix``); the rest is reported."""
    try:
        bundle = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise IndicatorFileError("the bundle", "(json)", f"not valid JSON: {exc}") from None
    return read_bundle(bundle)


def read_bundle(bundle: Any) -> ImportFile:
    """Indicators of a decoded STIX 2.1 bundle; see ``read_stix``."""
    if not isinstance(bundle, dict) or bundle.get("type") != "bundle":
        raise IndicatorFileError("the bundle", "type", "a STIX 2.1 bundle has type 'bundle'")
    objects = bundle.get("objects", [])
    if not isinstance(objects, list):
        raise IndicatorFileError("the bundle", "objects", "must be a list")
    result = ImportFile()
    for index, obj in enumerate(objects):
        if not isinstance(obj, dict) or obj.get("type") != "indicator":
            continue  # marking definitions, identities, relationships: not indicators
        ref = clean_text(str(obj.get("id") or f"objects[{index}]"), 200)
        found = _stix_indicator(obj, ref)
        if isinstance(found, Skipped):
            result.skipped.append(found)
            continue
        result.markings |= {item.tlp for item in found if item.tlp is not None}
        result.indicators += found
    return result


# ---------------------------------------------------------------- CSV

CSV_COLUMNS = ("type", "value", "expires", "valid_from", "confidence", "description")


def _csv_row(values: dict[str, str], location: str) -> ParsedIndicator:
    try:
        kind, value = normalise(values["type"], values["value"])
    except BadIndicator as exc:
        bad_field = "type" if "indicator type" in str(exc) else "value"
        raise IndicatorFileError(location, bad_field, str(exc)) from None
    times: dict[str, datetime | None] = {}
    for name in ("expires", "valid_from"):
        try:
            times[name] = parse_time(values[name]) if values.get(name) else None
        except ValueError as exc:
            raise IndicatorFileError(location, name, f"not an ISO 8601 time: {exc}") from None
    confidence: int | None = None
    if values.get("confidence"):
        if not values["confidence"].isdigit() or int(values["confidence"]) > 100:
            raise IndicatorFileError(location, "confidence", "must be a whole number 0-100")
        confidence = int(values["confidence"])
    return ParsedIndicator(
        type=kind,
        value=value,
        valid_from=times["valid_from"],
        valid_until=times["expires"],
        confidence=confidence,
        description=clean_text(values.get("description", "")),
    )


def read_csv(text: str) -> ImportFile:
    """Rows ``type,value[,expires,valid_from,confidence,description]`` with a header line.

    Any bad row raises ``IndicatorFileError`` naming its line and field: a CSV is imported
    whole or not at all.
    """
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    for needed in ("type", "value"):
        if needed not in header:
            raise IndicatorFileError("line 1", needed, f"the header needs a {needed} column")
    unknown = [name for name in header if name not in CSV_COLUMNS]
    if unknown:
        allowed = ", ".join(CSV_COLUMNS)
        raise IndicatorFileError("line 1", unknown[0], f"unknown column (allowed: {allowed})")
    result = ImportFile()
    for row in reader:
        location = f"line {reader.line_num}"
        if None in row:
            raise IndicatorFileError(location, "(row)", "more values than columns")
        values = {k: (v or "").strip() for k, v in row.items()}
        result.indicators.append(_csv_row(values, location))
    return result


def read_file(name: str, data: bytes) -> ImportFile:
    """A ``.json`` STIX 2.1 bundle or a ``.csv`` file, by its name."""
    lowered = name.lower()
    if lowered.endswith(".json"):
        return read_stix(data)
    if lowered.endswith(".csv"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise IndicatorFileError(name, "(file)", f"not UTF-8: byte {exc.start}") from None
        return read_csv(text)
    raise IndicatorFileError(name, "(file)", "give a .json STIX 2.1 bundle or a .csv file")


# ---------------------------------------------------------------- matching


@dataclass(frozen=True, slots=True)
class LiveIndicator:
    """What the matcher needs to know of a stored indicator."""

    id: str
    set_id: str
    set_name: str
    type: IndicatorType
    value: str
    tlp: Tlp


@dataclass(frozen=True, slots=True)
class IndicatorHit:
    """An indicator found in an event, and the event field it was found in."""

    indicator_id: str
    set_id: str
    set_name: str
    type: str
    value: str
    field: str
    tlp: str

    def as_dict(self) -> dict[str, str]:
        return {
            "indicator_id": self.indicator_id,
            "set_id": self.set_id,
            "set_name": self.set_name,
            "type": self.type,
            "value": self.value,
            "field": self.field,
            "tlp": self.tlp,
        }


_HASH_FIELD = re.compile(r"(?:^|[._])(hash(es)?|md5|sha1|sha256|sha-1|sha-256)$", re.IGNORECASE)
_HASH_BY_LENGTH = {32: IndicatorType.md5, 40: IndicatorType.sha1, 64: IndicatorType.sha256}
_HASH_NAMES = {"md5": 32, "sha1": 40, "sha-1": 40, "sha256": 64, "sha-256": 64}


def hashes_in(text: str) -> Iterator[tuple[IndicatorType, str]]:
    """Hashes in a field: plain hex, or Sysmon's ``SHA256=…,MD5=…`` (IMPHASH is skipped)."""
    for part in re.split(r"[,;\s]+", text):
        name, sep, value = part.partition("=")
        if not sep:
            name, value = "", part
        value = value.strip().lower()
        length = len(value)
        if length not in _HASH_BY_LENGTH or not _HEX.match(value):
            continue
        if name and _HASH_NAMES.get(name.strip().lower()) != length:
            continue  # IMPHASH and other names: not a file hash indicators speak of
        yield _HASH_BY_LENGTH[length], value


def _url_candidates(url: str, host: str | None) -> Iterator[str]:
    text = url.strip()
    if "://" in text:
        try:
            yield _url(text)
        except BadIndicator:
            return
        return
    if host and text.startswith("/"):
        for scheme in ("http", "https"):
            try:
                yield _url(f"{scheme}://{host.strip()}{text}")
            except BadIndicator:
                return


class Matcher:
    """The live indicators, indexed for lookups that cost the same however many there are.

    Exact values (addresses, domains, URLs, hashes) are dictionary lookups. CIDR ranges are
    grouped by (IP version, prefix length): an address is masked once per prefix length in
    use and looked up, so a lookup costs at most 33 (IPv4) or 129 (IPv6) dictionary probes.
    A domain indicator matches the domain itself and every name below it (``evil.com``
    matches ``a.b.evil.com``, not ``notevil.com``).
    """

    def __init__(self, indicators: Iterable[LiveIndicator]) -> None:
        self.exact: dict[tuple[IndicatorType, str], list[LiveIndicator]] = defaultdict(list)
        self.ranges: dict[tuple[int, int], dict[int, list[LiveIndicator]]] = defaultdict(
            lambda: defaultdict(list)
        )
        self.size = 0
        for indicator in indicators:
            self.size += 1
            if indicator.type is IndicatorType.cidr:
                network = ipaddress.ip_network(indicator.value)
                key = (network.version, network.prefixlen)
                self.ranges[key][int(network.network_address)].append(indicator)
            else:
                self.exact[(indicator.type, indicator.value)].append(indicator)
        self._prefixes = sorted(self.ranges, key=lambda key: -key[1])

    def __len__(self) -> int:
        return self.size

    def ip(self, text: str) -> list[LiveIndicator]:
        """Indicators of this address: the address itself, and every range holding it.

        An IPv4-mapped IPv6 address (``::ffff:192.0.2.1``) is looked up as both.
        """
        try:
            address = ipaddress.ip_address(text.strip())
        except ValueError:
            return []
        found = self._address(address)
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            found += self._address(address.ipv4_mapped)
        return found

    def _address(
        self, address: ipaddress.IPv4Address | ipaddress.IPv6Address
    ) -> list[LiveIndicator]:
        kind = IndicatorType.ipv4 if address.version == 4 else IndicatorType.ipv6
        found = list(self.exact.get((kind, str(address)), ()))
        bits = 32 if address.version == 4 else 128
        number = int(address)
        for version, prefix in self._prefixes:
            if version != address.version:
                continue
            masked = number & (((1 << prefix) - 1) << (bits - prefix)) if prefix else 0
            found += self.ranges[(version, prefix)].get(masked, ())
        return found

    def domain(self, name: str) -> list[LiveIndicator]:
        """Indicators of this domain or of any domain above it."""
        labels = name.strip().lower().rstrip(".").split(".")
        found: list[LiveIndicator] = []
        for start in range(len(labels)):
            found += self.exact.get((IndicatorType.domain, ".".join(labels[start:])), ())
        return found

    def _candidates(self, event: NormalisedEvent) -> Iterator[tuple[str, list[LiveIndicator]]]:
        for name in ("src_ip", "dst_ip"):
            value = getattr(event.network, name)
            if value:
                yield f"network.{name}", self.ip(value)
        if event.dns.query:
            yield "dns.query", self.domain(event.dns.query)
        if event.http.host:
            host = event.http.host
            yield "http.host", self.ip(host) or self.domain(host.split(":")[0])
        if event.http.url:
            for url in _url_candidates(event.http.url, event.http.host):
                yield "http.url", list(self.exact.get((IndicatorType.url, url), ()))
        yield from self._hash_candidates(event)

    def _hash_candidates(self, event: NormalisedEvent) -> Iterator[tuple[str, list[LiveIndicator]]]:
        if event.process.hashes:
            yield "process.hashes", self._hashes(event.process.hashes)
        if event.file.hashes:
            yield "file.hashes", self._hashes(event.file.hashes)
        for key, raw in event.fields.items():
            if isinstance(raw, str) and _HASH_FIELD.search(key):
                yield f"fields.{key}", self._hashes(raw)

    def match_event(self, event: NormalisedEvent) -> list[IndicatorHit]:
        """Every indicator found in the event's addresses, names, URLs and hashes."""
        if not self.size:
            return []
        hits: dict[tuple[str, str], IndicatorHit] = {}
        for where, found in self._candidates(event):
            for indicator in found:
                if (indicator.id, where) not in hits:
                    hits[(indicator.id, where)] = IndicatorHit(
                        indicator_id=indicator.id,
                        set_id=indicator.set_id,
                        set_name=indicator.set_name,
                        type=indicator.type.value,
                        value=indicator.value,
                        field=where,
                        tlp=indicator.tlp.value,
                    )
        return list(hits.values())

    def _hashes(self, text: str) -> list[LiveIndicator]:
        found: list[LiveIndicator] = []
        for kind, value in hashes_in(text):
            found += self.exact.get((kind, value), ())
        return found

    def annotate(self, events: Iterable[NormalisedEvent]) -> list[NormalisedEvent]:
        """Each event with its hits (``indicator_hits``); events without hits stay as they are."""
        if not self.size:
            return list(events)
        annotated = []
        for event in events:
            hits = self.match_event(event)
            annotated.append(
                dataclasses.replace(event, indicator_hits=tuple(hits)) if hits else event
            )
        return annotated


def hits_json(hits: Iterable[Mapping[str, str]] | Iterable[IndicatorHit]) -> str:
    """Hits as JSON text (the archive's ``indicator_hits`` column)."""
    return orjson.dumps(
        [hit.as_dict() if isinstance(hit, IndicatorHit) else dict(hit) for hit in hits]
    ).decode()
