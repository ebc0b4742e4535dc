"""pandera schemas of every lake table (polars backend), with ids from the template registry."""

from schemas.lake import SCHEMA_BY_TABLE, validate_tables

__all__ = ["SCHEMA_BY_TABLE", "validate_tables"]
