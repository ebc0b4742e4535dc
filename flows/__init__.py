"""Prefect flows: wiring only."""

import gkqc  # noqa: F401  (sets the allocators up before polars and pyarrow load: see gkqc/__init__.py)
