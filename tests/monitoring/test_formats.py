"""Format detection and the parsers: each format, and each way a line is refused."""

from __future__ import annotations

import pytest

from fenghuo.monitoring import formats
from fenghuo.monitoring.formats import Rejected, parse
from tests.monitoring import samples


def test_nested_evtx_is_flattened_with_attributes_joined_to_their_element() -> None:
    parsed = parse(samples.line(samples.evtx_process()).decode())
    assert parsed.format == formats.EVTX_JSON
    fields = parsed.fields
    assert fields["EventID"] == 1
    assert fields["ProviderName"] == "Microsoft-Windows-Sysmon"
    assert fields["TimeCreatedSystemTime"] == "2026-03-01T10:00:00.1234567Z"
    assert fields["ExecutionProcessID"] == 2000
    assert fields["SecurityUserID"] == "S-1-5-18"
    assert fields["CommandLine"] == "cmd.exe /c whoami  "  # trailing spaces kept


def test_evtx_event_id_may_be_text_with_attributes() -> None:
    event = samples.evtx_process(event_id={"#attributes": {"Qualifiers": 16384}, "#text": 7036})
    fields = parse(samples.line(event).decode()).fields
    assert (fields["EventID"], fields["EventIDQualifiers"]) == (7036, 16384)


def test_evtx_user_data_is_unwrapped() -> None:
    event = samples.evtx_process()
    del event["Event"]["EventData"]
    event["Event"]["UserData"] = {"LogFileCleared": {"SubjectUserName": "li"}}
    assert parse(samples.line(event).decode()).fields["SubjectUserName"] == "li"


def test_flat_windows_keeps_fields_and_types_verbatim() -> None:
    original = samples.windows_flat()
    parsed = parse(samples.line(original).decode())
    assert parsed.format == formats.WINDOWS_JSON
    assert parsed.fields == original


def test_suricata_is_flattened_with_dots() -> None:
    parsed = parse(samples.line(samples.suricata_alert()).decode())
    assert parsed.format == formats.SURICATA_EVE
    assert parsed.fields["alert.signature"] == "ET TEST"
    assert parsed.fields["src_port"] == 51000


def test_rfc5424_line() -> None:
    parsed = parse(samples.SYSLOG_5424.decode())
    assert parsed.format == formats.SYSLOG_5424
    fields = parsed.fields
    assert (fields["facility"], fields["severity"]) == (20, 5)
    assert fields["hostname"] == "fw1.example.cn"
    assert fields["app_name"] == "sshd" and fields["procid"] == "812"
    assert fields["structured_data"].startswith("[exampleSDID@32473")
    assert fields["msg"].endswith("port 2222  ")


def test_rfc5424_nil_values_are_absent() -> None:
    fields = parse("<13>1 - - - - - -").fields
    assert set(fields) == {"pri", "facility", "severity"}


def test_rfc3164_line_with_tag_and_pid() -> None:
    parsed = parse(samples.SYSLOG_3164.decode())
    assert parsed.format == formats.SYSLOG_3164
    assert parsed.fields["timestamp"] == "Mar  4 05:06:07"
    assert (parsed.fields["app_name"], parsed.fields["procid"]) == ("su", "230")
    assert parsed.fields["msg"].startswith("'su root' failed")


@pytest.mark.parametrize(
    ("text", "declared", "reason"),
    [
        ('{"EventID": 1', "auto", "not valid JSON"),
        ("[1, 2]", "auto", "a JSON list where an object was expected"),
        ('{"hello": "world"}', "auto", "a JSON object of no known format"),
        ('{"Event": {"System": {"Channel": "x"}}}', "auto", "Event.System has no EventID"),
        ('{"Event": {"System": 3}}', "evtx_json", "Event.System is missing or not an object"),
        ('{"Channel": "Security"}', "windows_json", "a flat Windows event needs an EventID"),
        ('{"event_type": 1, "timestamp": "x"}', "suricata_eve", "an EVE record needs event_type"),
        ("<999>1 - - - - - -", "auto", "syslog priority 999 is above 191"),
        ("<13>1 only-a-stamp", "auto", "not an RFC 5424 syslog line"),
        ("<13>yesterday host msg", "auto", "not an RFC 3164 syslog line"),
        ("plain text", "syslog_3164", "not an RFC 3164 syslog line"),
        ("{}", "netflow", "unknown format 'netflow'"),
    ],
)
def test_a_refused_line_says_why(text: str, declared: str, reason: str) -> None:
    with pytest.raises(Rejected) as refused:
        parse(text, declared)
    assert refused.value.reason.startswith(reason), refused.value.reason


def test_a_declared_format_is_not_second_guessed() -> None:
    with pytest.raises(Rejected, match="a flat Windows event needs an EventID"):
        parse(samples.line(samples.suricata_alert()).decode(), formats.WINDOWS_JSON)
