"""In Chromium, the whole legal chain of one incident (Arts. 53, 55; 2025 reporting measures):
an operator files a first report of 12,000,000 leaked personal-information records three
hours after discovery; the plan classifies it as major (level II) and says why; the plan
activates and a directive reaches the operator, who acknowledges it and reports it done;
the late first report is flagged; the national duty officer ends handling, files the final
summary report and closes the incident; its PDF report downloads."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from fenghuo import clock
from fenghuo.web.labels import DISPLAY_TZ
from tests.web.conftest import LiveServer
from tests.web.test_browser import sign_in

pytestmark = pytest.mark.browser

TITLE = "营销系统客户信息泄露"
DIRECTIVE = "事发单位启动本单位预案，控制事态，保护现场和证据"


def _local(hours_ago: float) -> str:
    """A ``datetime-local`` value ``hours_ago`` hours before now, in Beijing time."""
    moment = clock.now() - timedelta(hours=hours_ago)
    return moment.astimezone(DISPLAY_TZ).strftime("%Y-%m-%dT%H:%M")


def test_an_incident_from_first_report_to_closure(page: Page, live_server: LiveServer) -> None:
    sign_in(page, "op.szpower")
    page.get_by_role("link", name="安全事件").click()
    page.get_by_role("link", name="报告安全事件").click()

    page.get_by_label("标题").fill(TITLE)
    page.get_by_label("报告单位").fill("深圳供电局信息中心")
    page.get_by_label("受影响的设施或系统").fill("电力营销系统")
    page.get_by_label("发现时间").fill(_local(3))
    page.get_by_label("地点").fill("广东省深圳市")
    page.get_by_label("事件类别").select_option(index=1)
    page.get_by_label("泄露公民个人信息（条）").fill("12000000")
    page.get_by_label("已采取的措施及效果").fill("已隔离数据库服务器，重置访问凭据。")
    page.get_by_role("button", name="提交首次报告").click()

    # Classified at once, with the criterion that gave the level.
    expect(page.get_by_role("heading", name=re.compile(TITLE))).to_be_visible()
    classification = page.locator("#classification")
    expect(classification.locator(".badge-incident-II")).to_have_text("II级")
    reason = classification.get_by_role("row", name=re.compile("pi_records_citizens"))
    expect(reason).to_contain_text("12000000")
    expect(reason).to_contain_text("II级")
    # Discovered three hours ago, reported now: the first report is late.
    first = page.locator("#clocks .clock", has_text="首次报告")
    expect(first).to_contain_text("迟报")

    # The plan activated: the directive to the operator is on the board of tasks.
    directive = page.locator("#tasks tr", has_text=DIRECTIVE)
    expect(directive).to_contain_text("指令")
    incident_url = page.url
    reference = page.get_by_role("heading", level=1).inner_text().split(" ")[0]
    assert reference.startswith("FH-")

    # It reached the operator's inbox; the operator acknowledges it.
    page.get_by_role("link", name="通知通报").click()
    ours = page.get_by_role("row", name=re.compile(re.escape(f"[{reference}]")))
    expect(ours).to_contain_text(DIRECTIVE)
    expect(ours).to_contain_text("未确认")
    ours.get_by_role("link").click()
    page.get_by_role("button", name="确认收到").click()
    expect(page.locator("#acknowledgement")).to_contain_text("已确认")

    # And reports it done on the incident.
    page.goto(incident_url)
    directive = page.locator("#tasks tr", has_text=DIRECTIVE)
    directive.get_by_label("完成情况").fill("已启动本单位预案，现场已保护。")
    directive.get_by_role("button", name="报告已完成").click()
    expect(page.locator("#tasks tr", has_text=DIRECTIVE)).to_contain_text("已完成")

    # The national duty officer ends handling, reports and closes.
    sign_in(page, "duty")
    page.goto(incident_url)
    page.get_by_role("button", name="处置结束，进入恢复").click()
    final = page.locator("#final")
    for label, text in [
        ("事件原因", "营销系统存在未修补的注入漏洞。"),
        ("已采取的措施", "下线系统、修补漏洞、通知受影响用户。"),
        ("危害", "约一千二百万条客户信息泄露。"),
        ("责任认定", "运维单位未按期修补漏洞。"),
        ("整改", "建立漏洞修补时限制度。"),
        ("经验教训", "漏洞管理须闭环。"),
    ]:
        final.get_by_label(label, exact=True).fill(text)
    final.get_by_role("button", name="提交总结报告").click()
    page.get_by_role("button", name="结案").click()
    expect(page.get_by_text(re.compile("已于 .* 结案"))).to_be_visible()

    with page.expect_download() as download:
        page.get_by_role("link", name="下载报告（PDF）").click()
    path = download.value.path()
    assert path is not None
    with open(path, "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    assert download.value.suggested_filename.startswith("FH-")
