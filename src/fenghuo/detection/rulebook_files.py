"""Rule files for the rulebook: read from folders and zip archives, parsed and compiled.

Zip archives are read in memory and never unpacked to disk; a member path that is absolute
or climbs out (``..``) refuses the whole archive, as do encrypted members and archives over
the size or count limits. Each file's rules are compiled on a probe engine, so the rulebook
stores with every rule whether it compiles and, if not, why.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import Any

import yaml
from sigma.rule import SigmaRule

from fenghuo import zips
from fenghuo.detection import rules as sigma_rules
from fenghuo.detection.engine import Engine
from fenghuo.detection.rules import AnyRule


def starter_rules() -> Path:
    """The folder of the packaged starter rule set."""
    return Path(str(resources.files("fenghuo.detection") / "starter_rules"))


@dataclass(frozen=True)
class RuleFile:
    """A rule file to import: its name (as the user gave it) and its bytes."""

    name: str
    data: bytes


@dataclass(frozen=True)
class Parsed:
    """One rule of an imported file, with its compile verdict."""

    key: str
    meta: dict[str, Any]
    compiles: bool
    reason: str | None


# --- Reading files: folders and zip archives -------------------------------------------------


def files_from_paths(
    paths: Iterable[Path], *, max_bytes: int = 64 << 20, max_files: int = 20_000
) -> list[RuleFile]:
    """Rule files given directly or found under folders (``.zip`` files are opened)."""
    found: list[RuleFile] = []
    for path in sigma_rules.walk(paths, (*sigma_rules.RULE_SUFFIXES, ".zip")):
        if path.suffix == ".zip":
            found += files_from_zip(
                path.read_bytes(), name=path.name, max_bytes=max_bytes, max_files=max_files
            )
        else:
            found.append(RuleFile(path.name, path.read_bytes()))
    return found


def files_from_zip(
    data: bytes, *, name: str = "upload.zip", max_bytes: int = 64 << 20, max_files: int = 20_000
) -> list[RuleFile]:
    """The ``.yml``/``.yaml`` members of a zip, read in memory, never written out; the
    archive is checked by ``fenghuo.zips`` (refused as a whole when it is not a zip, has a
    member path that is absolute or climbs, an encrypted member, or too much in it)."""
    found = zips.members(
        data,
        name=name,
        wanted=lambda path: PurePosixPath(path).suffix.lower() in sigma_rules.RULE_SUFFIXES,
        max_bytes=max_bytes,
        max_files=max_files,
    )
    return [RuleFile(f"{name}/{path}", content) for path, content in found]


# --- Parsing and compiling ------------------------------------------------------------------


def rule_key(rule: AnyRule) -> str:
    """The stable key of a rule: its Sigma id, or one derived from its title."""
    return (str(rule.id) if rule.id else f"title:{rule.title}")[:100]


def _meta_of(rule: AnyRule) -> dict[str, Any]:
    tags = [str(tag) for tag in rule.tags]
    # A correlation rule has no log source of its own: it reads its rules' matches.
    logsource = rule.logsource if isinstance(rule, SigmaRule) else None
    return {
        "title": rule.title[:300],
        "level": str(rule.level.name).lower() if rule.level else "",
        "status": str(rule.status.name).lower() if rule.status else "",
        "tags": tags,
        "product": ((logsource and logsource.product) or "")[:100],
        "category": ((logsource and logsource.category) or "")[:100],
        "service": ((logsource and logsource.service) or "")[:100],
        "author": (rule.author or "")[:300],
    }


def _raw_meta(text: str) -> list[dict[str, Any]]:
    """Best-effort metadata of documents pySigma could not parse (shown with the reason)."""
    try:
        documents = [d for d in yaml.safe_load_all(text) if isinstance(d, dict)]
    except yaml.YAMLError:
        return []
    return documents


def _fallback(doc: dict[str, Any] | None, file_name: str, reason: str) -> Parsed:
    doc = doc or {}
    title = str(doc.get("title") or PurePosixPath(file_name).name)[:300]
    key = str(doc.get("id") or "") or (f"title:{title}" if doc.get("title") else f"file:{title}")
    tags = doc.get("tags")
    found = doc.get("logsource")
    logsource: dict[str, Any] = found if isinstance(found, dict) else {}
    meta = {
        "title": title,
        "level": str(doc.get("level") or "")[:20],
        "status": str(doc.get("status") or "")[:20],
        "tags": [str(t) for t in tags] if isinstance(tags, list) else [],
        "product": str(logsource.get("product") or "")[:100],
        "category": str(logsource.get("category") or "")[:100],
        "service": str(logsource.get("service") or "")[:100],
        "author": str(doc.get("author") or "")[:300],
    }
    return Parsed(key[:100], meta, compiles=False, reason=reason)


def parse_file(
    text: str, name: str, probe: Engine, *, unchanged: Collection[str] = ()
) -> list[Parsed]:
    """The rules of one file, each compiled on ``probe`` (a failure is kept with its reason).

    A rule whose key is in ``unchanged`` (this very text is its current version) is not
    compiled again: it will not be stored again either. A correlation rule compiles on its
    own; whether the rules it references are in the rulebook (and enabled) is known only
    when the engine is built, which reports it.
    """
    parsed: list[Parsed] = []
    loaded = sigma_rules.load_document(text, name)
    issues = loaded.issues
    for rule in loaded.all():
        if rule_key(rule) in unchanged:
            parsed.append(Parsed(rule_key(rule), _meta_of(rule), compiles=True, reason=None))
            continue
        ok = probe.add(rule, Path(name))
        reason = None if ok else probe.issues[-1].reason
        parsed.append(Parsed(rule_key(rule), _meta_of(rule), ok, reason))
    if issues:
        docs = {str(d.get("id")): d for d in _raw_meta(text) if d.get("id")}
        plain = [d for d in _raw_meta(text) if "detection" in d or "correlation" in d]
        for issue in issues:
            doc = docs.get(issue.rule_id or "") or (plain[0] if len(plain) == 1 else None)
            parsed.append(_fallback(doc, name, issue.reason))
    return parsed
