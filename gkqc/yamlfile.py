"""YAML through libyaml when PyYAML was built with it (faster), else pure Python."""

from __future__ import annotations

import yaml

SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load(text: str):
    """Like `yaml.safe_load`."""
    return yaml.load(text, Loader=SafeLoader)  # noqa: S506 (a safe loader)


def compose(text: str) -> yaml.Node | None:
    """Like `yaml.compose`, with the safe loader (node marks give line numbers)."""
    return yaml.compose(text, Loader=SafeLoader)
