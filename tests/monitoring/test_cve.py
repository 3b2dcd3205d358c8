"""Reading vulnerability data: versions, CPE 2.3 names, the CVE 5 status algorithm, CVE JSON 5
records, the KEV catalogue and cvelistV5 zips."""

from __future__ import annotations

import io
import itertools
import zipfile
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fenghuo.errors import Invalid
from fenghuo.monitoring import cve
from fenghuo.monitoring.cve import Affected, Change, Cpe, Special, Verdict, VersionSpec

# --- Versions -------------------------------------------------------------------------------

_suffix = st.sampled_from(
    [
        "",
        "a",
        "k",
        "-rc1",
        "rc2",
        "-beta.2",
        "b1",
        ".post1",
        "-p3",
        "dev0",
        "-alpha",
        "+build.7",
        "_1",
    ]
)
versions = st.builds(
    lambda prefix, numbers, suffix: prefix + ".".join(map(str, numbers)) + suffix,
    st.sampled_from(["", "v"]),
    st.lists(st.integers(0, 30), min_size=1, max_size=4),
    _suffix,
)
any_text = st.one_of(versions, st.text(max_size=12))


@settings(max_examples=300, deadline=None)
@given(a=any_text, b=any_text, c=any_text)
def test_version_order_is_total_antisymmetric_and_transitive(a: str, b: str, c: str) -> None:
    keys = [cve.version_key(x) for x in (a, b, c)]
    if any(k is None for k in keys):
        # Not a version: never compared, never a guess.
        assert any(cve.compare_versions(x, y) is None for x, y in ((a, b), (b, c), (a, c)))
        return
    ab, ba = cve.compare_versions(a, b), cve.compare_versions(b, a)
    assert ab is not None and ab == -(ba or 0)  # total and antisymmetric
    assert cve.compare_versions(a, a) == 0  # reflexive
    bc, ac = cve.compare_versions(b, c), cve.compare_versions(a, c)
    if ab <= 0 and bc is not None and bc <= 0:
        assert ac is not None and ac <= 0  # transitive


@settings(max_examples=200, deadline=None)
@given(items=st.lists(versions, min_size=2, max_size=8))
def test_sorting_by_key_agrees_with_every_pairwise_comparison(items: list[str]) -> None:
    ordered = sorted(items, key=lambda v: cve.version_key(v) or ((), 0, 0, ()))
    for earlier, later in itertools.combinations(ordered, 2):
        assert cve.compare_versions(earlier, later) in (-1, 0)


@pytest.mark.parametrize(
    ("lower", "higher"),
    [
        ("1.2.9", "1.2.10"),
        ("1.0.0-alpha", "1.0.0-beta"),
        ("1.0.0-rc.1", "1.0.0"),
        ("1.0a1", "1.0"),
        ("1.0.2", "1.0.2k"),
        ("1.0.2j", "1.0.2k"),
        ("2.4.49", "2.4.50"),
        ("9.1.4", "9.1.5"),
        ("1.0.dev0", "1.0a1"),
        ("7.4.3", "7.4.3-p1"),
    ],
)
def test_known_version_orderings(lower: str, higher: str) -> None:
    assert cve.compare_versions(lower, higher) == -1
    assert cve.compare_versions(higher, lower) == 1


@pytest.mark.parametrize(("a", "b"), [("1.2", "1.2.0"), ("v2.4", "2.4"), ("1.0.0+abc", "1.0.0")])
def test_equal_versions(a: str, b: str) -> None:
    assert cve.compare_versions(a, b) == 0


@pytest.mark.parametrize("text", ["", "9.1(2)", "abc", "1.0 beta", "latest", "2023-01-01 patch"])
def test_what_is_not_a_version_cannot_be_compared(text: str) -> None:
    assert cve.version_key(text) is None
    assert cve.compare_versions(text, "1.0") is None


# --- CPE 2.3 ----------------------------------------------------------------------------------

_value_chars = st.characters(min_codepoint=0x21, max_codepoint=0x7E).filter(
    lambda ch: not ch.isupper()
)
cpe_values = st.one_of(
    st.sampled_from([Special.ANY, Special.NA]),
    st.text(_value_chars, min_size=1, max_size=12),
)


@st.composite
def cpes(draw: st.DrawFn) -> Cpe:
    values = [draw(cpe_values) for _ in range(10)]
    return Cpe(draw(st.sampled_from(cve.PARTS)), *values)


@settings(max_examples=300, deadline=None)
@given(name=cpes())
def test_cpe_formatted_string_round_trips(name: Cpe) -> None:
    text = name.formatted()
    assert text.startswith(f"cpe:2.3:{name.part}:")
    assert cve.parse_cpe(text) == name
    assert cve.parse_cpe(text).formatted() == text


def test_a_cpe_is_read_with_escapes_and_short_forms() -> None:
    name = cve.parse_cpe(r"CPE:2.3:a:Foo\!Corp:http\:server:2.4.49")
    assert (name.vendor, name.product, name.version, name.update) == (
        "foo!corp",
        "http:server",
        "2.4.49",
        Special.ANY,
    )
    assert name.formatted() == r"cpe:2.3:a:foo\!corp:http\:server:2.4.49:*:*:*:*:*:*:*"
    assert cve.cpe_identity("cpe:/a:apache:http_server:2.4.49") == ("apache", "http_server")
    assert cve.cpe_identity("cpe:2.3:a:*:*:*") is None


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("cpe:/a:apache:http_server", "cpe-prefix"),
        ("apache http server", "cpe-prefix"),
        ("cpe:2.3:a:apache", "cpe-components"),
        ("cpe:2.3:a:v:p:1:*:*:*:*:*:*:*:extra", "cpe-components"),
        ("cpe:2.3:x:apache:http_server:1", "cpe-part"),
        ("cpe:2.3:a:apache::1", "cpe-empty-attribute"),
        ("cpe:2.3:a:apache:http server:1", "cpe-unescaped-character"),
        ("cpe:2.3:a:apache:http_server:2.4.*", "cpe-wildcard"),
        ("cpe:2.3:a:apache:http_server:1\\", "cpe-escape"),
        ("cpe:2.3:a:apache:http\\a:1", "cpe-escape"),
    ],
)
def test_a_bad_cpe_is_invalid_naming_the_field_and_rule(text: str, rule: str) -> None:
    with pytest.raises(Invalid) as caught:
        cve.parse_cpe(text, field_name="rows[2].cpe")
    assert (caught.value.field, caught.value.rule) == ("rows[2].cpe", rule)


# --- The status algorithm -------------------------------------------------------------------


def entry(*specs: VersionSpec, default: str | None = None) -> Affected:
    return Affected("Demo", "Gateway", tuple(specs), default)


RANGE = VersionSpec("2.0.0", "affected", less_than="2.5.2", version_type="semver")


@pytest.mark.parametrize(
    ("version", "verdict"),
    [
        ("2.0.0", Verdict.affected),
        ("2.5.1", Verdict.affected),
        ("2.5.2", Verdict.unlisted),
        ("1.9", Verdict.unlisted),
        ("2.5(1)", Verdict.unknown),  # cannot be compared: not claimed affected
        ("", Verdict.unknown),  # no version recorded
    ],
)
def test_a_less_than_range(version: str, verdict: Verdict) -> None:
    assert cve.entry_status(entry(RANGE), version) is verdict


def test_default_status_decides_versions_no_item_matches() -> None:
    assert cve.entry_status(entry(RANGE, default="unaffected"), "3.0") is Verdict.unaffected
    assert cve.entry_status(entry(RANGE, default="affected"), "3.0") is Verdict.affected
    assert cve.entry_status(entry(default="affected"), None) is Verdict.affected
    assert cve.entry_status(entry(), "1.0") is Verdict.unknown  # the record says nothing


def test_exact_versions_inclusive_bounds_and_open_ends() -> None:
    exact = entry(
        VersionSpec("2.4", "affected"), VersionSpec("2.5", "affected"), default="unaffected"
    )
    assert cve.entry_status(exact, "2.4.0") is Verdict.affected
    assert cve.entry_status(exact, "2.6") is Verdict.unaffected
    inclusive = entry(VersionSpec("0", "affected", less_than_or_equal="2.5.1"))
    assert cve.entry_status(inclusive, "0.1") is Verdict.affected
    assert cve.entry_status(inclusive, "2.5.1") is Verdict.affected
    series = entry(VersionSpec("1.0", "affected", less_than="2.*"))
    assert cve.entry_status(series, "2.99.1") is Verdict.affected
    assert cve.entry_status(series, "3.0") is Verdict.unlisted
    unbounded = entry(VersionSpec("1.0", "affected", less_than="*"))
    assert cve.entry_status(unbounded, "99") is Verdict.affected


def test_changes_within_a_range_and_the_first_matching_item() -> None:
    branch = entry(
        VersionSpec(
            "2.0.0",
            "affected",
            less_than="2.*",
            version_type="semver",
            changes=(
                Change("2.5.2", "unaffected"),
                Change("2.6.0", "affected"),
                Change("2.6.3", "unaffected"),
            ),
        ),
    )
    expected = {
        "2.5.1": "affected",
        "2.5.2": "unaffected",
        "2.6.1": "affected",
        "2.6.3": "unaffected",
    }
    assert {v: cve.entry_status(branch, v).value for v in expected} == expected
    first = entry(VersionSpec("1.5.3", "unaffected"), VersionSpec("1.0", "affected", less_than="2"))
    assert cve.entry_status(first, "1.5.3") is Verdict.unaffected
    assert cve.entry_status(first, "1.5.4") is Verdict.affected


def test_an_item_that_cannot_be_compared_makes_the_answer_unknown() -> None:
    custom = entry(
        VersionSpec("9.1(1)", "unaffected", less_than="9.1(5)", version_type="custom"),
        VersionSpec("9.0", "affected", less_than="9.2"),
    )
    assert cve.entry_status(custom, "9.1.3") is Verdict.unknown
    git = entry(
        VersionSpec("0", "affected", less_than="a1b2c3", version_type="git"),
        VersionSpec("5.10", "affected", less_than="5.10.8"),
        default="unaffected",
    )
    assert cve.entry_status(git, "5.10.7") is Verdict.affected  # commits say nothing here
    assert cve.entry_status(git, "5.10.8") is Verdict.unaffected


# --- CVE JSON 5 records ---------------------------------------------------------------------


def record(cve_id: str = "CVE-2024-1234", **cna: Any) -> dict[str, Any]:
    """A minimal CVE JSON 5 record (published) with the CNA container fields given."""
    container: dict[str, Any] = {
        "providerMetadata": {"orgId": "00000000-0000-4000-8000-000000000001"},
        "descriptions": [{"lang": "en", "value": f"Test vulnerability {cve_id}."}],
        "affected": [
            {
                "vendor": "Acme",
                "product": "Widget Server",
                "defaultStatus": "unaffected",
                "versions": [
                    {
                        "version": "1.0",
                        "lessThan": "1.4",
                        "status": "affected",
                        "versionType": "semver",
                    }
                ],
            }
        ],
        "references": [{"url": "https://example.invalid/advisory"}],
    }
    container.update(cna)
    return {
        "dataType": "CVE_RECORD",
        "dataVersion": "5.1",
        "cveMetadata": {
            "cveId": cve_id,
            "assignerOrgId": "00000000-0000-4000-8000-000000000001",
            "state": "PUBLISHED",
            "datePublished": "2024-05-01T10:00:00Z",
        },
        "containers": {"cna": container},
    }


def test_a_record_is_normalised() -> None:
    data = record(metrics=[{"cvssV4_0": {"baseScore": 9.3}}, {"cvssV3_1": {"baseScore": 8.1}}])
    data["containers"]["adp"] = [
        {
            "affected": [
                {"vendor": "Acme", "product": "Widget Server", "cpes": ["cpe:2.3:a:acme:widget:*"]}
            ]
        }
    ]
    parsed = cve.parse_cve_record(data, ref="a.json")
    assert (parsed.cve_id, parsed.state, parsed.cvss_score, parsed.cvss_version) == (
        "CVE-2024-1234",
        "PUBLISHED",
        8.1,
        "cvssV3_1",
    )
    assert parsed.title == "Test vulnerability CVE-2024-1234."
    assert parsed.date_published is not None and parsed.date_published.year == 2024
    assert [sorted(a.keys()) for a in parsed.affected] == [
        [("acme", "widget_server")],
        [("acme", "widget"), ("acme", "widget_server")],
    ]
    assert parsed.digest() == cve.parse_cve_record(data, ref="b.json").digest()


def test_a_rejected_record_is_kept_without_products() -> None:
    data = record()
    data["cveMetadata"]["state"] = "REJECTED"
    data["containers"]["cna"] = {"rejectedReasons": [{"lang": "en", "value": "Duplicate."}]}
    parsed = cve.parse_cve_record(data, ref="r.json")
    assert (parsed.state, parsed.title, parsed.affected) == ("REJECTED", "Duplicate.", ())


@pytest.mark.parametrize(
    ("change", "field", "rule"),
    [
        (lambda d: d["cveMetadata"].update(cveId="CVE-24-1"), "cveMetadata.cveId", "cve-id"),
        (lambda d: d["cveMetadata"].update(state="RESERVED"), "cveMetadata.state", "cve-state"),
        (
            lambda d: d["cveMetadata"].update(datePublished="yesterday"),
            "cveMetadata.datePublished",
            "timestamp",
        ),
        (
            lambda d: d["containers"]["cna"]["affected"][0]["versions"][0].update(status="maybe"),
            "containers.cna.affected[0].versions[0].status",
            "version-status",
        ),
        (
            lambda d: d["containers"]["cna"]["affected"][0]["versions"][0].pop("version"),
            "containers.cna.affected[0].versions[0].version",
            "required",
        ),
        (
            lambda d: d["containers"]["cna"].update(metrics=[{"cvssV3_1": {"baseScore": 11}}]),
            "metrics[0].cvssV3_1.baseScore",
            "cvss-score",
        ),
        (lambda d: d.update(dataType="CVE_LIST"), "dataType", "cve-record-type"),
        (lambda d: d.pop("containers"), "containers", "object"),
    ],
)
def test_an_invalid_record_names_its_file_field_and_rule(
    change: Any, field: str, rule: str
) -> None:
    data = record()
    change(data)
    with pytest.raises(Invalid) as caught:
        cve.parse_cve_record(data, ref="bad.json[3]")
    assert (caught.value.field, caught.value.rule) == (f"bad.json[3]: {field}", rule)


def cvelist_zip(records: list[dict[str, Any]], extra: dict[str, bytes] | None = None) -> bytes:
    """A zip in the cvelistV5 layout (cvelistV5-main/cves/YYYY/NxxX/CVE-*.json)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for item in records:
            cve_id = item["cveMetadata"]["cveId"]
            year, number = cve_id.split("-")[1:]
            folder = f"{int(number) // 1000}xxx"
            archive.writestr(
                f"cvelistV5-main/cves/{year}/{folder}/{cve_id}.json", orjson.dumps(item)
            )
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_files_arrays_and_cvelist_zips_are_read_and_bad_records_listed() -> None:
    bad = record("CVE-2024-9999")
    bad["cveMetadata"]["state"] = "PENDING"
    data = cvelist_zip(
        [record("CVE-2024-1234"), record("CVE-2023-45001")],
        {"cvelistV5-main/README.md": b"# not a record", "cvelistV5-main/cves/delta.json": b"{}"},
    )
    parsed = cve.read_cve_files(
        [
            ("list.zip", data),
            ("array.json", orjson.dumps([record("CVE-2022-0001"), bad])),
            ("one.json", orjson.dumps(record("CVE-2021-0002"))),
            ("broken.json", b"{not json"),
        ]
    )
    assert sorted(r.cve_id for r in parsed.records) == [
        "CVE-2021-0002",
        "CVE-2022-0001",
        "CVE-2023-45001",
        "CVE-2024-1234",
    ]
    assert [(e.ref, e.field, e.rule) for e in parsed.errors] == [
        ("array.json[1]", "cveMetadata.state", "cve-state"),
        ("broken.json", "file", "json"),
    ]
    member = next(r for r in parsed.records if r.cve_id == "CVE-2023-45001")
    assert member.ref == "list.zip/cvelistV5-main/cves/2023/45xxx/CVE-2023-45001.json"


def test_a_zip_member_climbing_out_refuses_the_whole_archive() -> None:
    evil = cvelist_zip([], {"../cves/2024/1xxx/CVE-2024-1000.json": b"{}"})
    with pytest.raises(Invalid) as caught:
        cve.read_cve_files([("evil.zip", evil)])
    assert (caught.value.field, caught.value.rule) == ("file", "zip-path")
    with pytest.raises(Invalid) as caught:
        cve.read_cve_files([("fake.zip", b"PK\x03\x04 not really")])
    assert caught.value.rule == "zip"


# --- The KEV catalogue ------------------------------------------------------------------------


def kev_entry(cve_id: str = "CVE-2024-1234", **changes: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "cveID": cve_id,
        "vendorProject": "Acme",
        "product": "Widget Server",
        "vulnerabilityName": "Acme Widget Server Code Injection",
        "dateAdded": "2024-06-01",
        "shortDescription": "Code injection.",
        "requiredAction": "Apply updates.",
        "dueDate": "2024-06-22",
        "knownRansomwareCampaignUse": "Unknown",
        "notes": "",
    }
    entry.update(changes)
    return entry


def kev_catalogue(*entries: dict[str, Any], version: str = "2024.06.01") -> bytes:
    return orjson.dumps(
        {
            "title": "CISA Catalog of Known Exploited Vulnerabilities",
            "catalogVersion": version,
            "count": len(entries),
            "vulnerabilities": list(entries),
        }
    )


def test_the_kev_catalogue_is_read_and_bad_entries_listed() -> None:
    data = kev_catalogue(
        kev_entry(),
        kev_entry("CVE-2023-1", dateAdded="soon"),
        kev_entry("CVE-2024-2222", knownRansomwareCampaignUse="Known"),
    )
    parsed = cve.read_kev("kev.json", data)
    assert parsed.catalog_version == "2024.06.01"
    assert [(e.cve_id, e.key(), e.ransomware) for e in parsed.entries] == [
        ("CVE-2024-1234", ("acme", "widget_server"), False),
        ("CVE-2024-2222", ("acme", "widget_server"), True),
    ]
    assert [(e.ref, e.field, e.rule) for e in parsed.errors] == [
        ("kev.json vulnerabilities[1]", "cveID", "cve-id"),
    ]
    with pytest.raises(Invalid) as caught:
        cve.read_kev("notkev.json", b'{"cves": []}')
    assert caught.value.rule == "kev-catalogue"
