"""The blank-cell policy (`blank_cells` in checks/settings.yaml): how equations and cross-year
checks treat a cell left blank. `zero` (the default) counts it as 0 and every result that did so
says so; `strict` makes such a check not assessable. A cell that could not be read is never 0."""

from __future__ import annotations

from checks.spec import SuiteError

POLICIES = ("zero", "strict")
# how the message of every result that took a blank cell as 0 begins, followed by those cells
BLANK_NOTE = "按空白为0计算："


def blank_policy(settings: dict) -> str:
    """The policy the settings choose (`zero` when they choose none)."""
    policy = settings.get("blank_cells", POLICIES[0])
    if policy not in POLICIES:
        raise SuiteError(f"blank_cells: '{policy}' 无效，应为 {list(POLICIES)} (unknown blank-cell policy)")
    return policy
