"""Property tests of the matcher: an event holding an indicator's value is always hit, and
CIDR membership agrees with ``ipaddress``."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from fenghuo.monitoring import schema
from fenghuo.monitoring.indicators import IndicatorType, LiveIndicator, Matcher, Tlp, normalise

NOW = datetime(2026, 3, 1, tzinfo=UTC)
label = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)
domains = st.lists(label, min_size=1, max_size=4).map(".".join)
hexes = {
    IndicatorType.md5: st.from_regex(r"[0-9a-fA-F]{32}", fullmatch=True),
    IndicatorType.sha1: st.from_regex(r"[0-9a-fA-F]{40}", fullmatch=True),
    IndicatorType.sha256: st.from_regex(r"[0-9a-fA-F]{64}", fullmatch=True),
}
ipv4 = st.ip_addresses(v=4).map(str)
ipv6 = st.ip_addresses(v=6).map(str)


def _indicator(kind: str, value: str, number: int = 0) -> LiveIndicator:
    found_type, found_value = normalise(kind, value)
    return LiveIndicator(
        id=f"i{number}", set_id="s", set_name="s", type=found_type, value=found_value, tlp=Tlp.red
    )


def _event(**parts: dict[str, str]) -> schema.NormalisedEvent:
    return schema.NormalisedEvent(
        event_id="e",
        time=NOW,
        received_at=NOW,
        source="s",
        format="suricata_eve",
        fields={},
        raw="",
        **{name: schema.PARTS[name](**values) for name, values in parts.items()},
    )


@st.composite
def indicator_and_event(draw: st.DrawFn) -> tuple[LiveIndicator, schema.NormalisedEvent]:
    kind = draw(st.sampled_from(list(IndicatorType)))
    if kind in (IndicatorType.ipv4, IndicatorType.ipv6):
        value = draw(ipv4 if kind is IndicatorType.ipv4 else ipv6)
        where = draw(st.sampled_from(["src_ip", "dst_ip"]))
        return _indicator(kind, value), _event(network={where: value})
    if kind is IndicatorType.cidr:
        network = draw(
            st.ip_addresses().flatmap(
                lambda a: st.integers(0, a.max_prefixlen).map(
                    lambda p: ipaddress.ip_network(f"{a}/{p}", strict=False)
                )
            )
        )
        offset = draw(st.integers(0, network.num_addresses - 1))
        address = str(network.network_address + offset)
        return _indicator("cidr", str(network)), _event(network={"dst_ip": address})
    if kind is IndicatorType.domain:
        value = draw(domains)
        prefix = draw(
            st.lists(label, max_size=2).map(lambda labels: "".join(f"{x}." for x in labels))
        )
        upper = draw(st.booleans())
        seen = f"{prefix}{value}"
        return _indicator("domain", value), _event(dns={"query": seen.upper() if upper else seen})
    if kind is IndicatorType.url:
        host, path = draw(domains), draw(st.from_regex(r"/[a-z0-9/._-]{0,20}", fullmatch=True))
        full = f"http://{host}{path}"
        if draw(st.booleans()):
            return _indicator("url", full), _event(http={"url": full})
        return _indicator("url", full), _event(http={"host": host, "url": path})
    value = draw(hexes[kind])
    name = {"md5": "MD5", "sha1": "SHA1", "sha256": "SHA256"}[kind.value]
    hashes = f"IMPHASH={'0' * 32},{name}={value}"
    where = draw(st.sampled_from(["process", "file"]))
    return _indicator(kind.value, value), _event(**{where: {"hashes": hashes}})


@settings(max_examples=300, deadline=None)
@given(indicator_and_event(), st.lists(st.tuples(st.sampled_from(["ipv4", "domain"]), domains)))
def test_an_event_holding_an_indicator_is_always_hit(
    case: tuple[LiveIndicator, schema.NormalisedEvent], noise: list[tuple[str, str]]
) -> None:
    indicator, event = case
    others = []
    for number, (kind, text) in enumerate(noise, start=1):
        if kind == "domain":
            others.append(_indicator("domain", f"noise-{text}", number))
    matcher = Matcher([indicator, *others])
    assert indicator.id in {hit.indicator_id for hit in matcher.match_event(event)}


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.ip_addresses().flatmap(
            lambda a: st.integers(0, a.max_prefixlen).map(
                lambda p: ipaddress.ip_network(f"{a}/{p}", strict=False)
            )
        ),
        max_size=8,
    ),
    st.ip_addresses(),
)
def test_cidr_membership_agrees_with_ipaddress(
    networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network],
    address: ipaddress.IPv4Address | ipaddress.IPv6Address,
) -> None:
    matcher = Matcher(_indicator("cidr", str(n), i) for i, n in enumerate(networks))
    # By design, an IPv4-mapped IPv6 address (Sysmon writes ::ffff:a.b.c.d) is also its IPv4 one.
    forms: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = [address]
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        forms.append(address.ipv4_mapped)
    expected = {
        f"i{i}"
        for i, n in enumerate(networks)
        if any(form.version == n.version and form in n for form in forms)
    }
    assert {found.id for found in matcher.ip(str(address))} == expected
