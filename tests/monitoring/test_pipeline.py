"""The ingest pipeline: every good line kept, every bad one numbered with its reason."""

from __future__ import annotations

import json
import string
from datetime import UTC, datetime

import orjson
from hypothesis import given
from hypothesis import strategies as st

from fenghuo.monitoring import formats, pipeline
from fenghuo.monitoring.formats import Rejected
from tests.monitoring import samples

RECEIVED = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)


def _run(body: bytes, declared: str = "auto") -> pipeline.BatchResult:
    return pipeline.run(
        pipeline.split_lines(body), source="s1", declared=declared, received_at=RECEIVED
    )


def test_mixed_batch_keeps_good_lines_and_numbers_bad_ones() -> None:
    body = b"\n".join(
        [
            samples.line(samples.evtx_process()),
            b'{"broken": ',
            samples.line(samples.windows_flat()),
            b"",
            b"\xff\xfe not utf-8",
            samples.line(samples.suricata_alert()) + b"\r",
            samples.SYSLOG_5424,
            b"<13>rubbish",
            samples.SYSLOG_3164,
            b"",
        ]
    )
    result = _run(body)
    assert [e.format for e in result.events] == [
        formats.EVTX_JSON,
        formats.WINDOWS_JSON,
        formats.SURICATA_EVE,
        formats.SYSLOG_5424,
        formats.SYSLOG_3164,
    ]
    assert [(e.line, e.reason.split(":")[0]) for e in result.errors] == [
        (2, "not valid JSON"),
        (5, "not UTF-8"),
        (8, "not an RFC 3164 syslog line (<PRI>Mmm dd hh"),
    ]
    assert result.reasons()["not valid JSON"] == 1
    assert not result.events[2].raw.endswith("\r")  # only the line ending is removed


def test_trailing_whitespace_of_a_line_is_kept() -> None:
    result = _run(samples.SYSLOG_5424)
    assert result.events[0].raw.endswith("  ")


def test_a_declared_format_applies_to_every_line() -> None:
    body = samples.line(samples.suricata_alert()) + b"\n" + samples.line(samples.windows_flat())
    result = _run(body, formats.SURICATA_EVE)
    assert len(result.events) == 1
    assert result.errors[0].line == 2


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=10,
)


@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_crash_the_pipeline(body: bytes) -> None:
    result = _run(body)
    lines = [line for line in body.split(b"\n") if line.strip()]
    assert len(result.events) + len(result.errors) == len(lines)
    assert all(error.reason for error in result.errors)


@given(st.dictionaries(st.text(max_size=8), json_values, max_size=6))
def test_arbitrary_json_objects_are_taken_or_refused_with_a_reason(obj: dict[str, object]) -> None:
    for declared in ("auto", *formats.FORMATS):
        try:
            formats.parse(json.dumps(obj), declared)
        except Rejected as refused:
            assert refused.reason


printable = st.text(alphabet=string.ascii_letters + string.digits + "._-", min_size=1, max_size=20)


@given(
    pri=st.integers(0, 191),
    host=printable,
    app=printable,
    procid=printable,
    msgid=printable,
    msg=st.text(max_size=40).filter(lambda m: "\n" not in m),
)
def test_rfc5424_round_trip(
    pri: int, host: str, app: str, procid: str, msgid: str, msg: str
) -> None:
    line = f"<{pri}>1 2026-01-02T03:04:05Z {host} {app} {procid} {msgid} - {msg}"
    fields = formats.parse_5424(line)
    expected = {"hostname": host, "app_name": app, "procid": procid, "msgid": msgid}
    assert {k: fields.get(k) for k in expected} == {
        k: (None if v == "-" else v) for k, v in expected.items()
    }
    assert fields["msg"] == msg
    assert fields["facility"] * 8 + fields["severity"] == pri


@given(
    fields=st.dictionaries(
        st.text(min_size=1, max_size=10), st.text(max_size=20) | st.integers(-(2**63), 2**63 - 1)
    )
)
def test_flat_windows_fields_are_kept_verbatim(fields: dict[str, object]) -> None:
    event = fields | {"EventID": 4688, "Channel": "Security"}
    result = _run(orjson.dumps(event))
    assert [e.fields for e in result.events] == [event]


months = st.sampled_from(["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct"])


@given(
    pri=st.integers(0, 191),
    month=months,
    day=st.integers(1, 28),
    host=printable,
    app=st.text(alphabet=string.ascii_letters + string.digits + "_-/", min_size=1, max_size=20),
    pid=st.integers(0, 99999),
    msg=st.text(max_size=40).filter(lambda m: "\n" not in m),
)
def test_rfc3164_round_trip(
    pri: int, month: str, day: int, host: str, app: str, pid: int, msg: str
) -> None:
    stamp = f"{month} {day:>2} 01:02:03"
    fields = formats.parse_3164(f"<{pri}>{stamp} {host} {app}[{pid}]: {msg}")
    assert (fields["timestamp"], fields["hostname"]) == (stamp, host)
    assert (fields["app_name"], fields["procid"], fields["msg"]) == (app, str(pid), msg)
