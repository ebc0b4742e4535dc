"""pandera schemas of every lake table (polars backend), with ids from the template registry."""

import gkqc  # noqa: F401  (sets the allocators up before polars and pyarrow load: see gkqc/__init__.py)
from schemas.lake import SCHEMA_BY_TABLE, validate_tables

__all__ = ["SCHEMA_BY_TABLE", "validate_tables"]
