"""Read organisation rows from a YAML or CSV file, remembering the line of each.

Columns: name_zh, name_en, kind, parent (an existing organisation's id or name, or an
earlier row's name_en), sector_code, region_code, is_cii, people_served, contact_email.
Only the first three are required. A bad file is refused with the line and the rule it
broke.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fenghuo import yaml_lines
from fenghuo.cli.errors import AtLocation
from fenghuo.errors import Invalid

COLUMNS = (
    "name_zh",
    "name_en",
    "kind",
    "parent",
    "sector_code",
    "region_code",
    "is_cii",
    "people_served",
    "contact_email",
)
REQUIRED = ("name_zh", "name_en", "kind")
TRUE_WORDS = frozenset({"true", "yes", "y", "1", "是"})
FALSE_WORDS = frozenset({"false", "no", "n", "0", "否", ""})


@dataclass(frozen=True)
class OrgRow:
    """One row: its values, its position, and the line of each field where known."""

    source: str
    number: int
    line: int
    values: dict[str, Any]
    field_lines: dict[str, int] = field(default_factory=dict)

    def where(self, column: str | None = None) -> str:
        """``orgs.csv, line 4 (row 3)``: the line of ``column`` when the file tells it."""
        line = self.field_lines.get(column, self.line) if column else self.line
        return f"{self.source}, line {line} (row {self.number})"


def read_rows(path: Path) -> list[OrgRow]:
    """The rows of a ``.yaml``/``.yml`` or ``.csv`` file, checked for shape."""
    suffix = path.suffix.lower()
    if suffix not in {".yaml", ".yml", ".csv"}:
        raise Invalid(
            f"{path.name}: cannot tell the format; name the file .yaml, .yml or .csv",
            field="FILE",
            rule="file-type",
        )
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise Invalid(f"{path}: cannot be read: {exc}", field="FILE", rule="readable") from None
    rows = _csv_rows(text, path.name) if suffix == ".csv" else _yaml_rows(text, path.name)
    if not rows:
        raise Invalid(f"{path.name} has no rows", field="FILE", rule="rows-required")
    return rows


def _csv_rows(text: str, source: str) -> list[OrgRow]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip() for name in reader.fieldnames or []]
    _check_columns(header, source, line=1)
    reader.fieldnames = header
    rows = []
    for number, raw in enumerate(reader, start=1):
        if None in raw:
            raise Invalid(
                f"{source}, line {reader.line_num} (row {number}): more values than columns",
                field="(row)",
                rule="csv-shape",
            )
        values = {key: (value or "").strip() for key, value in raw.items()}
        row = OrgRow(source, number, reader.line_num, {k: v for k, v in values.items() if v})
        rows.append(_cleaned(row))
    return rows


def _yaml_rows(text: str, source: str) -> list[OrgRow]:
    doc = yaml_lines.load(text, name=source)
    data: Any = doc.data
    prefix: tuple[str, ...] = ()
    if isinstance(data, dict):
        key = next((k for k in ("organisations", "organizations") if k in data), None)
        if key is None:
            raise doc.invalid((), "expected a list of rows, or 'organisations:'", rule="rows-shape")
        data, prefix = data[key], (key,)
    if data is None:
        return []
    if not isinstance(data, list):
        raise doc.invalid(prefix, "expected a list of rows", rule="rows-shape")
    rows = []
    for index, raw in enumerate(data):
        path: yaml_lines.PathKey = (*prefix, index)
        line = doc.line_of(path) or 1
        if not isinstance(raw, dict):
            raise Invalid(
                f"{source}, line {line} (row {index + 1}): a row must be a mapping of columns",
                field="(row)",
                rule="rows-shape",
            )
        lines = {str(k): doc.line_of((*path, str(k))) or line for k in raw}
        row = OrgRow(source, index + 1, line, {str(k): v for k, v in raw.items()}, lines)
        _check_row_columns(row)
        rows.append(_cleaned(row))
    return rows


def _check_columns(header: list[str], source: str, *, line: int) -> None:
    for name in header:
        if name not in COLUMNS:
            raise Invalid(
                f"{source}, line {line}: unknown column {name!r}; known: {', '.join(COLUMNS)}",
                field=name,
                rule="known-column",
            )
    for name in REQUIRED:
        if name not in header:
            raise Invalid(
                f"{source}, line {line}: the column {name!r} is missing",
                field=name,
                rule="column-required",
            )


def _check_row_columns(row: OrgRow) -> None:
    for name in row.values:
        if name not in COLUMNS:
            raise AtLocation(
                row.where(name),
                Invalid(
                    f"unknown column; known: {', '.join(COLUMNS)}", field=name, rule="known-column"
                ),
            )


def _cleaned(row: OrgRow) -> OrgRow:
    """Normalise types: region codes as text, ``is_cii`` as a boolean, blanks dropped."""
    values = {k: v for k, v in row.values.items() if v is not None and v != ""}
    if isinstance(values.get("region_code"), int):
        values["region_code"] = f"{values['region_code']:06d}"
    if "is_cii" in values:
        values["is_cii"] = _boolean(row, values["is_cii"])
    return OrgRow(row.source, row.number, row.line, values, row.field_lines)


def _boolean(row: OrgRow, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise AtLocation(
        row.where("is_cii"),
        Invalid(f"{value!r} is not true or false", field="is_cii", rule="boolean"),
    )
