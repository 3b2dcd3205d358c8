"""Mappings (data) applied to parsed fields: the common schema, per format."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from fenghuo.monitoring import formats
from fenghuo.monitoring.formats import Rejected, parse
from fenghuo.monitoring.normalise import as_int, mapping, normalise, parse_time
from fenghuo.monitoring.schema import PARTS, TOP_FIELDS, NormalisedEvent, event_id
from tests.monitoring import samples

RECEIVED = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)


def _normalised(raw: bytes, declared: str = "auto") -> NormalisedEvent:
    text = raw.decode()
    return normalise(parse(text, declared), source="s1", raw=text, received_at=RECEIVED)


def test_sysmon_process_creation() -> None:
    event = _normalised(samples.line(samples.evtx_process()))
    assert event.time == datetime(2026, 3, 1, 10, 0, 0, 123000, tzinfo=UTC)  # UtcTime wins
    assert (event.host, event.user, event.event_code) == ("ws1.example.cn", "EXAMPLE\\li", "1")
    assert event.channel == "Microsoft-Windows-Sysmon/Operational"
    assert event.provider == "Microsoft-Windows-Sysmon"
    assert event.process.image == "C:\\Windows\\System32\\cmd.exe"
    assert event.process.command_line == "cmd.exe /c whoami  "
    assert event.process.parent_command_line == "explorer.exe "
    assert (event.process.pid, event.process.parent_pid) == (4242, 1000)
    assert event.fields["CommandLine"] == "cmd.exe /c whoami  "
    assert event.format == formats.EVTX_JSON


def test_flat_security_event_with_hex_pid_and_lower_case_channel() -> None:
    event = _normalised(samples.line(samples.windows_flat()))
    assert event.time == datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
    assert event.channel == "security"
    assert event.process.image == "C:\\Windows\\System32\\net.exe"
    assert event.process.pid == 0x1A2B
    assert event.process.command_line == "net user /domain\t"
    assert event.user == "admin"


def test_suricata_alert_and_dns() -> None:
    alert = _normalised(samples.line(samples.suricata_alert()))
    assert alert.time == datetime(2026, 3, 2, 17, 2, 3, 456789, tzinfo=UTC)
    assert alert.network.src_ip == "10.1.2.3" and alert.network.dst_port == 443
    assert (alert.category, alert.message, alert.event_code) == ("alert", "ET TEST", "2000001")
    dns = _normalised(samples.line(samples.suricata_dns()))
    assert dns.dns.query == "evil.example"


def test_syslog_lines() -> None:
    modern = _normalised(samples.SYSLOG_5424)
    assert modern.time == datetime(2026, 3, 4, 5, 6, 7, 89000, tzinfo=UTC)
    assert (modern.host, modern.provider, modern.process.pid) == ("fw1.example.cn", "sshd", 812)
    bsd = _normalised(samples.SYSLOG_3164)
    assert bsd.time == datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
    assert bsd.host == "router1" and bsd.process.image == "su"


def test_a_bsd_stamp_from_december_received_in_january_is_last_year() -> None:
    january = datetime(2027, 1, 1, 0, 5, tzinfo=UTC)
    assert parse_time("Dec 31 23:59:00", received_at=january, bsd=True).year == 2026


def test_an_event_without_time_takes_the_time_it_was_received() -> None:
    event = _normalised(b"<13>1 - host app - - - hello")
    assert event.time == RECEIVED


def test_an_unreadable_time_rejects_the_line() -> None:
    raw = samples.suricata_alert() | {"timestamp": "half past nine"}
    with pytest.raises(Rejected, match="is not a timestamp"):
        _normalised(samples.line(raw))


def test_the_event_id_depends_on_source_and_line_only() -> None:
    raw = samples.line(samples.windows_flat())
    assert _normalised(raw).event_id == _normalised(raw).event_id == event_id("s1", raw.decode())
    assert event_id("s2", raw.decode()) != event_id("s1", raw.decode())


@pytest.mark.parametrize(
    ("value", "expected"),
    [(5, 5), ("17", 17), ("0x10", 16), ("x", None), (True, None), (2**70, None)],
)
def test_as_int(value: object, expected: int | None) -> None:
    assert as_int(value) == expected


@pytest.mark.parametrize("name", ["windows", "suricata_eve", "syslog"])
def test_every_mapping_targets_a_schema_field(name: str) -> None:
    known = {"time", *TOP_FIELDS}
    known |= {f"{part}.{f}" for part, cls in PARTS.items() for f in cls.__dataclass_fields__}
    assert set(mapping(name)) <= known
