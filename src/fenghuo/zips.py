"""Reading uploaded zip archives in memory, safely: the one place that checks them.

Rule packs, the CVE Program's cvelistV5 archive and other bundles arrive as zips. Their
members are read into memory, never written out, and an archive is refused as a whole
(``Invalid``, field ``file``) when it is not a zip (rule ``zip``), holds a member whose path
is absolute or climbs out (``zip-path``), an encrypted or corrupt member (``zip``), or more
members or more bytes, uncompressed, than allowed (``zip-size``).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator
from pathlib import PurePosixPath

from fenghuo.errors import Invalid


def members(
    data: bytes, *, name: str, wanted: Callable[[str], bool], max_bytes: int, max_files: int
) -> Iterator[tuple[str, bytes]]:
    """``(path, content)`` of each member whose ``/``-separated path is ``wanted``, in
    archive order; every member's path is checked, wanted or not."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise Invalid(f"{name} is not a zip archive: {exc}", field="file", rule="zip") from None
    with archive:
        entries = [m for m in archive.infolist() if not m.is_dir()]
        if len(entries) > max_files:
            raise Invalid(
                f"{name} holds {len(entries)} files, more than {max_files}",
                field="file",
                rule="zip-size",
            )
        total = 0
        for member in entries:
            path = _checked_path(name, member)
            if not wanted(path):
                continue
            total += member.file_size
            if total > max_bytes:
                raise Invalid(
                    f"{name} unpacks to more than {max_bytes} bytes", field="file", rule="zip-size"
                )
            yield path, _read(archive, name, member)


def _checked_path(name: str, member: zipfile.ZipInfo) -> str:
    path = member.filename.replace("\\", "/")
    parts = PurePosixPath(path).parts
    if path.startswith("/") or (parts and ":" in parts[0]) or ".." in parts:
        raise Invalid(
            f"{name}: member {member.filename!r} points outside the archive",
            field="file",
            rule="zip-path",
        )
    if member.flag_bits & 0x1:
        raise Invalid(f"{name}: member {member.filename!r} is encrypted", field="file", rule="zip")
    return path


def _read(archive: zipfile.ZipFile, name: str, member: zipfile.ZipInfo) -> bytes:
    try:
        with archive.open(member) as stream:
            content = stream.read(member.file_size + 1)
    except (zipfile.BadZipFile, EOFError, OSError) as exc:  # CRC, truncation, method
        raise Invalid(f"{name}: {member.filename}: {exc}", field="file", rule="zip") from None
    if len(content) > member.file_size:  # a header that understates its member
        raise Invalid(f"{name}: {member.filename} is corrupt", field="file", rule="zip")
    return content
