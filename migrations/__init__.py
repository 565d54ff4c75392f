"""Alembic migrations of every table renkei owns (workflow and exporter)."""

from __future__ import annotations

import importlib

# Each package that owns tables registers them on workflow.db.Base when imported.
MODEL_MODULES = ("workflow.models", "workflow.mapping", "exporter.models", "exporter.pos")


def load_models() -> None:
    """Import every model module, so Base.metadata holds all tables."""
    for module in MODEL_MODULES:
        importlib.import_module(module)
