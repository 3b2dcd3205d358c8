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
    rules_import_max_bytes: int = Field(
        default=64 * 1024 * 1024,
        ge=1024,
        le=1024**3,
        description="Largest rule import (a zip's rule files uncompressed, or the uploads), bytes.",
    )
    rules_import_max_files: int = Field(
        default=20_000, ge=1, le=1_000_000, description="Most rule files in one import."
    )
    hunt_max_days: int = Field(
        default=7, ge=1, le=366, description="Longest time range of one hunting query (days)."
    )
    hunt_max_rows: int = Field(
        default=10_000, ge=1, le=1_000_000, description="Most rows a hunting query may return."
    )
    hunt_timeout_seconds: float = Field(
        default=30.0, ge=0.1, le=3600.0, description="A hunting query is stopped after this."
    )
    hunt_memory_mb: int = Field(
        default=512, ge=64, le=1024**2, description="Memory limit of one hunting query (MiB)."
    )
    evidence_max_bytes: int = Field(
        default=50 * 1024 * 1024,
        ge=1024,
        le=10 * 1024**3,
        description="Largest incident evidence file (bytes).",
    )
    evidence_dir: Path | None = Field(
        default=None,
        description="Where evidence files are kept by SHA-256; empty means <data dir>/evidence.",
    )
    public_url: str = Field(
        default="http://localhost:8000",
        description="Base URL of the console, for links in e-mails and webhooks.",
    )
    warning_signature: Literal["xmldsig-rsa", "xmldsig-ecdsa", "sm2"] = Field(
        default="xmldsig-rsa",
        description="How CAP warnings are signed: XML-DSig RSA or ECDSA, or SM2/SM3.",
    )
    warning_keys_dir: Path | None = Field(
        default=None,
        description="Signing keys of issuing organisations; empty means <data dir>/warning-keys.",
    )
    smtp_host: str = Field(default="", description="SMTP server; empty disables e-mail.")
    smtp_port: int = Field(default=587, ge=1, le=65535, description="SMTP port.")
    smtp_user: str = Field(default="", description="SMTP user name; empty means no login.")
    smtp_password: str = Field(default="", description="SMTP password.")
    smtp_starttls: bool = Field(default=True, description="Upgrade the SMTP session with STARTTLS.")
    smtp_from: str = Field(
        default="fenghuo@localhost", description="Sender address of notification e-mails."
    )
    delivery_max_attempts: int = Field(
        default=6, ge=1, le=50, description="E-mail/webhook attempts before a dead letter."
    )
    delivery_backoff_seconds: float = Field(
        default=30.0, ge=0.0, le=86400.0, description="Delay after the first failed attempt."
    )
    delivery_backoff_max_seconds: float = Field(
        default=3600.0, ge=0.0, le=7 * 86400.0, description="Longest delay between attempts."
    )
    delivery_timeout_seconds: float = Field(
        default=10.0, gt=0.0, le=300.0, description="Timeout of one e-mail or webhook attempt."
    )
    delivery_concurrency: int = Field(
        default=200, ge=1, le=5000, description="Deliveries attempted at the same time."
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
