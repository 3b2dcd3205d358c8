"""In Chromium, an early warning from the risk it answers to its lifting (Arts. 51, 54, 55):
Shenzhen Power's hosts raise a wave of detections and it reports an outage and a data
breach; the risk model recommends an orange warning to the Guangdong department; its
analyst drafts the warning from the recommendation with one click and makes it public;
the department's leader approves and publishes it; it is on the public portal and in the
Atom feed; the operator in scope acknowledges it; the leader sees that and lifts the
warning; the public page then says it is lifted."""

from __future__ import annotations

import re
import time
from urllib.parse import urlsplit
from xml.etree import ElementTree

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from fenghuo.demo import monitoring as demo_monitoring
from tests.factories.incidents import first_report
from tests.web.conftest import DEMO_PASSWORD, LiveServer
from tests.web.test_browser import sign_in

pytestmark = pytest.mark.browser

ATOM = "{http://www.w3.org/2005/Atom}"
RECOMMENDATION = "橙色预警建议：广东省能源行业网络安全风险升高"
TITLE = "广东省能源行业网络安全风险升高"


def _surge_at_shenzhen_power(live_server: LiveServer) -> None:
    """The demo's attack samples replayed through ingest, and two first reports filed by the
    operator through the API: a level-I outage and a level-II breach."""
    platform = live_server.platform
    demo_monitoring.replay(
        platform.transaction,
        platform.system_actor("demo-replay"),
        platform.settings,
        chunks=1,
        pause_seconds=0,
    )
    api = f"{live_server.url}/api/v1"
    credentials = {"username": "op.szpower", "password": DEMO_PASSWORD}
    token = httpx.post(f"{api}/auth/token", data=credentials).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    for impact in ({"people_affected": 12_000_000}, {"pi_records_citizens": 12_000_000}):
        filed = httpx.post(f"{api}/incidents", json=first_report(impact=impact), headers=headers)
        assert filed.status_code == 201, filed.text


def _recommendation(page: Page, timeout_s: float = 90) -> Locator:
    """The orange recommendation on the risk page, once the embedded workers have made it."""
    found = page.locator("#recommendations .recommendation", has_text=RECOMMENDATION)
    deadline = time.monotonic() + timeout_s
    while found.count() == 0 and time.monotonic() < deadline:
        page.wait_for_timeout(1000)
        page.reload()
    expect(found).to_have_count(1)
    return found


def _open(page: Page, section: str) -> None:
    page.get_by_role("navigation", name="主导航").get_by_role("link", name=section).click()


def test_a_warning_from_recommendation_to_lifting(page: Page, live_server: LiveServer) -> None:
    _surge_at_shenzhen_power(live_server)

    # The Guangdong analyst finds the recommendation and drafts the warning from it.
    sign_in(page, "gd.analyst")
    _open(page, "风险评估")
    recommendation = _recommendation(page)
    expect(recommendation.locator(".badge-warning-orange")).to_be_visible()
    recommendation.get_by_role("button", name="据此起草预警").click()
    expect(page).to_have_url(re.compile(r"/warnings/[^/]+/edit$"))
    expect(page.get_by_label("级别")).to_have_value("orange")
    expect(page.get_by_label("标题（中文）")).to_have_value(TITLE)
    expect(page.get_by_label("涉及地区")).to_have_value("440000")
    expect(page.get_by_label("能源")).to_be_checked()
    page.get_by_label("发布对象").select_option("public")
    page.get_by_label("TLP（仅限部门）").select_option("")  # a public warning has no TLP
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#warning-state")).to_have_text("草稿")
    warning_url = page.url
    page.get_by_role("button", name="提交审批").click()
    expect(page.locator("#warning-state")).to_have_text("已提交")
    identifier = page.get_by_role("heading", level=1).inner_text().split(" ")[0]
    assert identifier.startswith("FH-W-")

    # The leader of the Guangdong department approves and publishes it from the queue.
    sign_in(page, "gd.leader")
    _open(page, "安全预警")
    page.locator("#approval-queue").get_by_role("link", name=TITLE).click()
    page.get_by_role("button", name="批准").click()
    expect(page.locator("#warning-state")).to_have_text("已批准")
    page.get_by_role("button", name="发布").click()
    expect(page.locator("#warning-state")).to_have_text("已发布")
    expect(page.locator("#reach")).to_contain_text("南方电网深圳供电局")

    # The public portal shows it, without an account, and the Atom feed carries it.
    page.context.clear_cookies()
    page.goto("/public")
    card = page.locator(".warning-card", has_text=TITLE)
    expect(card.locator(".badge-warning-orange")).to_be_visible()
    card.get_by_role("link", name=TITLE).click()
    expect(page.locator("#warning-state")).to_have_text("生效中")
    public_url = page.url
    feed = ElementTree.fromstring(page.request.get("/public/warnings.atom").body())
    entries = [e for e in feed.iter(f"{ATOM}entry") if TITLE in (e.findtext(f"{ATOM}title") or "")]
    assert len(entries) == 1
    # The feed's links carry the deployment's public address (FENGHUO_PUBLIC_URL): follow
    # their paths on the server under test.
    links = {
        link.get("type"): urlsplit(link.get("href", "")).path
        for link in entries[0].iter(f"{ATOM}link")
    }
    cap = page.request.get(links["application/cap+xml"])
    assert cap.ok and identifier in cap.text() and "<status>Actual</status>" in cap.text()
    page.goto(links["text/html"])
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)

    # The operator in scope acknowledges it in its inbox.
    sign_in(page, "op.szpower")
    _open(page, "通知通报")
    ours = page.get_by_role("row", name=re.compile(re.escape(TITLE)))
    expect(ours).to_contain_text("未确认")
    ours.get_by_role("link").first.click()
    page.get_by_role("button", name="确认收到").click()
    expect(page.locator("#acknowledgement")).to_contain_text("已确认")

    # The leader sees the acknowledgement and lifts the warning.
    sign_in(page, "gd.leader")
    page.goto(warning_url)
    acknowledged = page.locator("#reach li", has_text="南方电网深圳供电局")
    expect(acknowledged).to_contain_text("已确认")
    lifting = page.locator("#steps form", has=page.get_by_role("button", name="解除预警"))
    lifting.get_by_label("理由").fill("风险已受控，相关运营者已完成排查。")
    lifting.get_by_role("button", name="解除预警").click()
    expect(page.locator("#warning-state")).to_have_text("已解除")

    # The public page now says so.
    page.context.clear_cookies()
    page.goto(public_url)
    expect(page.locator("#warning-state")).to_have_text("已解除")
    page.goto("/public")
    expect(page.locator(".warning-card", has_text=TITLE)).to_have_count(0)
