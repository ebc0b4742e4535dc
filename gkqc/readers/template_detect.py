"""Which template, and which printed variant of it, a report's tables show: the registry's cues
(column headings, sub-rows) looked for in each section's text."""

from __future__ import annotations

from collections.abc import Sequence

from gkqc.readers.label_rows import _norm_text
from gkqc.readers.tokens import Tok
from gkqc.record import TEMPLATE_PRESUMED
from gkqc.templates import Variant, registry


def detect_variant(template: str | None, sections: dict[str, Sequence[Tok]]) -> Variant | None:
    """The printed variant of `template` the report's sections show, if any (from the registry)."""
    reg = registry()
    cued = {v.section for v in reg.variants if v.template == template}  # only the sections a variant is told by
    text = {no: _norm_text(sections.get(no, ())) for no in cued}
    return reg.variant_for(template, text)


def detect_template(toks: dict[str, Sequence[Tok]], year_template: str | None = None) -> tuple[str | None, str | None]:
    """(template, how it was told) from printed column headings and sub-rows (`toks`: each section's
    tokens, by numeral; the registry's cues say which sections they look in). A cue that a printed
    variant of another template shows as well tells neither: a report printing （六）其他处理 as one row,
    as 2019's template and a variant of 2021's do, has the year's template, presumed (TEMPLATE_PRESUMED)."""
    reg = registry()
    text: dict[str, str] = {}  # each section's text, made when a cue first looks in it
    for cue in reg.cues:  # the registry's cues, in order: the first found names the template
        if cue.section in toks and cue.section not in text:
            text[cue.section] = _norm_text(toks[cue.section])
        if any(v in text.get(cue.section, "") for v in cue.texts):
            rivals = [v for v in reg.variants if v.template != cue.template and v.section == cue.section
                      and v.printed_in(text[cue.section])]
            if rivals and year_template in {cue.template, *(v.template for v in rivals)}:
                return year_template, f"{TEMPLATE_PRESUMED}（{cue.how}：{'、'.join(v.title for v in rivals)}亦如此印）"
            return cue.template, cue.how
    return None, None
