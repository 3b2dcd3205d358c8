"""Small events written for these tests, one per format (not copied from any corpus)."""

from __future__ import annotations

from typing import Any

import orjson


def line(obj: dict[str, Any]) -> bytes:
    """One NDJSON line."""
    return orjson.dumps(obj)


def evtx_process(command_line: str = "cmd.exe /c whoami  ", *, event_id: Any = 1) -> dict[str, Any]:
    """A Sysmon process creation in evtx_dump's nested shape."""
    return {
        "Event": {
            "#attributes": {"xmlns": "http://schemas.microsoft.com/win/2004/08/events/event"},
            "System": {
                "Provider": {"#attributes": {"Name": "Microsoft-Windows-Sysmon", "Guid": "{5770}"}},
                "EventID": event_id,
                "TimeCreated": {"#attributes": {"SystemTime": "2026-03-01T10:00:00.1234567Z"}},
                "EventRecordID": 42,
                "Execution": {"#attributes": {"ProcessID": 2000, "ThreadID": 3000}},
                "Channel": "Microsoft-Windows-Sysmon/Operational",
                "Computer": "ws1.example.cn",
                "Security": {"#attributes": {"UserID": "S-1-5-18"}},
            },
            "EventData": {
                "UtcTime": "2026-03-01 10:00:00.123",
                "ProcessGuid": "{aaaa}",
                "ProcessId": 4242,
                "Image": "C:\\Windows\\System32\\cmd.exe",
                "CommandLine": command_line,
                "CurrentDirectory": "C:\\Users\\li\\",
                "User": "EXAMPLE\\li",
                "IntegrityLevel": "High",
                "Hashes": "SHA256=00ff",
                "ParentProcessId": 1000,
                "ParentImage": "C:\\Windows\\explorer.exe",
                "ParentCommandLine": "explorer.exe ",
            },
        }
    }


def windows_flat() -> dict[str, Any]:
    """A Security 4688 event as a flat NXLog-style shipper writes it (mixed types)."""
    return {
        "@timestamp": "2026-03-02T08:30:00.000Z",
        "Hostname": "dc1.example.cn",
        "Channel": "security",
        "EventID": 4688,
        "SourceName": "Microsoft-Windows-Security-Auditing",
        "NewProcessName": "C:\\Windows\\System32\\net.exe",
        "NewProcessId": "0x1a2b",
        "CommandLine": "net user /domain\t",
        "SubjectUserName": "admin",
        "ProcessID": "4",
        "Task": 13312,
        "Keywords": -9214364837600034816,
        "tags": ["shipper"],
    }


def suricata_alert() -> dict[str, Any]:
    """A Suricata EVE alert."""
    return {
        "timestamp": "2026-03-03T01:02:03.456789+0800",
        "flow_id": 1,
        "in_iface": "eth0",
        "event_type": "alert",
        "src_ip": "10.1.2.3",
        "src_port": 51000,
        "dest_ip": "203.0.113.9",
        "dest_port": 443,
        "proto": "TCP",
        "app_proto": "tls",
        "alert": {
            "signature_id": 2000001,
            "signature": "ET TEST",
            "category": "Misc",
            "severity": 2,
        },
    }


def suricata_dns() -> dict[str, Any]:
    """A Suricata EVE DNS query."""
    return {
        "timestamp": "2026-03-03T01:02:04Z",
        "event_type": "dns",
        "src_ip": "10.1.2.3",
        "dest_ip": "10.0.0.53",
        "proto": "UDP",
        "dns": {"type": "query", "rrname": "evil.example", "rrtype": "A"},
    }


SYSLOG_5424 = (
    b'<165>1 2026-03-04T05:06:07.089Z fw1.example.cn sshd 812 AUTH [exampleSDID@32473 iut="3" '
    b'eventSource="Application"] Failed password for root from 198.51.100.7 port 2222  '
)
SYSLOG_3164 = b"<34>Mar  4 05:06:07 router1 su[230]: 'su root' failed for lonvick on /dev/pts/8"
