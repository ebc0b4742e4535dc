"""pandera models of every lake table (polars backend), with ids from the template registry."""

from schemas.lake import MODELS, validate_tables

__all__ = ["MODELS", "validate_tables"]
