"""Procedural checks: a registered function per entry (`function:`), for what is not an equation
over cells — sections, template, deadlines, text. The functions live in checks/procedural.py."""

from __future__ import annotations

import polars as pl

from checks.frames import PartData
from checks.kinds.base import Bad, Kind, register
from checks.procedural import FUNCTIONS, MESSAGES, NEEDS
from checks.results import finish
from checks.spec import CheckSpec


@register
class Procedural(Kind):
    name = "procedural"
    fields = frozenset({"function", "message"})

    def validate(self, spec: CheckSpec, bad: Bad) -> None:
        if spec.function not in FUNCTIONS:
            raise bad(f"未注册的程序性检查函数 '{spec.function}' (unknown function)")
        if spec.message and spec.function not in MESSAGES:
            raise bad(f"程序性检查函数 '{spec.function}' 不使用 message 字段 (this function writes its own messages)")

    def tables(self, spec: CheckSpec) -> set[str]:
        return set(NEEDS[spec.function])

    def evaluate(self, data: PartData, specs: list[CheckSpec], settings: dict) -> list[pl.DataFrame]:
        out = []
        for s in specs:
            scoped = data.reports.filter(pl.col("template").is_in(list(s.templates)))
            if scoped.height:
                out.append(finish(FUNCTIONS[s.function](data, scoped, s, settings), s))
        return out
