"""Settings come from CONCOURS_* variables; the secret key is required in production; the CLI lists itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from concours.cli import main
from concours.settings import DEV_SECRET_KEY, Settings, SettingsError


def test_defaults_are_a_sqlite_file_and_the_development_key() -> None:
    s = Settings.from_env({})
    assert s.database_url.startswith("sqlite+aiosqlite:///") and s.is_sqlite
    assert s.secret_key == DEV_SECRET_KEY and s.environment == "development"


def test_every_variable_is_read() -> None:
    s = Settings.from_env(
        {
            "CONCOURS_DATABASE_URL": "postgresql+asyncpg://u@h/db",
            "CONCOURS_SECRET_KEY": "k" * 40,
            "CONCOURS_ENV": "production",
            "CONCOURS_MEDIA_DIR": "/srv/media",
            "CONCOURS_BASE_URL": "https://c.example/",
            "CONCOURS_SMTP_HOST": "mail",
            "CONCOURS_SMTP_PORT": "2525",
            "CONCOURS_SMTP_USER": "u",
            "CONCOURS_SMTP_PASSWORD": "p",
            "CONCOURS_SMTP_FROM": "Show <show@c.example>",
            "CONCOURS_SMTP_STARTTLS": "1",
        }
    )
    assert not s.is_sqlite and s.media_dir == Path("/srv/media") and s.base_url == "https://c.example"
    assert s.secure_cookies and (s.smtp_host, s.smtp_port, s.smtp_user, s.smtp_starttls) == ("mail", 2525, "u", True)


def test_production_requires_a_secret_key() -> None:
    with pytest.raises(SettingsError, match="CONCOURS_SECRET_KEY must be set"):
        Settings.from_env({"CONCOURS_ENV": "production"})
    with pytest.raises(SettingsError, match="outside development"):
        Settings.from_env({"CONCOURS_ENV": "test"})
    with pytest.raises(SettingsError, match="at least 32"):
        Settings.from_env({"CONCOURS_SECRET_KEY": "short"})


def test_cli_lists_its_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    out = capsys.readouterr().out
    for command in ("serve", "demo", "db"):
        assert command in out
    assert main(["db"]) == 0
    assert "upgrade" in capsys.readouterr().out


def test_cli_reports_a_bad_configuration(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CONCOURS_ENV", "production")
    monkeypatch.delenv("CONCOURS_SECRET_KEY", raising=False)
    assert main(["db", "upgrade"]) == 2
    assert "CONCOURS_SECRET_KEY" in capsys.readouterr().err
