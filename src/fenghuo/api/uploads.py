"""Reading multipart uploads within a byte budget shared by all the files of one request."""

from __future__ import annotations

from fastapi import UploadFile

from fenghuo.errors import Invalid


def read_within(
    files: list[UploadFile], max_bytes: int, *, rule: str = "upload-size"
) -> list[tuple[str, bytes]]:
    """``(base name, content)`` of each file, in order; refused as a whole (``Invalid``,
    field ``file``, ``rule``) as soon as the files together exceed ``max_bytes``, without
    reading more than one byte past it."""
    found: list[tuple[str, bytes]] = []
    budget = max_bytes
    for upload in files:
        name = (upload.filename or "upload").rsplit("/", 1)[-1]
        data = upload.file.read(budget + 1)
        budget -= len(data)
        if budget < 0:
            raise Invalid(f"the upload is larger than {max_bytes} bytes", field="file", rule=rule)
        found.append((name, data))
    return found
