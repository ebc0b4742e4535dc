"""Finding the section headings (一、… as the registry lists them) in a token stream."""

from __future__ import annotations

import re
from operator import attrgetter

from gkqc.readers.tokens import Tok
from gkqc.templates import norm_label, registry

_TEXT = attrgetter("text")


def _heading(numerals: str) -> re.Pattern[str]:
    return re.compile(rf"^([{numerals}])\s*[、.,，．:：]\s*(.{{2,60}})$")  # compiled once: re caches it


SHORT = 6  # a variant shorter than this (其他事项, 问题与改进) names a heading only at its start or end


def _names(rest: str, variant: str, label: str) -> bool:
    """Whether a heading's text (after its numeral) is the section's: it holds the variant, and a
    short variant other than the label begins or ends it (a heading 其他事项, not 做好其他事项的公开工作)."""
    if variant not in rest:
        return False
    if len(variant) >= SHORT or variant == label:
        return True
    rest = rest.rstrip(":：。.")
    return rest.startswith(variant) or rest.endswith(variant)


def find_headings(toks: list[Tok]) -> list[tuple[str, int]]:
    """(section numeral, token index) of each section's first heading, in token order."""
    reg = registry()
    variants = {s.no: s.variants for s in reg.sections}
    labels = {s.no: norm_label(s.label) for s in reg.sections}
    heading = _heading(reg.numerals)
    hits: dict[str, int] = {}
    for i, text in enumerate(map(_TEXT, toks)):
        if text[:1] not in variants or len(text) > 64:
            continue
        m = heading.match(text)
        if m and m.group(1) not in hits:
            rest = norm_label(m.group(2))
            if any(_names(rest, v, labels[m.group(1)]) for v in variants[m.group(1)]):
                hits[m.group(1)] = i
    if len(hits) < 3:  # too few numbered: the numbers may be list numbers the file did not keep
        bare = _bare_headings(toks, variants, labels)
        if len(bare) > len(hits):
            return bare
    return sorted(hits.items(), key=lambda kv: kv[1])


_LIST_NUMBER = re.compile(r"^(?:\d{1,2}\s*[.、．)）]|[(（]\d{1,2}[)）])\s*")  # what a browser prints for <ol><li>


def _bare_headings(toks: list[Tok], variants: dict[str, tuple[str, ...]], labels: dict[str, str]) -> list[tuple[str, int]]:
    """Headings printed without their section numerals (HTML that a converter made of Word's numbered
    headings: each an <ol><li> of its own, which a browser numbers 1. every time): a line that is a
    section's title and little more, the sections in order, three at least."""
    found: list[tuple[str, int]] = []
    order = list(variants)
    for i, t in enumerate(toks):
        if len(t.text) > 40 or not t.text:
            continue
        rest = norm_label(_LIST_NUMBER.sub("", t.text))
        for no in order[order.index(found[-1][0]) + 1 if found else 0:]:
            if any(_names(rest, v, labels[no]) and len(rest) <= len(v) + 8 for v in variants[no]):
                found.append((no, i))
                break
    return found if len(found) >= 3 else []


def split_sections(toks: list[Tok]) -> dict[str, tuple[int, int]]:
    """Section numeral -> (start, end) token range; the heading itself is toks[start]."""
    hs = find_headings(toks)
    bounds = [i for _, i in hs] + [len(toks)]
    return {no: (start, bounds[k + 1]) for k, (no, start) in enumerate(hs)}
