"""Run Alembic migrations programmatically (``concours db upgrade``)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from concours.resources import resource_dir


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(resource_dir("migrations")))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the database to ``revision`` (blocking; call from a thread inside an event loop)."""
    command.upgrade(alembic_config(database_url), revision)
