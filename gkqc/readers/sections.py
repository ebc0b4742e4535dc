"""Finding the section headings (一、… as the registry lists them) in a token stream."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from gkqc.readers.tokens import Tok, nfkc
from gkqc.templates import norm_label, registry


def _lead(numerals: str) -> re.Pattern[str]:
    return re.compile(rf"^([{numerals}])\s*[、.,，．:：]\s*")  # compiled once: re caches it


SHORT = 6  # a variant shorter than this (其他事项, 问题与改进) names a heading only at its start or end
TITLE = 60  # the longest heading title (after its numeral)
_COLON = re.compile(r"[:：]")
_SENTENCE = re.compile(r"[。；;！!？?]")  # text after a heading without a colon is the section's when it is a sentence
_WORD = re.compile(r"[^\W\d_]")  # a letter or a character of a word: not a page number or a dot leader
_AFTER_TITLE = " \t:：。.，,、"  # what may stand between a heading's title and its text on the same line


def _names(rest: str, variant: str, label: str) -> bool:
    """Whether a heading's text (after its numeral) is the section's: it holds the variant, and a
    short variant other than the label begins or ends it (a heading 其他事项, not 做好其他事项的公开工作)."""
    if variant not in rest:
        return False
    if len(variant) >= SHORT or variant == label:
        return True
    rest = rest.rstrip(":：。.")
    return rest.startswith(variant) or rest.endswith(variant)


def _title_end(rest: str, variants: tuple[str, ...], label: str) -> int | None:
    """Where, in `rest` (a line's text after its numeral), the title ends that a variant begins (a short
    one right at the start) or that a long one ends; None when no variant is there."""
    lab = norm_label(rest[:TITLE + 20])
    ends = [(p, -len(v)) for v in variants if (p := lab.find(v)) >= 0 and (p == 0 or len(v) >= SHORT or v == label)]
    if not ends:
        return None
    p, neg = min(ends)
    return _position(rest, p - neg)


def _position(text: str, chars: int) -> int:
    """The index in `text` after its first `chars` non-space characters."""
    seen = 0
    for i, ch in enumerate(text):
        if seen == chars:
            return i
        seen += not ch.isspace()
    return len(text)


def _text_start(rest: str, names: Callable[[str], bool], variants: tuple[str, ...], label: str) -> int | None:
    """Where the section's own text begins in `rest` when the heading's line goes on after its
    title: after a colon that ends the title (六、其他需要报告的事项：本年度未收取…), or, without one,
    after the title when a sentence follows it (<strong>六、其他需要报告的事项</strong>本年度…。)."""
    colon = _COLON.search(rest, 0, TITLE + 1)
    title = rest[:colon.start()] if colon else ""
    if len(title) >= 2 and title.count("(") <= title.count(")") and names(title):  # not 情况（单位：件）
        return colon.end() if rest[colon.end():].strip() else None
    end = _title_end(rest, variants, label)
    if end is None or end > TITLE:
        return None
    start = len(rest) - len(rest[end:].lstrip(_AFTER_TITLE))
    return start if start < len(rest) and _SENTENCE.search(rest, start) else None


def _heading_at(tok: Tok, lead: re.Pattern[str], variants: tuple[str, ...], label: str) -> tuple[bool, int | None]:
    """(whether `tok`, led by a section numeral, is that section's heading; where the section's
    text begins in it, None when the whole token is the heading, as a table cell always is)."""
    m = lead.match(tok.text)
    if m is None:
        return False, None
    rest = tok.text[m.end():]

    def names(title: str) -> bool:
        return any(_names(norm_label(title), v, label) for v in variants)

    start = None if tok.cell else _text_start(rest, names, variants, label)
    if start is not None:
        return True, m.end() + start
    return len(tok.text) <= 64 and 2 <= len(rest) <= TITLE and names(rest), None


def find_headings(toks: list[Tok]) -> list[tuple[str, int]]:
    """(section numeral, token index) of each section's first heading, in token order."""
    return [(no, i) for no, i, _ in _find(toks)]


def _find(toks: list[Tok]) -> list[tuple[str, int, int | None]]:
    """(numeral, token index, where the section's text begins in the token's text or None) of each
    section's heading (`_pick`), in token order. A table cell is a heading only as a whole."""
    reg = registry()
    variants = {s.no: s.variants for s in reg.sections}
    labels = {s.no: norm_label(s.label) for s in reg.sections}
    lead = _lead(reg.numerals)
    seen: dict[str, list[tuple[int, int | None]]] = {}  # numeral -> every line that could be its heading
    others: list[int] = []  # lines led by a numeral that are not its section's heading
    order = list(variants)
    for i, t in enumerate(toks):
        no = t.text[:1]
        if no in variants:
            found, start = _heading_at(t, lead, variants[no], labels[no])
            if found:
                seen.setdefault(no, []).append((i, start))
            else:
                others.append(i)
    contents = _contents(toks, seen)
    hits: dict[str, tuple[int, int | None]] = {}
    last = -1
    for no in variants:  # (a numbered paragraph of 一, 三、依申请公开情况：…, is no heading before 二's)
        if no in seen:
            hits[no] = _pick([h for h in seen[no] if h[0] not in contents] or seen[no], last)
            last = max(last, hits[no][0])
    for i, start, no in _renumbered(toks, others, lead, variants, labels, set(variants) - set(hits)):
        # a section not printed under its own numeral, the renumbering going on in order
        before = max(((j, sec) for sec, (j, _) in hits.items() if j < i), default=None)
        if no not in hits and before and order.index(before[1]) < order.index(no) \
                and order.index(toks[i].text[:1]) == order.index(toks[before[0]].text[:1]) + 1:
            hits[no] = (i, start)
    if len(hits) < 3:  # too few numbered: the numbers may be list numbers the file did not keep
        bare = _bare_headings(toks, variants, labels)
        if len(bare) > len(hits):
            return [(no, i, None) for no, i in bare]
    return sorted(((no, i, s) for no, (i, s) in hits.items()), key=lambda h: h[1])


def _renumbered(toks: list[Tok], lines: list[int], lead: re.Pattern[str], variants: dict[str, tuple[str, ...]],
                labels: dict[str, str], missing: set[str]) -> list[tuple[int, int | None, str]]:
    """(line, text start, section) of each of `lines` titled as a later section than its numeral says, one
    of the `missing` (renumbered after a section left out: 五、其他需要报告的事项)."""
    order = list(variants)
    out = []
    for i in lines if missing else ():
        later = order[order.index(toks[i].text[:1]) + 1:]
        for no in later:
            found, start = _heading_at(toks[i], lead, variants[no], labels[no])
            if found:
                out += [(i, start, no)] if no in missing else []
                break
    return out


def _contents(toks: list[Tok], seen: dict[str, list[tuple[int, int | None]]]) -> set[int]:
    """The lines of a table of contents (目录): three or more headings alone with no words between
    them (page numbers, dot leaders at most), three of which are printed again later, alone (empty
    sections' headings stand together too, and are printed once)."""
    alone = sorted((i, no) for no, lines in seen.items() for i, start in lines if start is None)
    runs: list[list[tuple[int, str]]] = []
    for i, no in alone:
        if runs and not any(_WORD.search(t.text) for t in toks[runs[-1][-1][0] + 1:i]):
            runs[-1].append((i, no))
        else:
            runs.append([(i, no)])
    last = {no: i for i, no in alone}  # each numeral's last heading alone
    return {i for run in runs if len(run) >= 3 and sum(last[no] > run[-1][0] for no in {n for _, n in run}) >= 3
            for i, _ in run}


def _pick(lines: list[tuple[int, int | None]], last: int) -> tuple[int, int | None]:
    """A section's heading among the lines that could be it: the first heading alone after the heading
    before it, else the first heading alone (sections printed out of order), else the first after it
    of those going on with text, else the first."""
    after = [h for h in lines if h[0] > last]
    alone = next((h for h in after if h[1] is None), None) or next((h for h in lines if h[1] is None), None)
    return alone or (after or lines)[0]


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


def _cut(tok: Tok, start: int) -> tuple[Tok, Tok]:
    """A heading token whose line goes on with its section's text, as two tokens: the heading, the text."""
    chars = len(norm_label(tok.text[:start]))
    at = next((j for j in range(len(tok.raw) + 1) if len(norm_label(tok.raw[:j])) >= chars), len(tok.raw))
    head, text = tok.raw[:at].rstrip(), tok.raw[at:].strip()
    return replace(tok, text=nfkc(head), raw=head), replace(tok, text=nfkc(text), raw=text)


def split_sections(toks: list[Tok]) -> tuple[list[Tok], dict[str, tuple[int, int]]]:
    """The tokens, a heading's line that goes on with its section's text split in two (the heading,
    the text), and section numeral -> (start, end) token range in them; the heading is toks[start]."""
    hs = _find(toks)
    out, starts = list(toks), []
    for _, i, start in reversed(hs):
        if start is not None:
            out[i:i + 1] = _cut(toks[i], start)
    shift = 0
    for no, i, start in hs:
        starts.append((no, i + shift))
        shift += start is not None
    bounds = [i for _, i in starts] + [len(out)]
    return out, {no: (s, bounds[k + 1]) for k, (no, s) in enumerate(starts)}
