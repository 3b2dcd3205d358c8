"""Simplified Chinese and English for the console and the portal (Babel catalogues).

English is the source language: every message is an English ``msgid``, and
``locales/zh/LC_MESSAGES/messages.po`` holds its Chinese. The ``.po`` files are read at
start-up (``babel.messages.pofile.read_po``), so no compile step is needed. A message
with no translation falls back to the English and is remembered in ``missing``, which
the test suite checks stays empty.

The language of a request: the user's own choice, else the ``fenghuo_lang`` cookie,
else the deployment's ``default_language``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po

LANGUAGES: tuple[str, ...] = ("zh", "en")
SOURCE_LANGUAGE = "en"
LOCALES_DIR = Path(__file__).parent / "locales"
BABEL_LOCALE = {"zh": "zh_Hans_CN", "en": "en"}
HTML_LANG = {"zh": "zh-CN", "en": "en"}


def N_(message: str) -> str:
    """Mark ``message`` for extraction; it is translated later, when shown."""
    return message


@dataclass
class Catalogue:
    """The translations of one language, and the messages asked for that it lacks."""

    language: str
    messages: Mapping[str, str]
    missing: set[str] = field(default_factory=set)

    def gettext(self, message: str) -> str:
        """``message`` in this language (the English when there is no translation)."""
        text = self.messages.get(message)
        if text:
            return text
        if self.language != SOURCE_LANGUAGE:
            self.missing.add(message)
        return message


def normalise(language: str | None) -> str | None:
    """``language`` if it is one the console speaks (``zh``/``en``), else None."""
    if not language:
        return None
    short = language.strip().lower().replace("_", "-").split("-")[0]
    return short if short in LANGUAGES else None


def po_path(language: str) -> Path:
    """Where the catalogue of ``language`` lives."""
    return LOCALES_DIR / language / "LC_MESSAGES" / "messages.po"


@lru_cache(maxsize=len(LANGUAGES))
def catalogue(language: str) -> Catalogue:
    """The catalogue of ``language``, read once from its ``.po`` file."""
    with po_path(language).open("rb") as handle:
        po = read_po(handle, locale=BABEL_LOCALE[language])
    messages = {
        str(message.id): str(message.string)
        for message in po
        if message.id and isinstance(message.id, str) and message.string and not message.fuzzy
    }
    return Catalogue(language=language, messages=messages)


def choose_language(*, user_language: str | None, cookie: str | None, default: str) -> str:
    """The user's choice, else the cookie's, else the deployment default."""
    return normalise(user_language) or normalise(cookie) or normalise(default) or "zh"


_current: ContextVar[str] = ContextVar("fenghuo_web_language", default=SOURCE_LANGUAGE)


@contextmanager
def speaking(language: str) -> Iterator[None]:
    """Translate into ``language`` while the block runs (one render, one request)."""
    token = _current.set(language)
    try:
        yield
    finally:
        _current.reset(token)


def current_language() -> str:
    """The language being rendered."""
    return _current.get()


def gettext(message: str, **variables: Any) -> str:
    """``message`` in the current language, ``%(name)s`` placeholders filled from ``variables``."""
    text = catalogue(current_language()).gettext(message)
    return text % variables if variables else text


def translate(language: str, message: str, **variables: Any) -> str:
    """``message`` in ``language`` (outside a render)."""
    with speaking(language):
        return gettext(message, **variables)
