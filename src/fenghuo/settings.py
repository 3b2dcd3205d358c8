"""The one place settings are read from the environment (prefix ``FENGHUO_``).

Nothing else in Fenghuo reads ``os.environ``: everything receives a ``Settings``.
"""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Language = Literal["zh", "en"]
SECRET_KEY_FILE = "secret_key"


class Settings(BaseSettings):
    """Deployment settings. The shape (embedded or scale-out) is chosen here, never in code."""

    model_config = SettingsConfigDict(env_prefix="FENGHUO_", extra="ignore")

    data_dir: Path = Field(
        default=Path("var"), description="Where the SQLite file, keys and archives live."
    )
    database_url: str = Field(
        default="",
        description="SQLAlchemy URL; empty means a SQLite file in the data directory.",
    )
    bus_url: str = Field(
        default="memory://", description="memory:// (in-process) or nats://host:port (JetStream)."
    )
    secret_key: str = Field(
        default="",
        description="Signs sessions; empty means generated once and kept in the data directory.",
    )
    default_language: Language = Field(
        default="zh", description="Language of the console before a user chooses."
    )
    authority_rules_path: Path | None = Field(
        default=None,
        description="A deployment's own authority rules (YAML); empty means the packaged rules.",
    )
    session_hours: int = Field(
        default=8, ge=1, le=24 * 30, description="Console session lifetime in hours."
    )
    access_token_minutes: int = Field(
        default=60, ge=1, le=24 * 60, description="Lifetime of OAuth2 access tokens."
    )
    max_failed_logins: int = Field(
        default=5, ge=1, le=100, description="Failures before an account locks."
    )
    lockout_minutes: int = Field(
        default=15, ge=1, le=24 * 60, description="How long a locked account stays locked."
    )
    secure_cookies: bool = Field(
        default=False, description="Mark cookies Secure (set true behind HTTPS)."
    )
    ingest_max_bytes: int = Field(
        default=16 * 1024 * 1024,
        ge=1024,
        le=1024**3,
        description="Largest ingest request body, after gzip decompression (bytes).",
    )

    @field_validator("secret_key")
    @classmethod
    def _refuse_known_default_secrets(cls, value: str) -> str:
        if value.lower() in {"changeme", "change-me", "secret", "fenghuo"}:
            raise ValueError("FENGHUO_SECRET_KEY must not be a well-known default")
        return value

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to a SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'fenghuo.db').resolve()}"

    def resolved_secret_key(self) -> str:
        """The secret key; generated once and kept in the data directory when not set."""
        if self.secret_key:
            return self.secret_key
        key_file = self.data_dir / SECRET_KEY_FILE
        if key_file.exists():
            return key_file.read_text(encoding="utf-8").strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        key_file.write_text(key, encoding="utf-8")
        key_file.chmod(0o600)
        return key


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Read the settings from the environment, once."""
    return Settings()
