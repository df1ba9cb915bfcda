"""Run Alembic with the core's and the plugins' version directories.

Each plugin has its own version directory and branch label (``lavterskel_migration_location``);
``upgrade heads`` brings every branch up. Configured in code, so there is no alembic.ini
whose path separator could split ``pkg:dir`` entries.
"""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect
from sqlalchemy.engine import Engine

from core.plugins import Plugins

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(engine: Engine, plugins: Plugins) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    locations = [str(MIGRATIONS / "versions")]
    for _name, loc in plugins.per_plugin("lavterskel_migration_location"):
        if loc:
            locations.append(str(loc[1]))
    cfg.set_main_option("path_separator", "space")
    cfg.set_main_option("version_locations", " ".join(locations))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, plugins: Plugins) -> None:
    cfg = alembic_config(engine, plugins)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "heads")


def is_empty(engine: Engine) -> bool:
    return "organization" not in inspect(engine).get_table_names()
