"""The check suite and its batch engine."""

import gkqc  # noqa: F401  (sets the allocators up before polars and pyarrow load: see gkqc/__init__.py)
