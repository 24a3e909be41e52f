"""Settings: one object, read from ``CONCOURS_*`` environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///concours.db"
DEV_SECRET_KEY = "development-only-secret-key-do-not-use-in-production"


class SettingsError(RuntimeError):
    """The environment does not describe a runnable configuration."""


def _positive_int(name: str, value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise SettingsError(f"CONCOURS_{name} must be a whole number of at least 1 (it is {value!r})")
    return number


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    secret_key: str = DEV_SECRET_KEY
    environment: str = "development"  # development | production | test
    media_dir: Path = field(default_factory=lambda: Path("media"))
    base_url: str = "http://127.0.0.1:8000"
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "Concours <concours@localhost>"
    smtp_starttls: bool = False
    login_link_minutes: int = 60 * 24
    session_days: int = 14
    sql_echo: bool = False
    # Automatic backups while an event is live (judging .. published): folder, interval, how many kept.
    backup_dir: Path | None = None
    backup_minutes: int = 10
    backup_keep: int = 24

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides: object) -> Settings:
        """Read the settings from the environment (``env`` defaults to ``os.environ``)."""
        e = dict(os.environ if env is None else env)

        def get(name: str, default: str | None = None) -> str | None:
            value = e.get(f"CONCOURS_{name}")
            return value if value not in (None, "") else default

        environment = get("ENV", "development") or "development"
        secret = get("SECRET_KEY")
        if secret is None:
            if environment != "development":
                raise SettingsError(
                    f"CONCOURS_SECRET_KEY must be set outside development (CONCOURS_ENV={environment}): a long "
                    "random string, the same for every worker; generate one with: "
                    "python -c 'import secrets; print(secrets.token_urlsafe(48))'"
                )
            secret = DEV_SECRET_KEY
        elif len(secret) < 32:
            raise SettingsError("CONCOURS_SECRET_KEY must be at least 32 characters long")
        values: dict[str, object] = {
            "database_url": get("DATABASE_URL", DEFAULT_DATABASE_URL),
            "secret_key": secret,
            "environment": environment,
            "media_dir": Path(get("MEDIA_DIR", "media") or "media"),
            "base_url": (get("BASE_URL", "http://127.0.0.1:8000") or "").rstrip("/"),
            "smtp_host": get("SMTP_HOST"),
            "smtp_port": int(get("SMTP_PORT", "25") or 25),
            "smtp_user": get("SMTP_USER"),
            "smtp_password": get("SMTP_PASSWORD"),
            "smtp_from": get("SMTP_FROM", "Concours <concours@localhost>"),
            "smtp_starttls": (get("SMTP_STARTTLS", "0") or "0").lower() in ("1", "true", "yes"),
            "sql_echo": (get("SQL_ECHO", "0") or "0").lower() in ("1", "true", "yes"),
            "backup_dir": Path(backup_dir) if (backup_dir := get("BACKUP_DIR")) else None,
            "backup_minutes": _positive_int("BACKUP_MINUTES", get("BACKUP_MINUTES", "10") or "10"),
            "backup_keep": _positive_int("BACKUP_KEEP", get("BACKUP_KEEP", "24") or "24"),
        }
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]
