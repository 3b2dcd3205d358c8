"""Indicator sets: normal forms, STIX 2.1 and CSV import, the matcher, and the ingest hook."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fenghuo import clock
from fenghuo.accounts import credentials
from fenghuo.audit.models import AuditRecord
from fenghuo.authority import Actor, Policy
from fenghuo.bus.outbox import OutboxMessage
from fenghuo.errors import Invalid, Refused
from fenghuo.monitoring import archive, flows, indicators, pipeline
from fenghuo.monitoring import indicators_service as service
from fenghuo.monitoring.indicators import (
    IndicatorFileError,
    IndicatorType,
    Tlp,
    normalise,
    parse_pattern,
)
from fenghuo.monitoring.indicators_models import Indicator, IndicatorSet
from fenghuo.monitoring.schemas import SourceCreate
from fenghuo.settings import Settings
from tests.factories.accounts import make_user, make_world
from tests.monitoring import samples

GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
RED = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
AMBER_STRICT = "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"
SHA256 = "a" * 64


def _indicator(number: int, pattern: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--00000000-0000-4000-8000-{number:012d}",
        "created": "2026-01-01T00:00:00.000Z",
        "modified": "2026-01-01T00:00:00.000Z",
        "pattern_type": "stix",
        "pattern": pattern,
        "valid_from": "2026-01-01T00:00:00Z",
        **extra,
    }


def bundle(*objects: dict[str, Any]) -> bytes:
    return orjson.dumps(
        {"type": "bundle", "id": "bundle--00000000-0000-4000-8000-000000000000", "objects": objects}
    )


GOOD_BUNDLE = bundle(
    _indicator(1, "[ipv4-addr:value = '198.51.100.7']", object_marking_refs=[GREEN]),
    _indicator(2, "[domain-name:value = 'Evil.Example.']", confidence=80),
    _indicator(
        3,
        "[url:value = 'HTTP://Bad.Example/path?q=1'] OR [ipv4-addr:value = '203.0.113.0/24']",
        object_marking_refs=[RED],
    ),
    _indicator(
        4, f"[file:hashes.'SHA-256' = '{SHA256.upper()}' OR file:hashes.MD5 = '{'b' * 32}']"
    ),
    _indicator(5, "[ipv4-addr:value = '192.0.2.1' AND domain-name:value = 'x.example']"),
    _indicator(6, "[process:name = 'evil.exe']"),
    _indicator(7, "[ipv4-addr:value = '192.0.2.2'] WITHIN 10 SECONDS"),
    _indicator(8, "rule x { condition: true }", pattern_type="yara"),
    {"type": "identity", "id": "identity--1", "name": "Someone"},
    _indicator(9, "[domain-name:value = 'old.example']", valid_until="2026-02-01T00:00:00Z"),
)


# ---------------------------------------------------------------- pure


def test_values_are_normalised() -> None:
    assert normalise("domain", "Evil.Example.") == (IndicatorType.domain, "evil.example")
    assert normalise("cidr", "10.1.2.3/8") == (IndicatorType.cidr, "10.0.0.0/8")
    assert normalise("cidr", "10.1.2.3/32") == (IndicatorType.ipv4, "10.1.2.3")
    assert normalise("ipv4", "203.0.113.0/24") == (IndicatorType.cidr, "203.0.113.0/24")
    assert normalise("ipv6", "2001:DB8::0001") == (IndicatorType.ipv6, "2001:db8::1")
    assert normalise("sha1", "A" * 40) == (IndicatorType.sha1, "a" * 40)
    assert normalise("url", "HTTPS://Host.Example") == (IndicatorType.url, "https://host.example/")
    for kind, bad in (
        ("ipv4", "2001:db8::1"),
        ("ipv4", "300.1.1.1"),
        ("md5", "abc"),
        ("domain", "a b"),
        ("url", "/relative"),
        ("filename", "x"),
        ("url", "http://x.example/" + "a" * 3000),
    ):
        with pytest.raises(indicators.BadIndicator):
            normalise(kind, bad)


def test_patterns_of_or_joined_comparisons_are_read() -> None:
    assert parse_pattern("[ipv4-addr:value = '1.2.3.4' OR ipv6-addr:value = '::1']") == [
        (IndicatorType.ipv4, "1.2.3.4"),
        (IndicatorType.ipv6, "::1"),
    ]
    assert parse_pattern(r"[url:value = 'http://x.example/it\'s']") == [
        (IndicatorType.url, "http://x.example/it's")
    ]
    assert parse_pattern("[file:hashes.'SHA-1' = 'ab'] OR [file:hashes.SHA256 = 'cd']") == [
        (IndicatorType.sha1, "ab"),
        (IndicatorType.sha256, "cd"),
    ]


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("[ipv4-addr:value = '1.2.3.4' AND ipv4-addr:value = '1.2.3.5']", "'AND' is not supported"),
        ("[ipv4-addr:value != '1.2.3.4']", "operator != is not supported"),
        ("[domain-name:value MATCHES '^x']", "operator MATCHES is not supported"),
        ("[process:name = 'x']", "object path process:name is not supported"),
        ("[file:hashes.'SHA-512' = 'x']", "hash 'sha-512' is not supported"),
        ("[ipv4-addr:value = '1.2.3.4'] FOLLOWEDBY [ipv4-addr:value = '1.2.3.5']", "FOLLOWEDBY"),
        ("[ipv4-addr:value = '1.2.3.4'] REPEATS 5 TIMES", "REPEATS"),
        ("[ipv4-addr:value = '1.2.3.4'", "ends too early"),
        ("", "ends too early"),
    ],
)
def test_unsupported_patterns_say_why(pattern: str, reason: str) -> None:
    with pytest.raises(indicators.UnsupportedPattern, match=None) as raised:
        parse_pattern(pattern)
    assert reason in str(raised.value)


def test_a_bundle_is_read_and_the_rest_reported_with_reasons() -> None:
    parsed = indicators.read_stix(GOOD_BUNDLE)
    values = {(i.type.value, i.value): i for i in parsed.indicators}
    assert set(values) == {
        ("ipv4", "198.51.100.7"),
        ("domain", "evil.example"),
        ("url", "http://bad.example/path?q=1"),
        ("cidr", "203.0.113.0/24"),
        ("sha256", SHA256),
        ("md5", "b" * 32),
        ("domain", "old.example"),
    }
    assert values[("ipv4", "198.51.100.7")].tlp is Tlp.green
    assert values[("cidr", "203.0.113.0/24")].tlp is Tlp.red
    assert values[("domain", "evil.example")].tlp is None
    assert values[("domain", "evil.example")].confidence == 80
    assert (
        values[("ipv4", "198.51.100.7")].stix_id
        == "indicator--00000000-0000-4000-8000-000000000001"
    )
    skipped = {s.ref[-1]: s.reason for s in parsed.skipped}
    assert set(skipped) == {"5", "6", "7", "8"}
    assert "'AND' is not supported" in skipped["5"]
    assert "process:name" in skipped["6"]
    assert "WITHIN" in skipped["7"]
    assert "yara" in skipped["8"]
    assert parsed.markings == {Tlp.green, Tlp.red}


def test_a_file_that_is_no_bundle_is_refused() -> None:
    with pytest.raises(IndicatorFileError):
        indicators.read_stix(b"not json")
    with pytest.raises(IndicatorFileError):
        indicators.read_stix(b'{"type": "indicator"}')


def test_csv_rows_are_read_and_a_bad_row_names_its_line_and_field() -> None:
    good = indicators.read_csv(
        "type,value,expires,confidence,description\n"
        "ipv4,192.0.2.9,2030-01-01T00:00:00Z,70,scanner\n"
        "domain,Bad.Example,,,\n"
    )
    assert [(i.type.value, i.value) for i in good.indicators] == [
        ("ipv4", "192.0.2.9"),
        ("domain", "bad.example"),
    ]
    assert good.indicators[0].valid_until == datetime(2030, 1, 1, tzinfo=UTC)
    cases = {
        "type,value\nipv4,192.0.2.1\nmd5,xyz\n": ("line 3", "value"),
        "type,value\nhostname,a\n": ("line 2", "type"),
        "type,value,expires\nipv4,192.0.2.1,soon\n": ("line 2", "expires"),
        "type,value,confidence\nipv4,192.0.2.1,101\n": ("line 2", "confidence"),
        "type,colour\n": ("line 1", "value"),
        "type,value,colour\n": ("line 1", "colour"),
    }
    for text, (line, field) in cases.items():
        with pytest.raises(IndicatorFileError) as raised:
            indicators.read_csv(text)
        assert (raised.value.location, raised.value.field) == (line, field), text


def _live(kind: str, value: str, number: int = 1) -> indicators.LiveIndicator:
    found_type, found_value = normalise(kind, value)
    return indicators.LiveIndicator(
        id=f"i{number}",
        set_id="s",
        set_name="set",
        type=found_type,
        value=found_value,
        tlp=Tlp.amber,
    )


def test_the_matcher_looks_in_addresses_names_urls_and_hashes() -> None:
    matcher = indicators.Matcher(
        [
            _live("ipv4", "192.0.2.9", 1),
            _live("cidr", "203.0.113.0/24", 2),
            _live("domain", "evil.example", 3),
            _live("url", "http://bad.example/x", 4),
            _live("sha256", "c" * 64, 5),
            _live("md5", "d" * 32, 6),
            _live("cidr", "2001:db8::/32", 7),
        ]
    )
    event = samples_event(
        network={"src_ip": "192.0.2.9", "dst_ip": "203.0.113.77"},
        dns={"query": "a.b.EVIL.example."},
        http={"host": "bad.example", "url": "/x"},
        process={"hashes": f"MD5={'D' * 32},SHA256={'C' * 64},IMPHASH={'e' * 32}"},
    )
    hits = {(hit.indicator_id, hit.field) for hit in matcher.match_event(event)}
    assert hits == {
        ("i1", "network.src_ip"),
        ("i2", "network.dst_ip"),
        ("i3", "dns.query"),
        ("i4", "http.url"),
        ("i5", "process.hashes"),
        ("i6", "process.hashes"),
    }
    assert matcher.domain("notevil.example") == []
    assert [i.id for i in matcher.ip("2001:db8:1::5")] == ["i7"]
    assert [i.id for i in matcher.ip("::ffff:192.0.2.9")] == ["i1"]
    from_fields = samples_event(fields={"fileinfo.sha256": "c" * 64, "Comment": "c" * 64})
    assert [(h.indicator_id, h.field) for h in matcher.match_event(from_fields)] == [
        ("i5", "fields.fileinfo.sha256")
    ]


def samples_event(**parts: Any) -> Any:
    from fenghuo.monitoring import schema

    now = datetime(2026, 3, 1, tzinfo=UTC)
    built = {
        name: schema.PARTS[name](**values) for name, values in parts.items() if name != "fields"
    }
    return schema.NormalisedEvent(
        event_id="e",
        time=now,
        received_at=now,
        source="s",
        format="suricata_eve",
        fields=parts.get("fields", {}),
        raw="{}",
        **built,
    )


# ---------------------------------------------------------------- database


def test_a_stix_import_is_one_audited_change_and_expired_indicators_do_not_match(
    session: Session, system_actor: Actor
) -> None:
    world = make_world(session)
    with clock.frozen(datetime(2026, 3, 1, tzinfo=UTC)):
        result = service.import_indicators(
            session=session,
            actor=system_actor,
            set_name="cncert-feed",
            owner_org_id=world.national.id,
            parsed=indicators.read_stix(GOOD_BUNDLE),
            origin="test",
        )
        assert (result.created, result.added, result.updated) == (True, 7, 0)
        assert len(result.skipped) == 4
        assert result.indicator_set.tlp == "RED"  # the bundle's strictest marking
        rows = {row.value: row for row in session.scalars(select(Indicator))}
        assert rows["198.51.100.7"].tlp == "GREEN"
        assert rows["evil.example"].tlp == "RED"  # no marking of its own: the set's
        matcher = service.live_matcher(session)
        assert len(matcher) == 6
        assert matcher.domain("old.example") == []  # expired on 2026-02-01
        assert matcher.domain("x.evil.example")
        record = session.scalars(select(AuditRecord).order_by(AuditRecord.seq.desc())).first()
        assert record is not None and record.action == "monitoring.indicators.manage"
        assert record.details["added"] == 7 and len(record.details["skipped"]) == 4
        notice = session.scalars(
            select(OutboxMessage).where(OutboxMessage.subject == service.IMPORTED)
        ).one()
        assert notice.payload["added"] == 7
        again = service.import_indicators(
            session=session,
            actor=system_actor,
            set_name="cncert-feed",
            owner_org_id=None,
            parsed=indicators.read_stix(GOOD_BUNDLE),
            origin="test",
            tlp=Tlp.amber,
        )
        assert (again.created, again.added, again.updated) == (False, 0, 7)
        assert again.indicator_set.tlp == "AMBER"
    with clock.frozen(datetime(2025, 12, 1, tzinfo=UTC)):
        assert len(service.live_matcher(session)) == 0  # not yet valid


def test_expiry_applies_to_indicators_without_their_own(
    session: Session, system_actor: Actor
) -> None:
    world = make_world(session)
    parsed = indicators.read_csv("type,value,expires\nipv4,192.0.2.1,\nipv4,192.0.2.2,2099-01-01\n")
    service.import_indicators(
        session=session,
        actor=system_actor,
        set_name="short-lived",
        owner_org_id=world.energy_dept.id,
        parsed=parsed,
        origin="test",
        expires=clock.now() + timedelta(hours=1),
        tlp=Tlp.green,
    )
    later = clock.now() + timedelta(hours=2)
    assert [i.value for i in service.live_matcher(session, at=later).ip("192.0.2.2")] == [
        "192.0.2.2"
    ]
    assert service.live_matcher(session, at=later).ip("192.0.2.1") == []


def test_a_new_set_needs_an_owner_and_importers_need_the_grant(
    session: Session, system_actor: Actor, policy: Policy
) -> None:
    world = make_world(session)
    parsed = indicators.read_csv("type,value\nipv4,192.0.2.1\n")
    with pytest.raises(Invalid) as invalid:
        service.import_indicators(
            session=session,
            actor=system_actor,
            set_name="orphan",
            owner_org_id=None,
            parsed=parsed,
            origin="t",
        )
    assert invalid.value.field == "owner_org_id"
    staff = make_user(
        session, org=world.energy_op_gd, username="op-staff", roles=["operator_staff"]
    )
    with pytest.raises(Refused) as refused:
        service.import_indicators(
            session=session,
            actor=credentials.actor_for(staff, policy),
            set_name="mine",
            owner_org_id=world.energy_op_gd.id,
            parsed=parsed,
            origin="t",
        )
    assert refused.value.rule == "no-grant"
    analyst = make_user(session, org=world.energy_dept, username="en-analyst", roles=["analyst"])
    with pytest.raises(Refused) as refused:
        service.import_indicators(
            session=session,
            actor=credentials.actor_for(analyst, policy),
            set_name="other-sector",
            owner_org_id=world.finance_op_sh.id,
            parsed=parsed,
            origin="t",
        )
    assert refused.value.rule == "out-of-scope"
    assert session.scalar(select(func.count(IndicatorSet.id))) == 0


def test_ingested_events_record_their_indicator_hits(
    session: Session, system_actor: Actor, policy: Policy, settings: Settings
) -> None:
    world = make_world(session)
    service.import_indicators(
        session=session,
        actor=system_actor,
        set_name="watch",
        owner_org_id=world.national.id,
        parsed=indicators.read_csv("type,value\ncidr,10.0.0.0/8\n"),
        origin="t",
    )
    source, secret = flows.create_source(
        session=session,
        actor=system_actor,
        source_in=SourceCreate(name="gd-eve", kind="sensor", owner_org_id=world.energy_op_gd.id),
    )
    found = credentials.authenticate(
        session=session, policy=policy, secret=secret, kinds=frozenset({credentials_kind()})
    )
    assert found is not None
    body = b"\n".join(
        [samples.line(samples.suricata_alert()), samples.line(samples.evtx_process())]
    )
    flows.ingest_events(
        session=session,
        actor=found[0],
        settings=settings,
        source=source,
        lines=pipeline.split_lines(body),
        origin="test",
    )
    table = archive.read_events(archive.events_root(settings.data_dir))
    by_format = dict(
        zip(
            table.column("format").to_pylist(),
            table.column("indicator_hits").to_pylist(),
            strict=True,
        )
    )
    assert by_format["evtx_json"] is None
    hits = orjson.loads(by_format["suricata_eve"])
    assert {(h["set_name"], h["value"]) for h in hits} == {("watch", "10.0.0.0/8")}


def credentials_kind() -> Any:
    from fenghuo.accounts.enums import CredentialKind

    return CredentialKind.api
