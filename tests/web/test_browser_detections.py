"""In Chromium: an operator uploads a file of events, watches its detections arrive, and
opens one down to the event; another operator may not open it."""

from __future__ import annotations

import re

import orjson
import pytest
from playwright.sync_api import Page, expect

from tests.web.conftest import LiveServer
from tests.web.test_browser import sign_in

pytestmark = pytest.mark.browser

MIMIKATZ = 'm.exe "privilege::debug" "sekurlsa::logonpasswords" exit'


def _event(command_line: str, image: str, at: str) -> bytes:
    """A Sysmon process creation in the flat shipper form, on a demo host of SZ Power."""
    return orjson.dumps(
        {
            "@timestamp": at,
            "Hostname": "szpower-ws03.demo.internal",
            "Channel": "Microsoft-Windows-Sysmon/Operational",
            "EventID": 1,
            "Image": image,
            "CommandLine": command_line,
            "User": "CORP\\li.wei",
        }
    )


SAMPLE = b"\n".join(
    [
        _event("notepad.exe todo.txt", "C:\\Windows\\notepad.exe", "2026-11-20T08:00:00Z"),
        _event(MIMIKATZ, "C:\\Users\\Public\\m.exe", "2026-11-20T08:05:00Z"),
        b"{this line is not JSON",
    ]
)


def test_an_uploaded_file_is_detected_and_a_detection_opens_down_to_its_event(
    page: Page, live_server: LiveServer
) -> None:
    sign_in(page, "op.szpower")
    page.get_by_role("link", name="安全监测").click()
    expect(page.get_by_role("heading", name="安全监测", exact=True)).to_be_visible()

    page.get_by_label("事件源").select_option(label="szpower-winlog")
    page.get_by_label("文件").set_input_files(
        files=[{"name": "sample.jsonl", "mimeType": "application/x-ndjson", "buffer": SAMPLE}]
    )
    page.get_by_role("button", name="上传").click()

    result = page.locator("#upload-result")
    expect(result).to_contain_text("sample.jsonl：接收事件 2 条，拒收 1 条。")
    expect(result).to_contain_text("第 3 行")

    result.get_by_role("link", name="该批次的检测结果").click()
    expect(page).to_have_url(re.compile(r"/detections\?batch="))
    # The embedded worker detects in the background; the table refreshes itself until then.
    group = page.get_by_role("link", name="Mimikatz command keywords")
    expect(group).to_be_visible(timeout=30_000)
    expect(page.get_by_role("row", name=re.compile("szpower-ws03"))).to_have_count(1)
    expect(page.get_by_text("作者: Fenghuo project").first).to_be_visible()

    group.click()
    page.get_by_role("link", name="Mimikatz command keywords").click()
    expect(page.get_by_role("heading", name="Mimikatz command keywords")).to_be_visible()
    expect(page.get_by_text("规则作者：Fenghuo project")).to_be_visible()
    event = page.locator("#event")
    expect(event.get_by_role("row", name=re.compile("process_command_line"))).to_contain_text(
        "sekurlsa::logonpasswords"
    )
    expect(event.get_by_role("row", name=re.compile(r"^CommandLine"))).to_contain_text(
        "privilege::debug"
    )
    expect(page.get_by_role("link", name="南方电网深圳供电局")).to_be_visible()
    detail = page.url

    sign_in(page, "op.zjbank")  # another operator's people never see SZ Power's events
    response = page.goto(detail)
    assert response is not None and response.status == 403
