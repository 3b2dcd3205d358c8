"""docs/monitoring.md stays equal to the mappings and the formats it documents."""

from __future__ import annotations

import typing
from pathlib import Path

import pytest

from fenghuo.monitoring.formats import AUTO, FORMATS
from fenghuo.monitoring.normalise import mapping
from fenghuo.monitoring.schemas import EventFormat

DOC = (Path(__file__).parents[2] / "docs" / "monitoring.md").read_text("utf-8")


@pytest.mark.parametrize("name", ["windows", "suricata_eve", "syslog"])
def test_every_mapping_row_is_documented(name: str) -> None:
    assert f"`mappings/{name}.yaml`" in DOC
    for target, sources in mapping(name).items():
        row = f"| `{target}` | {', '.join(f'`{s}`' for s in sources)} |"
        assert row in DOC, f"docs/monitoring.md lacks {row}"


def test_every_format_is_documented_and_accepted_by_the_api() -> None:
    assert set(typing.get_args(EventFormat)) == {AUTO, *FORMATS}
    for name in FORMATS:
        assert f"| `{name}` |" in DOC
