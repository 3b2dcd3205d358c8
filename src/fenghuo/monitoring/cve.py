"""Reading vulnerability data, as pure functions: CVE JSON 5 records, the CISA KEV catalogue,
CPE 2.3 names, version comparison and the CVE 5 version-status algorithm.

Nothing here touches the database. ``read_cve_files`` and ``read_kev`` turn bytes into
normalised records plus a list of ``RecordError`` (file or index, field, rule, reason);
``entry_status`` decides whether one product version is affected by one ``affected[]``
entry of a CVE record, and says ``unknown`` rather than guessing when versions cannot be
compared (docs/vulnerabilities.md#matching).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any
from urllib.parse import unquote

import orjson

from fenghuo import zips
from fenghuo.errors import Invalid

# --- Names ----------------------------------------------------------------------------------

_SPACES = re.compile(r"\s+")


def normalise_name(text: str) -> str:
    """A vendor or product name as CPE writes it: lower case, spaces as underscores."""
    return _SPACES.sub("_", text.strip().lower())


# --- CPE 2.3 formatted strings (NISTIR 7695, section 6.2) ------------------------------------


class Special(StrEnum):
    """The two logical values of a CPE attribute that are not strings."""

    ANY = "*"
    NA = "-"


CpeValue = str | Special
CPE_ATTRIBUTES = (
    "part",
    "vendor",
    "product",
    "version",
    "update",
    "edition",
    "language",
    "sw_edition",
    "target_sw",
    "target_hw",
    "other",
)
CPE_PREFIX = "cpe:2.3:"
PARTS = ("a", "o", "h")
# Characters a formatted-string value may carry without a backslash.
_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._-")


@dataclass(frozen=True)
class Cpe:
    """A CPE 2.3 name; each attribute a logical value (unescaped text, ANY or NA)."""

    part: str
    vendor: CpeValue
    product: CpeValue
    version: CpeValue = Special.ANY
    update: CpeValue = Special.ANY
    edition: CpeValue = Special.ANY
    language: CpeValue = Special.ANY
    sw_edition: CpeValue = Special.ANY
    target_sw: CpeValue = Special.ANY
    target_hw: CpeValue = Special.ANY
    other: CpeValue = Special.ANY

    def formatted(self) -> str:
        """The formatted-string binding: ``cpe:2.3:a:vendor:product:version:...`` (13 parts)."""
        values = [_bind(getattr(self, name)) for name in CPE_ATTRIBUTES[1:]]
        return CPE_PREFIX + ":".join([self.part, *values])

    def text(self, name: str) -> str | None:
        """Attribute ``name`` as text, or None when it is ANY or NA."""
        value = getattr(self, name)
        return None if isinstance(value, Special) else str(value)


def _bind(value: CpeValue) -> str:
    if isinstance(value, Special):
        return value.value
    return "".join(ch if ch in _PLAIN and value != "-" else "\\" + ch for ch in value)


def _cpe_invalid(field_name: str, rule: str, message: str) -> Invalid:
    return Invalid(message, field=field_name, rule=rule)


def _split_unescaped(text: str) -> list[str]:
    parts, current, escaped = [], [], False
    for ch in text:
        if escaped:
            current.append("\\" + ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == ":":
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    if escaped:
        current.append("\\")
    parts.append("".join(current))
    return parts


def _unbind(raw: str, name: str, field_name: str) -> CpeValue:
    if raw == "*":
        return Special.ANY
    if raw == "-":
        return Special.NA
    if raw == "":
        raise _cpe_invalid(field_name, "cpe-empty-attribute", f"the {name} attribute is empty")
    out: list[str] = []
    index = 0
    while index < len(raw):
        ch = raw[index]
        if ch == "\\":
            if index + 1 >= len(raw):
                raise _cpe_invalid(
                    field_name, "cpe-escape", f"the {name} attribute ends with a lone backslash"
                )
            quoted = raw[index + 1]
            if not ("\x21" <= quoted <= "\x7e") or quoted.isalnum():
                raise _cpe_invalid(
                    field_name,
                    "cpe-escape",
                    f"the {name} attribute escapes {quoted!r}, which is not "
                    "a printable punctuation character",
                )
            out.append(quoted)
            index += 2
            continue
        if ch in "*?":
            raise _cpe_invalid(
                field_name,
                "cpe-wildcard",
                f"the {name} attribute holds the wildcard {ch!r}; name one "
                "product (escape it as \\{ch} if it is part of the name)",
            )
        if ch not in _PLAIN:
            raise _cpe_invalid(
                field_name,
                "cpe-unescaped-character",
                f"the {name} attribute holds {ch!r} unescaped; only letters, "
                "digits, '.', '-' and '_' may appear without a backslash",
            )
        out.append(ch)
        index += 1
    return "".join(out)


def parse_cpe(text: str, *, field_name: str = "cpe") -> Cpe:
    """A CPE 2.3 formatted string (``cpe:2.3:part:vendor:product[:version...]``, 5-13
    components; missing trailing ones are ANY). Case is folded to lower case.

    Bad input is ``Invalid`` naming ``field_name`` and the rule: ``cpe-prefix``,
    ``cpe-components``, ``cpe-part``, ``cpe-empty-attribute``, ``cpe-escape``,
    ``cpe-wildcard``, ``cpe-unescaped-character``.
    """
    lowered = text.strip().lower()
    if not lowered.startswith(CPE_PREFIX):
        raise _cpe_invalid(
            field_name,
            "cpe-prefix",
            f"{text[:80]!r} is not a CPE 2.3 formatted string (cpe:2.3:...)",
        )
    parts = _split_unescaped(lowered[len(CPE_PREFIX) :])
    if not 3 <= len(parts) <= len(CPE_ATTRIBUTES):
        raise _cpe_invalid(
            field_name,
            "cpe-components",
            f"a CPE 2.3 name has part, vendor, product and up to 8 more "
            f"attributes; this one has {len(parts)}",
        )
    part = parts[0]
    if part not in PARTS:
        raise _cpe_invalid(
            field_name,
            "cpe-part",
            f"the part must be a (application), o (operating system) or h (hardware), not {part!r}",
        )
    values = [
        _unbind(raw, name, field_name)
        for raw, name in zip(parts[1:], CPE_ATTRIBUTES[1:], strict=False)
    ]
    return Cpe(part, *values)


def cpe_identity(text: str) -> tuple[str, str] | None:
    """(vendor, product) of a CPE 2.3 formatted string or a CPE 2.2 URI (``cpe:/a:v:p``), or
    None when it names no concrete vendor and product or cannot be read."""
    lowered = text.strip().lower()
    if lowered.startswith("cpe:/"):
        pieces = lowered[len("cpe:/") :].split(":")
        if len(pieces) < 3 or not pieces[1] or not pieces[2]:
            return None
        return normalise_name(unquote(pieces[1])), normalise_name(unquote(pieces[2]))
    try:
        cpe = parse_cpe(lowered)
    except Invalid:
        return None
    vendor, product = cpe.text("vendor"), cpe.text("product")
    if vendor is None or product is None:
        return None
    return normalise_name(vendor), normalise_name(product)


# --- Versions -------------------------------------------------------------------------------

# Pre-release words; a bare single letter (1.0.2k) is a later release, OpenSSL-style.
_PRE_WORDS = {"dev": 0, "alpha": 1, "beta": 2, "pre": 3, "preview": 3, "rc": 3}
_PRE_LETTERS = {"a": 1, "b": 2, "c": 3}
_RELEASE = re.compile(r"^v?(\d+(?:\.\d+)*)(.*)$")
_REST = re.compile(r"^[a-z0-9._-]*$")
_TOKEN = re.compile(r"[a-z]+|\d+")

Token = tuple[int, int, str]
VersionKey = tuple[tuple[int, ...], int, int, tuple[Token, ...]]


def version_key(text: str | None) -> VersionKey | None:
    """A sort key for a dotted numeric version with suffixes, or None if it is not one.

    ``1.2 == 1.2.0``; numbers compare as numbers (``1.10 > 1.9``); a leading ``v`` and
    semver build metadata (``+build``) are ignored; ``dev < alpha (a1) < beta (b1) <
    pre/preview/rc (c1) < release < anything else after it`` (``1.0.2 < 1.0.2k < 1.0.2-p1``).
    Keys of different versions compare by a total order.
    """
    if text is None:
        return None
    cleaned = text.strip().lower().split("+", 1)[0]
    match = _RELEASE.match(cleaned)
    if match is None or len(cleaned) > 100:
        return None
    numbers = [int(n) for n in match.group(1).split(".")]
    while numbers and numbers[-1] == 0:
        numbers.pop()
    release = tuple(numbers)
    rest = match.group(2)
    if not rest:
        return (release, 0, 0, ())
    if not _REST.match(rest):
        return None
    tokens = _TOKEN.findall(rest)
    if not tokens:
        return None
    first, *tail = tokens
    if first in _PRE_WORDS:
        return (release, -1, _PRE_WORDS[first], _tokens(tail))
    if first in _PRE_LETTERS and tail and tail[0].isdigit():
        return (release, -1, _PRE_LETTERS[first], _tokens(tail))
    return (release, 1, 0, _tokens(tokens))


def _tokens(tokens: Sequence[str]) -> tuple[Token, ...]:
    return tuple((1, int(t), "") if t.isdigit() else (0, 0, t) for t in tokens)


def compare_versions(a: str, b: str) -> int | None:
    """-1, 0 or 1 as ``a`` sorts before, with or after ``b``; None when either is not a
    version ``version_key`` can read (never a guess)."""
    ka, kb = version_key(a), version_key(b)
    if ka is None or kb is None:
        return None
    return (ka > kb) - (ka < kb)


# --- The CVE 5 version-status algorithm ------------------------------------------------------

STATUSES = ("affected", "unaffected", "unknown")
# Version types whose "versions" are commits: they say nothing about a release version.
SOURCE_CONTROL_TYPES = frozenset({"git", "hg", "svn", "cvs", "bzr", "fossil", "darcs"})
# A range's lower bound that means "from the beginning".
OPEN_LOWER = frozenset({"", "0", "*", "-", "n/a", "unspecified"})
# A product version that says nothing (nothing recorded).
NO_VERSION = frozenset({"", "*", "-", "n/a", "unspecified", "unknown"})


class Verdict(StrEnum):
    """What one CVE says about one product version."""

    affected = "affected"  # the version is affected
    unknown = "unknown"  # it may be: versions could not be compared, or the record has none
    unaffected = "unaffected"  # the record says it is not
    unlisted = "unlisted"  # the record lists versions, this one is not among the affected


@dataclass(frozen=True)
class Change:
    at: str
    status: str


@dataclass(frozen=True)
class VersionSpec:
    """One ``versions[]`` item of an affected entry."""

    version: str
    status: str
    less_than: str | None = None
    less_than_or_equal: str | None = None
    version_type: str | None = None
    changes: tuple[Change, ...] = ()

    @property
    def is_range(self) -> bool:
        return self.less_than is not None or self.less_than_or_equal is not None

    def as_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "status": self.status,
            "less_than": self.less_than,
            "less_than_or_equal": self.less_than_or_equal,
            "version_type": self.version_type,
            "changes": [{"at": c.at, "status": c.status} for c in self.changes],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> VersionSpec:
        return cls(
            version=data["version"],
            status=data["status"],
            less_than=data.get("less_than"),
            less_than_or_equal=data.get("less_than_or_equal"),
            version_type=data.get("version_type"),
            changes=tuple(Change(c["at"], c["status"]) for c in data.get("changes", ())),
        )


@dataclass(frozen=True)
class Affected:
    """One ``affected[]`` entry: who makes it, which versions and the default status."""

    vendor: str
    product: str
    versions: tuple[VersionSpec, ...] = ()
    default_status: str | None = None
    cpes: tuple[str, ...] = ()

    def keys(self) -> frozenset[tuple[str, str]]:
        """(vendor, product) pairs this entry names: its names, and its CPEs' identities."""
        found = set()
        if self.vendor and self.product:
            found.add((normalise_name(self.vendor), normalise_name(self.product)))
        for text in self.cpes:
            identity = cpe_identity(text)
            if identity is not None:
                found.add(identity)
        return frozenset(found)

    def as_dict(self) -> dict[str, Any]:
        return {
            "vendor": self.vendor,
            "product": self.product,
            "versions": [v.as_dict() for v in self.versions],
            "default_status": self.default_status,
            "cpes": list(self.cpes),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Affected:
        return cls(
            vendor=data.get("vendor", ""),
            product=data.get("product", ""),
            versions=tuple(VersionSpec.from_dict(v) for v in data.get("versions", ())),
            default_status=data.get("default_status"),
            cpes=tuple(data.get("cpes", ())),
        )


def _same_version(a: str, b: str) -> bool | None:
    if a.strip().lower() == b.strip().lower():
        return True
    order = compare_versions(a, b)
    return None if order is None else order == 0


def _below_upper(version: str, bound: str, *, inclusive: bool) -> bool | None:
    bound = bound.strip()
    if bound == "*":
        return True
    if bound.endswith(".*"):  # "2.*": the whole 2.x series is below the bound
        prefix = version_key(bound[:-2])
        key = version_key(version)
        digits = bound[:-2].lstrip("vV").split(".")
        if prefix is None or key is None or not all(d.isdigit() for d in digits):
            return None
        wanted = tuple(int(d) for d in digits)
        padded = (*key[0], *([0] * len(wanted)))[: len(wanted)]
        return padded <= wanted
    order = compare_versions(version, bound)
    if order is None:
        return None
    return order <= 0 if inclusive else order < 0


def _in_range(spec: VersionSpec, version: str) -> bool | None:
    """``version`` <= V < ``lessThan`` (or <= ``lessThanOrEqual``); None: cannot tell."""
    lower: bool | None = True
    if spec.version.strip().lower() not in OPEN_LOWER:
        order = compare_versions(spec.version, version)
        lower = None if order is None else order <= 0
    if spec.less_than is not None:
        upper = _below_upper(version, spec.less_than, inclusive=False)
    else:
        upper = _below_upper(version, spec.less_than_or_equal or "*", inclusive=True)
    if lower is False or upper is False:
        return False
    if lower is None or upper is None:
        return None
    return True


def _spec_outcome(spec: VersionSpec, version: str | None) -> tuple[bool | None, set[str]]:
    """Does ``spec`` match ``version`` (True, False, or None: cannot tell), and the statuses
    it would give."""
    statuses = {spec.status, *(c.status for c in spec.changes)}
    if version is None:
        return None, statuses
    if not spec.is_range:
        if spec.version.strip() == "*":
            return True, {spec.status}
        same = _same_version(spec.version, version)
        return same, ({spec.status} if same else statuses)
    inside = _in_range(spec, version)
    if inside is not True:
        return inside, statuses
    status = spec.status
    for change in sorted(spec.changes, key=lambda c: version_key(c.at) or ((), 0, 0, ())):
        reached = compare_versions(change.at, version)
        if reached is None:
            return None, statuses
        if reached <= 0:
            status = change.status
    return True, {status}


def entry_status(entry: Affected, version: str | None) -> Verdict:
    """The CVE 5 algorithm (first matching ``versions[]`` item, else ``defaultStatus``), made
    safe: an item that cannot be compared with ``version`` might match, so its statuses are
    kept as possibilities; ``affected`` only when affected is the sole possibility, ``unknown``
    when it is one of several. Source-control items (``git``...) are skipped."""
    if version is not None and version.strip().lower() in NO_VERSION:
        version = None
    specs = [
        s for s in entry.versions if (s.version_type or "").lower() not in SOURCE_CONTROL_TYPES
    ]
    default = entry.default_status or "unknown"
    if not specs:
        if default == "affected":
            return Verdict.affected
        return Verdict.unaffected if default == "unaffected" else Verdict.unknown
    possible: set[str] = set()
    for spec in specs:
        matched, statuses = _spec_outcome(spec, version)
        if matched is True:
            possible |= statuses
            break
        if matched is None:
            possible |= statuses
    else:
        possible.add(default)
    if "affected" not in possible:
        return Verdict.unaffected if possible <= {"unaffected"} else Verdict.unlisted
    return Verdict.affected if possible == {"affected"} else Verdict.unknown


# --- Reading CVE JSON 5 records ---------------------------------------------------------------

CVE_ID = re.compile(r"^CVE-[0-9]{4}-[0-9]{4,19}$")
CVSS_KEYS = ("cvssV3_1", "cvssV3_0", "cvssV4_0", "cvssV2_0")
TITLE_LENGTH = 2000


@dataclass(frozen=True)
class RecordError:
    """Why one record (or catalogue entry) was not taken: where, which field, which rule."""

    ref: str
    field: str
    rule: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"ref": self.ref, "field": self.field, "rule": self.rule, "reason": self.reason}


class _Bad(Exception):
    def __init__(self, field_name: str, rule: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field_name
        self.rule = rule
        self.reason = reason


@dataclass(frozen=True)
class CveRecord:
    """A CVE JSON 5 record, normalised: what matching and the catalogue need."""

    cve_id: str
    state: str  # PUBLISHED or REJECTED
    title: str
    date_published: datetime | None
    date_updated: datetime | None
    cvss_score: float | None
    cvss_version: str | None
    affected: tuple[Affected, ...]
    ref: str = field(default="", compare=False)

    def digest(self) -> str:
        """A hash of everything stored, to tell an unchanged record on re-import."""
        content = {
            "cve_id": self.cve_id,
            "state": self.state,
            "title": self.title,
            "published": self.date_published.isoformat() if self.date_published else None,
            "updated": self.date_updated.isoformat() if self.date_updated else None,
            "cvss": [self.cvss_score, self.cvss_version],
            "affected": [a.as_dict() for a in self.affected],
        }
        return hashlib.sha256(orjson.dumps(content, option=orjson.OPT_SORT_KEYS)).hexdigest()


def _object(value: Any, path: str, *, required: bool = True) -> dict[str, Any]:
    if value is None and not required:
        return {}
    if not isinstance(value, dict):
        raise _Bad(path, "object", f"{path} must be a JSON object")
    return value


def _text(value: Any, path: str, *, required: bool = False, limit: int = 1000) -> str | None:
    if value is None:
        if required:
            raise _Bad(path, "required", f"{path} is required")
        return None
    if not isinstance(value, str):
        raise _Bad(path, "string", f"{path} must be a string")
    if required and not value.strip():
        raise _Bad(path, "required", f"{path} must not be empty")
    if "\x00" in value:
        raise _Bad(path, "plain-text", f"{path} holds a NUL character")
    return value[:limit]


def _status(value: Any, path: str) -> str:
    if value not in STATUSES:
        raise _Bad(path, "version-status", f"{path} must be affected, unaffected or unknown")
    return str(value)


def parse_time(value: Any, path: str) -> datetime | None:
    """An ISO 8601 time (``Z`` or an offset; none means UTC), or None."""
    text = _text(value, path)
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise _Bad(path, "timestamp", f"{path} is not an ISO 8601 time: {text[:40]!r}") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _versions(raw: Any, path: str) -> tuple[VersionSpec, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise _Bad(path, "array", f"{path} must be an array")
    specs = []
    for index, item in enumerate(raw):
        here = f"{path}[{index}]"
        data = _object(item, here)
        changes = []
        for number, change in enumerate(data.get("changes") or ()):
            at = f"{here}.changes[{number}]"
            change_data = _object(change, at)
            changes.append(
                Change(
                    at=_text(change_data.get("at"), f"{at}.at", required=True) or "",
                    status=_status(change_data.get("status"), f"{at}.status"),
                )
            )
        specs.append(
            VersionSpec(
                version=_text(data.get("version"), f"{here}.version", required=True) or "",
                status=_status(data.get("status"), f"{here}.status"),
                less_than=_text(data.get("lessThan"), f"{here}.lessThan"),
                less_than_or_equal=_text(data.get("lessThanOrEqual"), f"{here}.lessThanOrEqual"),
                version_type=_text(data.get("versionType"), f"{here}.versionType"),
                changes=tuple(changes),
            )
        )
    return tuple(specs)


def _affected(raw: Any, path: str) -> list[Affected]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise _Bad(path, "array", f"{path} must be an array")
    found = []
    for index, item in enumerate(raw):
        here = f"{path}[{index}]"
        data = _object(item, here)
        default = data.get("defaultStatus")
        cpes = data.get("cpes") or []
        if not isinstance(cpes, list) or not all(isinstance(c, str) for c in cpes):
            raise _Bad(f"{here}.cpes", "array", f"{here}.cpes must be an array of strings")
        found.append(
            Affected(
                vendor=_text(data.get("vendor"), f"{here}.vendor", limit=200) or "",
                product=_text(data.get("product"), f"{here}.product", limit=200) or "",
                versions=_versions(data.get("versions"), f"{here}.versions"),
                default_status=None
                if default is None
                else _status(default, f"{here}.defaultStatus"),
                cpes=tuple(c[:500] for c in cpes),
            )
        )
    return found


def _cvss(containers: Sequence[Mapping[str, Any]]) -> tuple[float | None, str | None]:
    for key in CVSS_KEYS:
        for container in containers:
            for index, metric in enumerate(container.get("metrics") or ()):
                if not isinstance(metric, dict) or not isinstance(metric.get(key), dict):
                    continue
                score = metric[key].get("baseScore")
                path = f"metrics[{index}].{key}.baseScore"
                if isinstance(score, bool) or not isinstance(score, int | float):
                    raise _Bad(path, "cvss-score", f"{path} must be a number")
                if not 0 <= score <= 10:
                    raise _Bad(path, "cvss-score", f"{path} must lie between 0 and 10")
                return float(score), key
    return None, None


def _english(descriptions: Any) -> str:
    if not isinstance(descriptions, list):
        return ""
    texts = [
        d.get("value", "")
        for d in descriptions
        if isinstance(d, dict) and str(d.get("lang", "")).lower().startswith("en")
    ]
    first = next((t for t in texts if isinstance(t, str) and t), "")
    return first.replace("\x00", "")


def parse_cve_record(data: Any, *, ref: str) -> CveRecord:
    """One CVE JSON 5 record; ``Invalid`` names ``ref``, the field and the rule otherwise."""
    try:
        return _parse_cve(data, ref)
    except _Bad as bad:
        raise Invalid(f"{ref}: {bad.reason}", field=f"{ref}: {bad.field}", rule=bad.rule) from None


def _parse_cve(data: Any, ref: str) -> CveRecord:
    record = _object(data, "record")
    if record.get("dataType") not in (None, "CVE_RECORD"):
        raise _Bad("dataType", "cve-record-type", "dataType must be CVE_RECORD")
    version = record.get("dataVersion")
    if version is not None and not str(version).startswith("5"):
        raise _Bad("dataVersion", "cve-json-5", f"dataVersion {version!r} is not CVE JSON 5")
    meta = _object(record.get("cveMetadata"), "cveMetadata")
    cve_id = _text(meta.get("cveId"), "cveMetadata.cveId", required=True) or ""
    if not CVE_ID.match(cve_id):
        raise _Bad(
            "cveMetadata.cveId", "cve-id", f"{cve_id[:40]!r} is not a CVE id (CVE-YYYY-NNNN)"
        )
    state = meta.get("state")
    if state not in ("PUBLISHED", "REJECTED"):
        raise _Bad(
            "cveMetadata.state", "cve-state", "cveMetadata.state must be PUBLISHED or REJECTED"
        )
    published = parse_time(meta.get("datePublished"), "cveMetadata.datePublished")
    updated = parse_time(meta.get("dateUpdated"), "cveMetadata.dateUpdated")
    containers = _object(record.get("containers"), "containers")
    cna = _object(containers.get("cna"), "containers.cna")
    if state == "REJECTED":
        reason = _english(cna.get("rejectedReasons")) or "rejected"
        return CveRecord(
            cve_id, "REJECTED", reason[:TITLE_LENGTH], published, updated, None, None, (), ref
        )
    adp = containers.get("adp") or []
    if not isinstance(adp, list):
        raise _Bad("containers.adp", "array", "containers.adp must be an array")
    affected = _affected(cna.get("affected"), "containers.cna.affected")
    for index, container in enumerate(adp):
        here = f"containers.adp[{index}]"
        affected += _affected(_object(container, here).get("affected"), f"{here}.affected")
    title = _text(cna.get("title"), "containers.cna.title", limit=TITLE_LENGTH) or _english(
        cna.get("descriptions")
    )
    score, cvss_version = _cvss([cna, *(c for c in adp if isinstance(c, dict))])
    return CveRecord(
        cve_id=cve_id,
        state="PUBLISHED",
        title=title[:TITLE_LENGTH],
        date_published=published,
        date_updated=updated,
        cvss_score=score,
        cvss_version=cvss_version,
        affected=tuple(affected),
        ref=ref,
    )


@dataclass
class ParsedCves:
    """What a set of files held: the records read, and those refused with why."""

    records: list[CveRecord] = field(default_factory=list)
    errors: list[RecordError] = field(default_factory=list)
    files: int = 0


def _invalid_error(exc: Invalid, ref: str) -> RecordError:
    field_name = exc.field.split(": ", 1)[1] if exc.field.startswith(f"{ref}: ") else exc.field
    return RecordError(ref, field_name, exc.rule, exc.message.removeprefix(f"{ref}: "))


def _records_in(name: str, data: bytes, parsed: ParsedCves) -> None:
    parsed.files += 1
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        parsed.errors.append(RecordError(name, "file", "json", f"not JSON: {exc}"))
        return
    items = document if isinstance(document, list) else [document]
    for index, item in enumerate(items):
        ref = f"{name}[{index}]" if isinstance(document, list) else name
        try:
            parsed.records.append(parse_cve_record(item, ref=ref))
        except Invalid as exc:
            parsed.errors.append(_invalid_error(exc, ref))


# A cvelistV5 member: cves/YYYY/NxxX/CVE-YYYY-N.json (the layout of the CVE Program's zips).
_CVELIST_MEMBER = re.compile(r"(?:^|/)cves/\d{4}/\d+xxx/CVE-\d{4}-\d+\.json$")


def zip_members(
    data: bytes, *, name: str, max_bytes: int = 4 << 30, max_files: int = 1_000_000
) -> Iterator[tuple[str, bytes]]:
    """The ``cves/YYYY/NxxX/CVE-*.json`` members of a cvelistV5 zip, read one at a time in
    memory; the archive is checked by ``fenghuo.zips`` (rules ``zip``, ``zip-path``,
    ``zip-size``)."""
    found = zips.members(
        data,
        name=name,
        wanted=lambda path: _CVELIST_MEMBER.search(path) is not None,
        max_bytes=max_bytes,
        max_files=max_files,
    )
    for path, content in found:
        yield f"{name}/{path}", content


def read_cve_files(files: Iterable[tuple[str, bytes]]) -> ParsedCves:
    """Records from files: a ``.json`` holding one record or an array of records, or a
    ``.zip`` in the cvelistV5 layout (``cves/YYYY/NxxX/CVE-*.json``)."""
    parsed = ParsedCves()
    for name, data in files:
        if name.lower().endswith(".zip") or data[:4] == b"PK\x03\x04":
            for member, content in zip_members(data, name=name):
                _records_in(member, content, parsed)
        else:
            _records_in(name, data, parsed)
    return parsed


# --- Reading the CISA KEV catalogue -----------------------------------------------------------


@dataclass(frozen=True)
class KevEntry:
    """One entry of the Known Exploited Vulnerabilities catalogue."""

    cve_id: str
    vendor_project: str
    product: str
    name: str
    date_added: date
    short_description: str
    required_action: str
    due_date: date | None
    ransomware: bool
    ref: str = field(default="", compare=False)

    def key(self) -> tuple[str, str]:
        return normalise_name(self.vendor_project), normalise_name(self.product)

    def as_dict(self) -> dict[str, Any]:
        return {
            "vendor_project": self.vendor_project,
            "product": self.product,
            "name": self.name,
            "date_added": self.date_added.isoformat(),
            "short_description": self.short_description,
            "required_action": self.required_action,
            "due_date": self.due_date.isoformat() if self.due_date else None,
            "ransomware": self.ransomware,
        }


@dataclass
class ParsedKev:
    entries: list[KevEntry] = field(default_factory=list)
    errors: list[RecordError] = field(default_factory=list)
    catalog_version: str = ""


def _date(value: Any, path: str, *, required: bool) -> date | None:
    text = _text(value, path, required=required)
    if text is None:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise _Bad(path, "date", f"{path} is not a date (YYYY-MM-DD): {text[:40]!r}") from None


def _kev_entry(item: Any, ref: str) -> KevEntry:
    data = _object(item, "entry")
    cve_id = _text(data.get("cveID"), "cveID", required=True) or ""
    if not CVE_ID.match(cve_id):
        raise _Bad("cveID", "cve-id", f"{cve_id[:40]!r} is not a CVE id (CVE-YYYY-NNNN)")
    ransomware = data.get("knownRansomwareCampaignUse", "Unknown")
    if ransomware not in ("Known", "Unknown"):
        raise _Bad(
            "knownRansomwareCampaignUse",
            "allowed-value",
            "knownRansomwareCampaignUse must be Known or Unknown",
        )
    return KevEntry(
        cve_id=cve_id,
        vendor_project=_text(data.get("vendorProject"), "vendorProject", required=True, limit=200)
        or "",
        product=_text(data.get("product"), "product", required=True, limit=200) or "",
        name=_text(data.get("vulnerabilityName"), "vulnerabilityName", limit=500) or "",
        date_added=_date(data.get("dateAdded"), "dateAdded", required=True) or date.min,
        short_description=_text(data.get("shortDescription"), "shortDescription", limit=2000) or "",
        required_action=_text(data.get("requiredAction"), "requiredAction", limit=1000) or "",
        due_date=_date(data.get("dueDate"), "dueDate", required=False),
        ransomware=ransomware == "Known",
        ref=ref,
    )


def read_kev(name: str, data: bytes) -> ParsedKev:
    """The KEV catalogue JSON (``{"catalogVersion", "vulnerabilities": [...]}``). A file that
    is not a catalogue at all is ``Invalid`` (field ``file``); bad entries are listed."""
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise Invalid(f"{name} is not JSON: {exc}", field="file", rule="json") from None
    return kev_from_document(document, name=name)


def kev_from_document(document: Any, *, name: str) -> ParsedKev:
    """The KEV catalogue from its parsed JSON; see ``read_kev``."""
    if not isinstance(document, dict) or not isinstance(document.get("vulnerabilities"), list):
        raise Invalid(
            f"{name} is not a KEV catalogue: it needs a 'vulnerabilities' array",
            field="file",
            rule="kev-catalogue",
        )
    parsed = ParsedKev(catalog_version=str(document.get("catalogVersion", ""))[:40])
    for index, item in enumerate(document["vulnerabilities"]):
        ref = f"{name} vulnerabilities[{index}]"
        try:
            parsed.entries.append(_kev_entry(item, ref))
        except _Bad as bad:
            parsed.errors.append(RecordError(ref, bad.field, bad.rule, bad.reason))
    return parsed
