"""``fenghuo orgs import``: YAML and CSV, all rows in one transaction, errors with lines."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from fenghuo.accounts.models import Organisation
from fenghuo.audit import service as audit_service
from fenghuo.audit.models import AuditRecord
from fenghuo.platform import Platform
from tests.cli.conftest import Invoke

GOOD_YAML = """\
# A small tree: the coordinator, a sector department, a province and two operators.
organisations:
  - name_zh: 国家互联网信息办公室
    name_en: Cyberspace Administration of China
    kind: national_coordinator
    contact_email: duty@cac.example
  - name_zh: 国家能源局
    name_en: National Energy Administration
    kind: sector_department
    parent: Cyberspace Administration of China
    sector_code: energy
  - name_zh: 广东省委网信办
    name_en: Guangdong Cyberspace Affairs Office
    kind: provincial_department
    parent: Cyberspace Administration of China
    region_code: 440000
  - name_zh: 南方电网深圳供电局
    name_en: CSG Shenzhen Power Supply Bureau
    kind: network_operator
    parent: National Energy Administration
    sector_code: energy
    region_code: 440300
    is_cii: true
  - name_zh: 广州燃气集团
    name_en: Guangzhou Gas Group
    kind: network_operator
    parent: National Energy Administration
    sector_code: energy
    region_code: "440100"
"""

GOOD_CSV = """\
name_zh,name_en,kind,parent,sector_code,region_code,is_cii,contact_email
国家互联网信息办公室,Cyberspace Administration of China,national_coordinator,,,,,
交通运输部,Ministry of Transport,transport_ignored_below,,,,,
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _org_count(platform: Platform) -> int:
    with platform.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(Organisation)) or 0)


def test_a_good_yaml_file_imports_every_row_audited(
    migrated: Invoke, platform: Platform, tmp_path: Path
) -> None:
    result = migrated("orgs", "import", str(_write(tmp_path, "tree.yaml", GOOD_YAML)))
    assert result.exit_code == 0, result.output
    assert "Imported 5 organisations from tree.yaml." in result.output
    with platform.transaction() as session:
        orgs = {o.name_en: o for o in session.scalars(select(Organisation))}
        shenzhen = orgs["CSG Shenzhen Power Supply Bureau"]
        assert shenzhen.parent_id == orgs["National Energy Administration"].id
        assert (shenzhen.region_code, shenzhen.is_cii) == ("440300", True)
        assert orgs["Guangdong Cyberspace Affairs Office"].region_code == "440000"
        records = list(session.scalars(select(AuditRecord).order_by(AuditRecord.seq)))
        assert [r.action for r in records] == ["accounts.orgs.create"] * 5
        assert all(r.actor_label.startswith("cli:") for r in records)
        assert {r.rule for r in records} == {"local-system-operator"}
        assert audit_service.verify(session=session).ok


def test_a_good_csv_file_imports_and_refers_to_existing_organisations(
    migrated: Invoke, platform: Platform, tmp_path: Path
) -> None:
    assert migrated("orgs", "import", str(_write(tmp_path, "a.yaml", GOOD_YAML))).exit_code == 0
    csv_text = (
        "name_zh,name_en,kind,parent,sector_code,region_code,is_cii,contact_email\n"
        "中国人民银行,People's Bank of China,sector_department,"
        "Cyberspace Administration of China,finance,,,\n"
        '"招商银行",China Merchants Bank,network_operator,People\'s Bank of China,finance,'
        "440300,是,soc@cmb.example\n"
        "广发银行,China Guangfa Bank,network_operator,People's Bank of China,finance,440100,no,\n"
    )
    result = migrated("orgs", "import", str(_write(tmp_path, "banks.csv", csv_text)))
    assert result.exit_code == 0, result.output
    assert "Imported 3 organisations" in result.output
    with platform.transaction() as session:
        cmb = session.scalar(
            select(Organisation).where(Organisation.name_en == "China Merchants Bank")
        )
        assert cmb is not None and cmb.is_cii and cmb.contact_email == "soc@cmb.example"
        guangfa = session.scalar(select(Organisation).where(Organisation.name_zh == "广发银行"))
        assert guangfa is not None and not guangfa.is_cii
    assert _org_count(platform) == 8


def test_a_parent_may_be_named_by_id(migrated: Invoke, platform: Platform, tmp_path: Path) -> None:
    first = "- {name_zh: 国家, name_en: National, kind: national_coordinator}\n"
    assert migrated("orgs", "import", str(_write(tmp_path, "a.yml", first))).exit_code == 0
    with platform.transaction() as session:
        root_id = session.scalar(select(Organisation.id))
    second = (
        f"- {{name_zh: 中心, name_en: CERT, kind: professional_institution, parent: {root_id}}}\n"
    )
    result = migrated("orgs", "import", str(_write(tmp_path, "b.yml", second)))
    assert result.exit_code == 0, result.output


BAD_YAML = GOOD_YAML.replace('region_code: "440100"', 'region_code: "990100"')


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        (
            "bad.yaml",
            BAD_YAML,
            "bad.yaml, line 29 (row 5): Invalid region_code: '990100' is not in a GB/T 2260 "
            "province (rule gb-t-2260)",
        ),
        (
            "bad-kind.yaml",
            GOOD_YAML.replace("kind: provincial_department", "kind: provincial_office"),
            "bad-kind.yaml, line 14 (row 3): Invalid kind: Input should be",
        ),
        (
            "bad-parent.yaml",
            GOOD_YAML.replace(
                "parent: National Energy Administration\n    sector_code: energy\n"
                "    region_code: 440300",
                "parent: Nowhere\n    sector_code: energy\n    region_code: 440300",
            ),
            "bad-parent.yaml, line 20 (row 4): Not found: no organisation has the id or name "
            "'Nowhere'",
        ),
        (
            "bad-column.yaml",
            GOOD_YAML.replace("    is_cii: true", "    is_cii: true\n    colour: red"),
            "bad-column.yaml, line 24 (row 4): Invalid colour: unknown column",
        ),
        (
            "bad.csv",
            GOOD_CSV.replace("transport_ignored_below", "ministry"),
            "bad.csv, line 3 (row 2): Invalid kind: Input should be",
        ),
        (
            "bad-cii.csv",
            GOOD_CSV.replace(
                "transport_ignored_below,,,,,", "sector_department,,transport,,maybe,"
            ),
            "bad-cii.csv, line 3 (row 2): Invalid is_cii: 'maybe' is not true or false "
            "(rule boolean)",
        ),
        (
            "no-parent.csv",
            GOOD_CSV.replace("transport_ignored_below,,", "sector_department,,transport"),
            "no-parent.csv, line 3 (row 2): Invalid parent: every organisation but the national "
            "coordinator has a parent (rule parent-required)",
        ),
        (
            "bad-header.csv",
            GOOD_CSV.replace("contact_email", "email"),
            "bad-header.csv, line 1: unknown column 'email'",
        ),
    ],
    ids=lambda value: value if isinstance(value, str) and "." in value[-5:] else "",
)
def test_a_bad_row_aborts_the_whole_file_and_names_its_line(
    migrated: Invoke, platform: Platform, tmp_path: Path, name: str, text: str, expected: str
) -> None:
    result = migrated("orgs", "import", str(_write(tmp_path, name, text)))
    assert result.exit_code == 1, result.output
    assert expected in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert _org_count(platform) == 0


def test_importing_the_same_file_twice_is_refused(
    migrated: Invoke, platform: Platform, tmp_path: Path
) -> None:
    path = _write(tmp_path, "tree.yaml", GOOD_YAML)
    assert migrated("orgs", "import", str(path)).exit_code == 0
    result = migrated("orgs", "import", str(path))
    assert result.exit_code == 1
    assert "Conflict on name_en" in result.stderr and "line 4 (row 1)" in result.stderr
    assert _org_count(platform) == 5


def test_a_file_of_another_type_is_refused(migrated: Invoke, tmp_path: Path) -> None:
    result = migrated("orgs", "import", str(_write(tmp_path, "tree.json", "[]")))
    assert result.exit_code == 1
    assert "(rule file-type)" in result.stderr


def test_a_missing_file_is_a_usage_error(migrated: Invoke, tmp_path: Path) -> None:
    assert migrated("orgs", "import", str(tmp_path / "absent.csv")).exit_code == 2
