"""Uploads read within one byte budget for all the files of a request."""

from __future__ import annotations

import io

import pytest
from fastapi import UploadFile

from fenghuo.api.uploads import read_within
from fenghuo.errors import Invalid


def _files(*sizes: int) -> list[UploadFile]:
    return [
        UploadFile(io.BytesIO(b"x" * size), filename=f"dir/part{n}.json")
        for n, size in enumerate(sizes)
    ]


def test_files_within_the_budget_are_read_whole_by_their_base_names() -> None:
    read = read_within(_files(4, 4, 4), 12)
    assert [(name, len(data)) for name, data in read] == [
        ("part0.json", 4),
        ("part1.json", 4),
        ("part2.json", 4),
    ]


def test_files_over_the_budget_together_are_refused_naming_the_rule() -> None:
    with pytest.raises(Invalid) as refused:
        read_within(_files(4, 4, 4), 11, rule="zip-size")
    assert (refused.value.field, refused.value.rule) == ("file", "zip-size")
    assert "11 bytes" in str(refused.value)
