"""Public outputs (Arts. 54(3), 55): only public, non-exercise, published warnings appear in
the active list, the archive, the JSON, the CAP route and the Atom feed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from lxml import etree
from sqlalchemy.orm import Session

from fenghuo import clock
from fenghuo.errors import NotFound
from fenghuo.settings import Settings
from fenghuo.warnings import flows, keys, public, signing
from fenghuo.warnings.models import EarlyWarning
from tests.warnings.conftest import People, warning_in

ATOM = {"a": "http://www.w3.org/2005/Atom"}
BASE = "https://fenghuo.example.cn"


def release(session: Session, people: People, settings: Settings, **fields: Any) -> EarlyWarning:
    gd, leader = people["gd-analyst"], people["gd-leader"]
    draft = flows.draft_warning(session=session, actor=gd, warning_in=warning_in(**fields))
    flows.submit_warning(session=session, actor=gd, warning_id=draft.id)
    flows.approve_warning(session=session, actor=leader, warning_id=draft.id)
    return flows.publish_warning(
        session=session, actor=leader, settings=settings, warning_id=draft.id
    )


@pytest.fixture
def mix(session: Session, people: People, settings: Settings) -> dict[str, EarlyWarning]:
    """One warning of each kind the public must or must not see."""
    leader = people["gd-leader"]
    made = {
        "public": release(session, people, settings, audience="public", title_en="Public one"),
        "departments": release(session, people, settings, title_en="Departments only"),
        "exercise": release(
            session, people, settings, audience="public", exercise=True, title_en="Drill"
        ),
        "lifted": release(session, people, settings, audience="public", title_en="Over now"),
        "draft": flows.draft_warning(
            session=session,
            actor=people["gd-analyst"],
            warning_in=warning_in(audience="public", title_en="Not yet"),
        ),
        "lifted-exercise": release(
            session, people, settings, audience="public", exercise=True, title_en="Drill over"
        ),
    }
    for name in ("lifted", "lifted-exercise"):
        flows.lift_warning(
            session=session, actor=leader, settings=settings, warning_id=made[name].id, reason="ok"
        )
    return made


def test_only_public_non_exercise_warnings_are_listed(
    session: Session, mix: dict[str, EarlyWarning]
) -> None:
    assert [w.id for w in public.public_active(session)] == [mix["public"].id]
    archive, total = public.public_archive(session)
    assert {w.id for w in archive} == {mix["public"].id, mix["lifted"].id}
    assert total == 2


@pytest.mark.parametrize("hidden", ["departments", "exercise", "draft", "lifted-exercise"])
def test_hidden_warnings_are_not_found_on_any_public_route(
    session: Session, mix: dict[str, EarlyWarning], hidden: str
) -> None:
    warning = mix[hidden]
    for lookup in (warning.id, warning.identifier):
        with pytest.raises(NotFound):
            public.public_get(session, lookup)
        with pytest.raises(NotFound):
            public.public_cap(session, lookup)
    with pytest.raises(NotFound):
        public.public_json(session, warning, BASE)
    feed = public.atom_feed(session, BASE).decode()
    assert warning.id not in feed and warning.identifier not in feed
    assert warning.title_en not in feed


def test_the_atom_feed_has_the_required_elements_and_links_to_page_and_cap(
    session: Session, mix: dict[str, EarlyWarning]
) -> None:
    root = etree.fromstring(public.atom_feed(session, BASE))
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    for name in ("id", "title", "updated", "author/a:name"):
        assert root.findtext(f"a:{name}", namespaces=ATOM)
    self_link = root.find("a:link[@rel='self']", namespaces=ATOM)
    assert self_link is not None and self_link.get("href") == f"{BASE}/public/warnings.atom"
    entries = root.findall("a:entry", namespaces=ATOM)
    titles = [e.findtext("a:title", namespaces=ATOM) or "" for e in entries]
    assert len(entries) == 2
    assert any("Public one" in t for t in titles)
    assert any("Over now" in t and "已解除" in t for t in titles)
    for entry in entries:
        for name in ("id", "title", "updated"):
            assert entry.findtext(f"a:{name}", namespaces=ATOM)
        links = {
            link.get("type"): link.get("href")
            for link in entry.findall("a:link[@rel='alternate']", namespaces=ATOM)
        }
        page = links["text/html"]
        assert page is not None and page.startswith(f"{BASE}/public/warnings/")
        assert links["application/cap+xml"] == f"{page}.cap"


def test_a_lifted_warning_leaves_the_feed_after_thirty_days_but_stays_in_the_archive(
    session: Session, mix: dict[str, EarlyWarning]
) -> None:
    with clock.frozen(clock.now() + timedelta(days=31)):
        feed = public.atom_feed(session, BASE).decode()
        archive, _ = public.public_archive(session)
    assert mix["lifted"].identifier not in feed
    assert mix["lifted"].id in {w.id for w in archive}


def test_the_archive_is_searchable(session: Session, mix: dict[str, EarlyWarning]) -> None:
    found, total = public.public_archive(session, "over NOW")
    assert [w.id for w in found] == [mix["lifted"].id] and total == 1
    assert public.public_archive(session, "Drill") == ([], 0)


def test_the_public_json_and_cap_of_a_public_warning(
    session: Session, mix: dict[str, EarlyWarning], settings: Settings
) -> None:
    warning = mix["lifted"]
    data = public.public_json(session, warning, BASE)
    assert data["identifier"] == warning.identifier
    assert data["status"] == "lifted" and data["level"] == "orange"
    assert data["links"]["cap"] == f"{BASE}/public/warnings/{warning.id}.cap"
    assert data["regions"] == [{"code": "440000", "zh": "广东省", "en": "Guangdong"}]
    document = public.public_cap(session, warning.id)
    assert b"<responseType>AllClear</responseType>" in document
    assert signing.verify(document, list(keys.trusted(settings))).valid
