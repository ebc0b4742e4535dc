"""Finding the section headings (一、… as the registry lists them) in a token stream."""

from __future__ import annotations

import re

from gkqc.readers.tokens import Tok
from gkqc.templates import norm_label, registry


def _heading(numerals: str) -> re.Pattern[str]:
    return re.compile(rf"^([{numerals}])\s*[、.,，．:：]\s*(.{{2,60}})$")  # compiled once: re caches it


def find_headings(toks: list[Tok]) -> list[tuple[str, int]]:
    """(section numeral, token index) of each section's first heading, in token order."""
    reg = registry()
    variants = {s.no: s.variants for s in reg.sections}
    heading = _heading(reg.numerals)
    hits: dict[str, int] = {}
    for i, t in enumerate(toks):
        if len(t.text) > 64 or not t.text or t.text[0] not in variants:
            continue
        m = heading.match(t.text)
        if m and m.group(1) not in hits:
            rest = norm_label(m.group(2))
            if any(v in rest for v in variants[m.group(1)]):
                hits[m.group(1)] = i
    return sorted(hits.items(), key=lambda kv: kv[1])


def split_sections(toks: list[Tok]) -> dict[str, tuple[int, int]]:
    """Section numeral -> (start, end) token range; the heading itself is toks[start]."""
    hs = find_headings(toks)
    bounds = [i for _, i in hs] + [len(toks)]
    return {no: (start, bounds[k + 1]) for k, (no, start) in enumerate(hs)}
