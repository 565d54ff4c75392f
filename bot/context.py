"""Builds the process's service objects from settings (the composition root)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from exporter.masters import read_masters
from workflow.db import make_engine, make_sessionmaker
from workflow.migrate import upgrade
from workflow.service import Workflow
from workflow.settings import Settings, get_settings

log = logging.getLogger(__name__)


@dataclass
class Context:
    settings: Settings
    engine: Engine
    factory: sessionmaker[Session]
    workflow: Workflow


def build(settings: Settings | None = None, *, migrate: bool | None = None) -> Context:
    """Engine, sessions and service for `settings`. The embedded SQLite database is created
    and migrated on first use, so `renkei run` works on a fresh clone; PostgreSQL is migrated
    only by `renkei db upgrade` (replicas must not race each other on start)."""
    settings = settings or get_settings()
    url = settings.database_url
    if migrate if migrate is not None else url.startswith("sqlite"):
        upgrade(url)
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    return Context(settings, engine, factory, Workflow(factory, settings, masters=read_masters))


@lru_cache(maxsize=1)
def default() -> Context:
    return build()
