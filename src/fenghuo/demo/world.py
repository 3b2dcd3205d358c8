"""The demo world as data: organisations (a tree, parents first) and the people in them.

The tree follows Chapter V: the national coordinator (Art. 51) at the root; the sector
protection departments (Art. 52), provincial departments (Art. 54), the State Council
office (Art. 58) and a CERT (Art. 54(2)) below it; each network operator (Art. 55) under
its sector's department, with a GB/T 2260 region code.
"""

from __future__ import annotations

from dataclasses import dataclass

from fenghuo.accounts.enums import OrgKind


@dataclass(frozen=True)
class DemoOrg:
    """One organisation of the demo tree; ``parent`` is another's ``key``."""

    key: str
    kind: OrgKind
    name_zh: str
    name_en: str
    parent: str | None = None
    sector: str | None = None
    region: str | None = None
    is_cii: bool = False
    people_served: int | None = None

    @property
    def contact_email(self) -> str:
        """The organisation's security contact (a reserved ``.example`` domain)."""
        return f"soc@{self.key}.demo.example"


@dataclass(frozen=True)
class DemoPerson:
    """One demo account: username, organisation key, roles, display name."""

    username: str
    org: str
    roles: tuple[str, ...]
    display_name: str


NATIONAL = "cac"
_NC, _SD, _PD = (
    OrgKind.national_coordinator,
    OrgKind.sector_department,
    OrgKind.provincial_department,
)
_OP = OrgKind.network_operator

AUTHORITIES: tuple[DemoOrg, ...] = (
    DemoOrg(NATIONAL, _NC, "国家互联网信息办公室", "Cyberspace Administration of China"),
    DemoOrg("nea", _SD, "国家能源局", "National Energy Administration", NATIONAL, "energy"),
    DemoOrg("pbc", _SD, "中国人民银行", "People's Bank of China", NATIONAL, "finance"),
    DemoOrg(
        "miit",
        _SD,
        "工业和信息化部",
        "Ministry of Industry and Information Technology",
        NATIONAL,
        "telecom",
    ),
    DemoOrg("mot", _SD, "交通运输部", "Ministry of Transport", NATIONAL, "transport"),
    DemoOrg(
        "gd", _PD, "广东省委网信办", "Guangdong Cyberspace Affairs Office", NATIONAL, None, "440000"
    ),
    DemoOrg(
        "zj", _PD, "浙江省委网信办", "Zhejiang Cyberspace Affairs Office", NATIONAL, None, "330000"
    ),
    DemoOrg(
        "sc", _PD, "四川省委网信办", "Sichuan Cyberspace Affairs Office", NATIONAL, None, "510000"
    ),
    DemoOrg(
        "council",
        OrgKind.state_council_office,
        "国务院办公厅",
        "General Office of the State Council",
        NATIONAL,
    ),
    DemoOrg(
        "cncert",
        OrgKind.professional_institution,
        "国家计算机网络应急技术处理协调中心",
        "CNCERT/CC (National Internet Emergency Center)",
        NATIONAL,
    ),
)

# key, name_zh, name_en, sector department, sector, region (GB/T 2260), CII (Art. 31)
_OPERATORS: tuple[tuple[str, str, str, str, str, str, bool], ...] = (
    ("szpower", "南方电网深圳供电局", "CSG Shenzhen Power Supply Bureau",
     "nea", "energy", "440300", True),
    ("zjpower", "国网浙江省电力有限公司", "State Grid Zhejiang Electric Power",
     "nea", "energy", "330000", True),
    ("scpower", "国网四川省电力公司", "State Grid Sichuan Electric Power",
     "nea", "energy", "510000", True),
    ("gzgas", "广州燃气集团", "Guangzhou Gas Group",
     "nea", "energy", "440100", False),
    ("swgas", "中国石油西南油气田分公司", "PetroChina Southwest Oil & Gasfield",
     "nea", "energy", "510100", True),
    ("zjbank", "浙江农商联合银行", "Zhejiang Rural Commercial United Bank",
     "pbc", "finance", "330000", False),
    ("cmb", "招商银行", "China Merchants Bank",
     "pbc", "finance", "440300", True),
    ("cgb", "广发银行", "China Guangfa Bank",
     "pbc", "finance", "440100", False),
    ("scbank", "四川银行", "Bank of Sichuan",
     "pbc", "finance", "510100", False),
    ("hzbank", "杭州银行", "Bank of Hangzhou",
     "pbc", "finance", "330100", False),
    ("scmobile", "四川移动", "China Mobile Sichuan",
     "miit", "telecom", "510000", True),
    ("gdtelecom", "广东电信", "China Telecom Guangdong",
     "miit", "telecom", "440000", True),
    ("zjunicom", "浙江联通", "China Unicom Zhejiang",
     "miit", "telecom", "330000", True),
    ("aliyun", "阿里云计算有限公司", "Alibaba Cloud Computing",
     "miit", "telecom", "330100", False),
    ("gzmetro", "广州地铁集团", "Guangzhou Metro Group",
     "mot", "transport", "440100", True),
    ("szairport", "深圳宝安国际机场", "Shenzhen Bao'an International Airport",
     "mot", "transport", "440300", True),
    ("hzmetro", "杭州地铁集团", "Hangzhou Metro Group",
     "mot", "transport", "330100", True),
    ("nbport", "宁波舟山港集团", "Ningbo Zhoushan Port Group",
     "mot", "transport", "330200", True),
    ("cdmetro", "成都轨道交通集团", "Chengdu Rail Transit Group",
     "mot", "transport", "510100", True),
    ("scexpressway", "四川高速公路建设开发集团", "Sichuan Expressway Group",
     "mot", "transport", "510000", False),
)  # fmt: skip

# The users or residents each operator serves (the scope of a risk, Art. 54(2)): round,
# illustrative figures of the right order for the demo, not the companies' own numbers.
# Two operators have declared none, as in any real registry.
_PEOPLE_SERVED: dict[str, int] = {
    "szpower": 17_000_000, "zjpower": 60_000_000, "scpower": 45_000_000,
    "gzgas": 6_000_000, "swgas": 15_000_000, "zjbank": 30_000_000, "cmb": 100_000_000,
    "cgb": 40_000_000, "scbank": 5_000_000, "hzbank": 10_000_000, "scmobile": 70_000_000,
    "gdtelecom": 60_000_000, "zjunicom": 20_000_000, "gzmetro": 8_000_000,
    "szairport": 150_000, "hzmetro": 4_000_000, "cdmetro": 6_000_000,
}  # fmt: skip

OPERATORS: tuple[DemoOrg, ...] = tuple(
    DemoOrg(key, _OP, zh, en, parent, sector, region, cii, _PEOPLE_SERVED.get(key))
    for key, zh, en, parent, sector, region, cii in _OPERATORS
)

ORGANISATIONS: tuple[DemoOrg, ...] = AUTHORITIES + OPERATORS

_STAFF: tuple[DemoPerson, ...] = (
    DemoPerson("admin", NATIONAL, ("administrator",), "王建国"),
    DemoPerson("leader", NATIONAL, ("approver",), "李振华"),
    DemoPerson("duty", NATIONAL, ("duty_officer",), "张敏"),
    DemoPerson("analyst", NATIONAL, ("analyst",), "刘洋"),
    DemoPerson("viewer", NATIONAL, ("viewer",), "陈静"),
    DemoPerson("energy.admin", "nea", ("administrator",), "赵磊"),
    DemoPerson("energy.analyst", "nea", ("analyst",), "孙丽"),
    DemoPerson("gd.admin", "gd", ("administrator",), "黄志强"),
    DemoPerson("gd.leader", "gd", ("approver",), "林国栋"),
    DemoPerson("gd.duty", "gd", ("duty_officer",), "吴婷"),
    DemoPerson("gd.analyst", "gd", ("analyst",), "梁晓明"),
    DemoPerson("cert.analyst", "cncert", ("analyst",), "周杰"),
    DemoPerson("council.leader", "council", ("approver",), "郑国平"),
    DemoPerson("op.szpower", "szpower", ("operator_staff",), "邓伟"),
    DemoPerson("op.szpower.admin", "szpower", ("administrator",), "何晓东"),
    DemoPerson("op.zjbank", "zjbank", ("operator_staff",), "钱晓燕"),
)

_NAMED_OPERATORS = {person.org for person in _STAFF}

PEOPLE: tuple[DemoPerson, ...] = _STAFF + tuple(
    DemoPerson(f"op.{org.key}", org.key, ("operator_staff",), f"{org.name_zh}网络安全员")
    for org in OPERATORS
    if org.key not in _NAMED_OPERATORS
)
