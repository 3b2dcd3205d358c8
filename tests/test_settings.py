"""Settings: defaults, the generated secret key, refusal of well-known secrets."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from fenghuo.settings import Settings


def test_default_database_is_a_sqlite_file_in_the_data_dir(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    assert settings.resolved_database_url == f"sqlite:///{tmp_path.resolve() / 'fenghuo.db'}"
    assert settings.bus_url == "memory://"


def test_secret_key_is_generated_once_and_kept_private(tmp_path: Path) -> None:
    first = Settings(data_dir=tmp_path).resolved_secret_key()
    assert len(first) >= 40
    assert Settings(data_dir=tmp_path).resolved_secret_key() == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize("secret", ["changeme", "secret", "Fenghuo"])
def test_well_known_secret_keys_are_refused(secret: str) -> None:
    with pytest.raises(ValidationError, match="well-known"):
        Settings(secret_key=secret)


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FENGHUO_BUS_URL", "nats://127.0.0.1:4222")
    monkeypatch.setenv("FENGHUO_DEFAULT_LANGUAGE", "en")
    settings = Settings()
    assert (settings.bus_url, settings.default_language) == ("nats://127.0.0.1:4222", "en")


def test_unknown_language_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FENGHUO_DEFAULT_LANGUAGE", "fr")
    with pytest.raises(ValidationError, match="default_language"):
        Settings()
