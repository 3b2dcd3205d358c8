"""Golden tests: one small rule per value modifier, literal events, literal expectations."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from fenghuo.detection import Engine
from tests.detection.kit import HEAD, hits, proc


def test_plain_value_is_a_case_insensitive_whole_match() -> None:
    events = [proc(Image="C:\\A.EXE"), proc(Image="c:\\a.exe"), proc(Image="c:\\a.exe ")]
    assert hits("  sel:\n    Image: 'C:\\a.exe'\n  condition: sel\n", events) == [0, 1]


@pytest.mark.parametrize(
    ("modifier", "expected"),
    [("contains", [0, 1, 2]), ("startswith", [0]), ("endswith", [2])],
)
def test_contains_startswith_endswith(modifier: str, expected: list[int]) -> None:
    events = [proc(CommandLine="XY and more"), proc(CommandLine="a xy b"), proc(CommandLine="..xY")]
    rule = f"  sel:\n    CommandLine|{modifier}: xy\n  condition: sel\n"
    assert hits(rule, events) == expected


def test_cased_makes_matching_case_sensitive() -> None:
    events = [proc(CommandLine="a -EncodedCommand b"), proc(CommandLine="a -encodedcommand b")]
    rule = "  sel:\n    CommandLine|contains|cased: EncodedCommand\n  condition: sel\n"
    assert hits(rule, events) == [0]


def test_wildcards_and_escapes() -> None:
    events = [proc(Image="abXcd"), proc(Image="abcd"), proc(Image="ab*cd"), proc(Image="ab?d")]
    assert hits("  sel:\n    Image: 'ab?cd'\n  condition: sel\n", events) == [0, 2]
    assert hits("  sel:\n    Image: 'ab\\*cd'\n  condition: sel\n", events) == [2]
    assert hits("  sel:\n    Image: 'ab\\?d'\n  condition: sel\n", events) == [3]
    assert hits("  sel:\n    Image: 'a*d'\n  condition: sel\n", events) == [0, 1, 2, 3]


def test_all_requires_every_value() -> None:
    events = [proc(CommandLine="net user /add"), proc(CommandLine="net user")]
    rule = "  sel:\n    CommandLine|contains|all: [net, /add]\n  condition: sel\n"
    assert hits(rule, events) == [0]


def test_regex_with_flags() -> None:
    events = [proc(CommandLine="Invoke-X"), proc(CommandLine="invoke-x"), proc(CommandLine="a\nb")]
    assert hits("  s:\n    CommandLine|re: '^Invoke-'\n  condition: s\n", events) == [0]
    assert hits("  s:\n    CommandLine|re|i: '^INVOKE-'\n  condition: s\n", events) == [0, 1]
    assert hits("  s:\n    CommandLine|re|s: 'a.b'\n  condition: s\n", events) == [2]
    assert hits("  s:\n    CommandLine|re|m: '^b$'\n  condition: s\n", events) == [2]


def test_regex_pysigma_rejects_is_reported_not_dropped(tmp_path: Path) -> None:
    path = tmp_path / "lookahead.yml"
    path.write_text(HEAD + "detection:\n  s:\n    CommandLine|re: 'foo(?!bar)'\n  condition: s\n")
    engine = Engine.from_paths([tmp_path])
    assert engine.rules == []
    [issue] = engine.issues
    assert issue.rule_path == str(path)
    assert "invalid perl operator" in issue.reason


def test_cidr() -> None:
    events = [proc(DestinationIp="10.1.2.3"), proc(DestinationIp="11.0.0.1"), proc(X="1")]
    events.append(proc(DestinationIp="fe80::1"))
    rule = "  s:\n    DestinationIp|cidr: [10.0.0.0/8, 'fe80::/10']\n  condition: s\n"
    assert hits(rule, events) == [0, 3]


def test_base64_and_base64offset() -> None:
    encoded = base64.b64encode(b"xxhttp://evil").decode()
    events = [
        proc(CommandLine=f"-e {encoded}"),
        proc(CommandLine=base64.b64encode(b"http:").decode()),
    ]
    rule = "  s:\n    CommandLine|base64offset|contains: 'http://'\n  condition: s\n"
    assert hits(rule, events) == [0]
    plain = "  s:\n    CommandLine|base64: 'http:'\n  condition: s\n"
    assert hits(plain, events) == [1]


@pytest.mark.parametrize(
    ("modifier", "codec"),
    [("wide", "utf-16le"), ("utf16le", "utf-16le"), ("utf16be", "utf-16be"), ("utf16", "utf-16")],
)
def test_utf16_families(modifier: str, codec: str) -> None:
    encoded = base64.b64encode("cmd".encode(codec)).decode()
    events = [proc(CommandLine=f"x {encoded} y"), proc(CommandLine="cmd")]
    rule = f"  s:\n    CommandLine|{modifier}|base64offset|contains: cmd\n  condition: s\n"
    assert hits(rule, events) == [0]


def test_windash_expands_dashes() -> None:
    events = [
        proc(CommandLine="x -enc"),
        proc(CommandLine="x /enc"),
        proc(CommandLine="x \u2013enc"),
    ]
    events.append(proc(CommandLine="x enc"))
    rule = "  s:\n    CommandLine|windash|contains: ' -enc'\n  condition: s\n"
    assert hits(rule, events) == [0, 1, 2]


def test_exists_and_null() -> None:
    events = [proc(User="a"), proc(User=""), proc(Other="b"), proc(User=None)]
    assert hits("  s:\n    User|exists: true\n  condition: s\n", events) == [0, 1]
    assert hits("  s:\n    User|exists: false\n  condition: s\n", events) == [2, 3]
    assert hits("  s:\n    User: null\n  condition: s\n", events) == [1, 2, 3]


@pytest.mark.parametrize(
    ("modifier", "expected"), [("lt", [0]), ("lte", [0, 1]), ("gt", [2]), ("gte", [1, 2])]
)
def test_numeric_comparisons(modifier: str, expected: list[int]) -> None:
    events = [proc(Port=5), proc(Port="10"), proc(Port=11), proc(Port="x")]
    assert hits(f"  s:\n    Port|{modifier}: 10\n  condition: s\n", events) == expected


def test_numbers_and_booleans_compare_as_text() -> None:
    events = [proc(Port=445), proc(Port="445"), proc(Port="4455"), proc(Flag=True)]
    assert hits("  s:\n    Port: 445\n  condition: s\n", events) == [0, 1]
    assert hits("  s:\n    Flag: true\n  condition: s\n", events) == [3]


def test_fieldref() -> None:
    events = [proc(Image="C:\\x.exe", ParentImage="c:\\X.exe"), proc(Image="a", ParentImage="b")]
    assert hits("  s:\n    Image|fieldref: ParentImage\n  condition: s\n", events) == [0]


def test_lists_are_or_and_maps_are_and() -> None:
    events = [proc(Image="a", User="u"), proc(Image="b", User="v"), proc(Image="c", User="u")]
    rule = "  s:\n    Image: [a, b]\n    User: u\n  condition: s\n"
    assert hits(rule, events) == [0]
    list_of_maps = "  s:\n    - Image: a\n    - User: v\n  condition: s\n"
    assert hits(list_of_maps, events) == [0, 1]


def test_keywords_search_every_field() -> None:
    events = [proc(CommandLine="run mimikatz now"), proc(Image="Mimi.exe"), proc(Image="none")]
    rule = "  keywords:\n    - mimikatz\n    - 'mimi*exe'\n  condition: keywords\n"
    assert hits(rule, events) == [0, 1]


def test_keyword_wildcards_stay_inside_one_value() -> None:
    events = [proc(A="foo", B="bar"), proc(A="foo-bar")]
    assert hits("  keywords: ['foo*bar']\n  condition: keywords\n", events) == [1]
