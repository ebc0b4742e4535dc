"""Plausible, internally consistent report numbers (every template equation holds)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from gkqc.templates import registry

RESULT_ROWS_WEIGHTS = {
    "granted": 40, "partial": 8, "denied_state_secret": 0.3, "denied_law_forbidden": 0.5, "denied_three_safety": 0.3,
    "denied_third_party": 1, "denied_internal": 1, "denied_process": 1, "denied_enforcement_file": 0.5,
    "denied_query": 1, "unable_not_held": 25, "unable_need_create": 2, "unable_unclear": 1, "unprocessed_petition": 4,
    "unprocessed_repeat": 2, "unprocessed_publication": 0.3, "unprocessed_massive": 0.5, "unprocessed_confirm": 0.3,
    "other_handling": 6, "other_no_correction": 3, "other_no_fee": 0.5, "other_else": 3,
}
APPLICANT_WEIGHTS = [70, 14, 1, 2, 5, 8]  # natural_person … other_org


@dataclass
class OfficeState:
    """What carries from one year to the next for one office."""

    carried_forward: list[int] = field(default_factory=lambda: [0] * 6)
    in_force: dict[str, int] = field(default_factory=dict)


@dataclass
class Values:
    applications: dict[tuple[str, str], float]
    active: dict[tuple[str, str, str], float]
    reviews: dict[tuple[str, str], float]


def _volume(rng: random.Random, scale: float) -> int:
    """Most offices receive a handful of applications; a few receive thousands."""
    r = rng.random()
    if r < 0.35:
        return 0
    if r < 0.85:
        return rng.randint(1, 12)
    if r < 0.98:
        return rng.randint(13, 300)
    return int(rng.randint(300, 4000) * scale)


def _split(rng: random.Random, n: int, weights: list[float]) -> list[int]:
    if n == 0:
        return [0] * len(weights)
    picks = rng.choices(range(len(weights)), weights=weights, k=min(n, 200))
    counts = [0] * len(weights)
    for p in picks:
        counts[p] += 1
    if n > 200:  # scale up large volumes without drawing each one
        scaled = [c * n // 200 for c in counts]
        scaled[max(range(len(counts)), key=counts.__getitem__)] += n - sum(scaled)
        counts = scaled
    return counts


def make_values(rng: random.Random, template: str, state: OfficeState | None = None, scale: float = 1.0) -> Values:
    reg = registry()
    state = state or OfficeState()
    cols = [c.id for c in reg.app_columns]
    rows = [r.id for r in reg.app_rows_for(template)]
    result_rows = [r for r in rows if r in RESULT_ROWS_WEIGHTS]
    apps: dict[tuple[str, str], float] = {}
    new = _split(rng, _volume(rng, scale), APPLICANT_WEIGHTS)
    carried = list(state.carried_forward)
    forward = []
    for k, col in enumerate(cols[:6]):
        inflow = new[k] + carried[k]
        fwd = rng.randint(0, inflow // 5) if inflow > 2 and rng.random() < 0.3 else 0
        forward.append(fwd)
        split = _split(rng, inflow - fwd, [RESULT_ROWS_WEIGHTS[r] for r in result_rows])
        apps[("new_received", col)] = new[k]
        apps[("carried_over", col)] = carried[k]
        for r, v in zip(result_rows, split, strict=True):
            apps[(r, col)] = v
        apps[("results_total", col)] = inflow - fwd
        apps[("carried_forward", col)] = fwd
    for r in rows:
        apps[(r, "total")] = sum(apps[(r, c)] for c in cols[:6])
    state.carried_forward = forward

    reviews: dict[tuple[str, str], float] = {}
    for g in reg.review_groups:
        parts = [rng.choice([0, 0, 0, 0, 1, 2, 3]) for _ in range(4)]
        for m, v in zip(("upheld", "corrected", "other", "pending"), parts, strict=True):
            reviews[(g.id, m)] = v
        reviews[(g.id, "total")] = sum(parts)

    active: dict[tuple[str, str, str], float] = {}
    if template == "gov2019":
        for r in ("regulations", "normative_docs"):
            made = rng.randint(0, 40)
            published = rng.randint(0, made)
            active[("item_1", r, "new_made")] = made
            active[("item_1", r, "new_published")] = published
            active[("item_1", r, "total_published")] = published + rng.randint(0, 300)
        for b, rs in (("item_5", ("licensing", "other_services")), ("item_6", ("punishment", "coercion"))):
            for r in rs:
                active[(b, r, "prev_items")] = rng.randint(0, 500)
                active[(b, r, "change")] = rng.randint(-20, 20)
                active[(b, r, "decisions")] = rng.randint(0, 3000)
        active[("item_8", "fees", "prev_items")] = rng.randint(0, 50)
        active[("item_8", "fees", "change")] = rng.randint(-5, 5)
        active[("item_9", "procurement", "procurement_items")] = rng.randint(0, 80)
        active[("item_9", "procurement", "procurement_amount")] = round(rng.uniform(0, 20000), 4)
    else:
        for r in ("regulations", "normative_docs"):
            prev = state.in_force.get(r, rng.randint(0, 200))
            issued = rng.randint(0, 30)
            repealed = rng.randint(0, min(prev, 10))
            active[("item_1", r, "issued")] = issued
            active[("item_1", r, "repealed")] = repealed
            active[("item_1", r, "in_force")] = prev + issued - repealed
            state.in_force[r] = prev + issued - repealed
        active[("item_5", "licensing", "decisions")] = rng.randint(0, 5000)
        active[("item_6", "punishment", "decisions")] = rng.randint(0, 3000)
        active[("item_6", "coercion", "decisions")] = rng.randint(0, 200)
        active[("item_8", "fees", "fee_amount")] = round(rng.uniform(0, 500), 4)
    return Values(apps, active, reviews)


def raw(v: float) -> str:
    """A value as a report prints it."""
    return str(int(v)) if float(v).is_integer() else f"{v:.4f}".rstrip("0").rstrip(".")
