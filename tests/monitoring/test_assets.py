"""The asset registry: import (authorised, audited), lookups, and events enriched at ingest."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy.orm import Session

from fenghuo.accounts import credentials
from fenghuo.authority import Actor, Policy
from fenghuo.errors import Refused
from fenghuo.monitoring import archive, assets, flows, pipeline
from fenghuo.monitoring.schemas import AssetCreate, SourceCreate
from fenghuo.platform import Platform
from fenghuo.settings import Settings
from tests.cli.conftest import invoke_in
from tests.factories.accounts import make_user, make_world
from tests.monitoring import samples


def test_a_row_is_a_range_or_a_host() -> None:
    assert str(AssetCreate(org_id="o", cidr="10.1.0.0/16").cidr) == "10.1.0.0/16"
    assert AssetCreate(org_id="o", host="WS1.Example.CN").host == "ws1.example.cn"
    for bad in ({}, {"cidr": "10.0.0.0/8", "host": "a"}, {"cidr": "10.0.0.1/8"}, {"host": "a b"}):
        with pytest.raises(ValidationError):
            AssetCreate(org_id="o", **bad)


def test_lookups_prefer_the_most_specific_range_and_match_short_host_names(
    session: Session, system_actor: Actor
) -> None:
    world = make_world(session)
    rows = [
        AssetCreate(org_id=world.energy_op_gd.id, cidr="10.0.0.0/8"),
        AssetCreate(org_id=world.finance_op_sh.id, cidr="10.1.0.0/16"),
        AssetCreate(org_id=world.finance_op_sh.id, cidr="2001:db8::/32"),
        AssetCreate(org_id=world.energy_op_gd.id, host="ws1"),
    ]
    assert assets.import_assets(session=session, actor=system_actor, rows=rows) == 4
    assert assets.import_assets(session=session, actor=system_actor, rows=rows) == 0
    index = assets.AssetIndex.load(session)
    assert index.by_ip("10.1.2.3").org_id == world.finance_op_sh.id  # type: ignore[union-attr]
    assert index.by_ip("10.9.9.9").org_id == world.energy_op_gd.id  # type: ignore[union-attr]
    assert index.by_ip("2001:db8::1").org_id == world.finance_op_sh.id  # type: ignore[union-attr]
    assert index.by_ip("192.0.2.1") is None and index.by_ip("not an ip") is None
    owner = index.by_host("WS1.example.cn")
    assert owner is not None and (owner.sector, owner.region, owner.is_cii) == (
        "energy",
        "440300",
        True,
    )


def test_an_administrator_registers_only_within_visibility(
    session: Session, policy: Policy
) -> None:
    world = make_world(session)
    admin = make_user(session, org=world.energy_op_gd, username="gd-adm", roles=["administrator"])
    actor = credentials.actor_for(admin, policy)
    mine = AssetCreate(org_id=world.energy_op_gd.id, cidr="172.16.0.0/12")
    assert assets.import_assets(session=session, actor=actor, rows=[mine]) == 1
    theirs = AssetCreate(org_id=world.finance_op_sh.id, cidr="192.168.0.0/16")
    with pytest.raises(Refused):
        assets.import_assets(session=session, actor=actor, rows=[theirs])


def test_ingested_events_carry_their_owner(
    session: Session, system_actor: Actor, settings: Settings
) -> None:
    world = make_world(session)
    rows = [
        AssetCreate(org_id=world.energy_op_gd.id, host="ws1.example.cn"),
        AssetCreate(org_id=world.finance_op_sh.id, cidr="203.0.113.0/24"),
    ]
    assets.import_assets(session=session, actor=system_actor, rows=rows)
    source_in = SourceCreate(name="gd-enriched", kind="sensor", owner_org_id=world.national.id)
    source, _ = flows.create_source(session=session, actor=system_actor, source_in=source_in)
    body = b"\n".join(
        [
            samples.line(samples.evtx_process()),  # host ws1.example.cn
            samples.line(samples.suricata_alert()),  # destination 203.0.113.9
            samples.SYSLOG_3164,  # router1: nobody's
        ]
    )
    flows.ingest_events(
        session=session,
        actor=system_actor,
        settings=settings,
        source=source,
        lines=pipeline.split_lines(body),
        origin="test",
    )
    table = archive.read_events(archive.events_root(settings.data_dir))
    owners = dict(zip(table.column("format").to_pylist(), table.to_pylist(), strict=True))
    assert owners["evtx_json"]["owner_org_id"] == world.energy_op_gd.id
    assert owners["evtx_json"]["owner_is_cii"] is True
    assert owners["suricata_eve"]["owner_sector"] == "finance"
    assert owners["syslog_3164"]["owner_org_id"] is None


def test_cli_import_and_list(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    assert invoke_in(data_dir, "db", "upgrade").exit_code == 0
    platform = Platform.build(Settings(data_dir=data_dir))
    with platform.transaction() as session:
        make_world(session)
    platform.engine.dispose()
    csv_file = tmp_path / "assets.csv"
    csv_file.write_text(
        "org,cidr,host,description\n"
        "Shenzhen Power,10.20.0.0/16,,plant LAN\n"
        "Shenzhen Power,,scada1,\n"
    )
    imported = invoke_in(data_dir, "assets", "import", str(csv_file))
    assert imported.exit_code == 0, imported.output
    assert "2 rows read, 2 added or changed." in imported.stdout
    listed = invoke_in(data_dir, "assets", "list")
    assert "10.20.0.0/16" in listed.stdout and "scada1" in listed.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("- {org: Shenzhen Power, cidr: 10.0.0.1/8}\n")
    refused = invoke_in(data_dir, "assets", "import", str(bad))
    assert refused.exit_code != 0 and "bad.yaml row 1" in refused.output
