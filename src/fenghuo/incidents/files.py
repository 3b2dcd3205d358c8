"""Evidence file checks, no I/O: content sniffing against an allow-list, never executables.

A file is accepted only when its bytes match an allowed type. Executables (PE, ELF, Mach-O),
scripts (``#!``) and active web content (HTML, SVG) are refused by their magic bytes and,
whatever their content, by their extension, so a renamed program is refused either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from fenghuo.errors import Invalid

# Extensions refused whatever the content: programs, libraries, scripts, installers.
REFUSED_EXTENSIONS = frozenset(
    {
        ".exe", ".dll", ".com", ".scr", ".sys", ".msi", ".msp", ".cpl", ".bat", ".cmd",
        ".ps1", ".psm1", ".vbs", ".vbe", ".js", ".jse", ".wsf", ".wsh", ".hta", ".jar",
        ".sh", ".bash", ".zsh", ".ksh", ".csh", ".py", ".pyc", ".pl", ".rb", ".php", ".elf",
        ".so", ".dylib", ".bin", ".run", ".app", ".apk", ".deb", ".rpm", ".dmg", ".pkg",
        ".lnk", ".reg", ".html", ".htm", ".xhtml", ".svg", ".swf",
    }
)  # fmt: skip
# Magic bytes of executables and scripts (refused even under an innocent name).
EXECUTABLE_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"MZ", "a Windows (PE) executable"),
    (b"\x7fELF", "an ELF executable"),
    (b"\xfe\xed\xfa\xce", "a Mach-O executable"),
    (b"\xfe\xed\xfa\xcf", "a Mach-O executable"),
    (b"\xce\xfa\xed\xfe", "a Mach-O executable"),
    (b"\xcf\xfa\xed\xfe", "a Mach-O executable"),
    (b"\xca\xfe\xba\xbe", "a Mach-O universal binary or Java class"),
    (b"#!", "a script"),
    (b"\x00asm", "a WebAssembly module"),
)
ACTIVE_TEXT = ("<!doctype html", "<html", "<svg", "<script", "<?php")
# The allow-list: (magic, media type).
ALLOWED_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"\xd4\xc3\xb2\xa1", "application/vnd.tcpdump.pcap"),
    (b"\xa1\xb2\xc3\xd4", "application/vnd.tcpdump.pcap"),
    (b"\x4d\x3c\xb2\xa1", "application/vnd.tcpdump.pcap"),
    (b"\xa1\xb2\x3c\x4d", "application/vnd.tcpdump.pcap"),
    (b"\x0a\x0d\x0d\x0a", "application/x-pcapng"),
    (b"\x1f\x8b", "application/gzip"),
)
ALLOWED_TYPES_TEXT = "PDF, PNG, JPEG, GIF, pcap/pcapng, gzip, or UTF-8 text (logs, CSV, JSON)"


@dataclass(frozen=True)
class Sniffed:
    """What the content of an accepted file is."""

    media_type: str


def check_name(filename: str) -> str:
    """The file's base name, refused if empty or with a refused extension."""
    name = PurePosixPath(filename.replace("\\", "/")).name.strip()
    if not name or name in {".", ".."} or len(name) > 255 or not name.isprintable():
        raise Invalid(
            "the file needs a printable name of 1-255 characters", field="file", rule="file-name"
        )
    # The last suffix decides how a desktop opens a file (".exe" alone counts too), any case;
    # an earlier one ("szpower.com.log") does not, and the content is sniffed anyway.
    suffix = "." + name.rsplit(".", 1)[1].strip().lower() if "." in name else ""
    refused = [suffix] if suffix in REFUSED_EXTENSIONS else []
    if refused:
        raise Invalid(
            f"{name}: files ending {refused[0]} may be executable and are never accepted",
            field="file",
            rule="evidence-not-executable",
        )
    return name


def sniff(content: bytes) -> Sniffed:
    """The media type of ``content`` by its bytes; executables and unknown types refused."""
    for magic, what in EXECUTABLE_MAGIC:
        if content.startswith(magic):
            raise Invalid(
                f"the file is {what}; executables and scripts are never accepted",
                field="file",
                rule="evidence-not-executable",
            )
    for magic, media_type in ALLOWED_MAGIC:
        if content.startswith(magic):
            return Sniffed(media_type)
    text = _as_text(content)
    if text is not None:
        head = text.lstrip("\ufeff \t\r\n")[:200].lower()
        if head.startswith(ACTIVE_TEXT):
            raise Invalid(
                "the file is active web content (HTML, SVG or script); it is never accepted",
                field="file",
                rule="evidence-not-executable",
            )
        return Sniffed("text/plain; charset=utf-8")
    raise Invalid(
        f"the file's content is not an accepted type ({ALLOWED_TYPES_TEXT})",
        field="file",
        rule="evidence-type",
    )


def _as_text(content: bytes) -> str | None:
    if b"\x00" in content:
        return None
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return None
