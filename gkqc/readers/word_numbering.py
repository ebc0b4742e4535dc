"""Word's automatic list numbers (`一、` before a heading, `（一）` before a row label), printed from
numbering.xml as Word shows them."""

from __future__ import annotations

import re

from gkqc.readers.word_xml import VAL as _VAL
from gkqc.readers.word_xml import W as _W
from gkqc.readers.word_xml import int_of

_CN = "〇一二三四五六七八九"
_CN_LEGAL = "零壹贰叁肆伍陆柒捌玖"
_STEMS = "甲乙丙丁戊己庚辛壬癸"


def _cn_count(n: int, digits: str = _CN, ten: str = "十") -> str:
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else (ten if tens == 1 and digits is _CN else digits[tens] + ten)
    return head + (digits[ones] if ones else "")


def _roman(n: int) -> str:
    out = ""
    for v, s in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
                 (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        k, n = divmod(n, v)
        out += s * k
    return out


def _letters(n: int) -> str:
    return chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1) if n > 0 else str(n)


MAX_LIST_NUMBER = 32_767  # the largest a list starts at in Word; letters and roman numerals grow with n beyond


def list_number(n: int, fmt: str) -> str | None:
    """The number `n` as a list number of format `fmt`; None for a format not printed here (bullets…),
    and for letters or roman numerals past MAX_LIST_NUMBER (a file's start of 260,000,000 made each
    label ten million letters long)."""
    simple = {"decimal": str, "decimalZero": lambda k: f"{k:02d}", "upperRoman": _roman,
              "lowerRoman": lambda k: _roman(k).lower(), "upperLetter": _letters, "lowerLetter": lambda k: _letters(k).lower(),
              "chineseCounting": _cn_count, "chineseCountingThousand": _cn_count, "taiwaneseCounting": _cn_count,
              "taiwaneseCountingThousand": _cn_count, "japaneseCounting": _cn_count,  # (LibreOffice writes 一、 so)
              "ideographDigital": lambda k: "".join(_CN[int(c)] for c in str(k)),
              "chineseLegalSimplified": lambda k: _cn_count(k, _CN_LEGAL, "拾"),
              "decimalFullWidth": lambda k: str(k).translate({c: c + 0xFEE0 for c in range(0x30, 0x3A)}),
              "none": lambda k: ""}
    if fmt in simple:
        return None if n > MAX_LIST_NUMBER and fmt.endswith(("Roman", "Letter")) else simple[fmt](n)
    circled = {"decimalEnclosedCircle": (0x2460, 20), "decimalEnclosedCircleChinese": (0x2460, 20),
               "decimalEnclosedParen": (0x2474, 20), "decimalEnclosedFullstop": (0x2488, 20),
               "ideographEnclosedCircle": (0x3220, 10)}
    if fmt in circled and 0 < n <= circled[fmt][1]:
        return chr(circled[fmt][0] + n - 1)
    if fmt == "ideographTraditional" and 0 < n <= 10:
        return _STEMS[n - 1]
    return None


def _level(lvl) -> tuple[str, str, int, str, bool]:
    """A list level: (number format, text with %1…, start, what follows the number, isLgl)."""
    def val(tag: str, default: str) -> str:
        el = lvl.find(_W + tag)
        return el.get(_VAL, default) if el is not None else default

    suffix = {"nothing": "", "space": " "}.get(val("suff", "tab"), "\t")
    return val("numFmt", "decimal"), val("lvlText", ""), int_of(lvl, "start", 1) or 0, suffix, lvl.find(_W + "isLgl") is not None


class ListNumbers:
    """Word's automatic list numbers, printed before a paragraph's text as Word shows them: counters
    per abstract list (lists sharing one continue each other), restarted by a list's startOverride."""

    def __init__(self, doc) -> None:
        self.levels: dict[str, dict[int, tuple[str, str, int, str, bool]]] = {}  # abstract id -> ilvl -> _level()
        self.lists: dict[int, tuple[str, dict[int, int]]] = {}  # numId -> (abstract id, ilvl -> start override)
        self.styles: dict[str, tuple[object, str | None]] = {}  # style id -> (numPr, basedOn)
        self.default_style: str | None = None
        self.counters: dict[str, list[int | None]] = {}
        self.started: set[int] = set()
        try:
            self._load(doc.part.numbering_part.element, doc.styles.element)
        except Exception:  # no numbering part (python-docx cannot add one), or a damaged one: no list numbers
            self.lists = {}

    def _load(self, root, styles) -> None:
        for a in root.findall(_W + "abstractNum"):
            self.levels[a.get(_W + "abstractNumId", "")] = {int(lvl.get(_W + "ilvl", "0")): _level(lvl)
                                                            for lvl in a.findall(_W + "lvl")}
        for n in root.findall(_W + "num"):
            overrides = {int(o.get(_W + "ilvl", "0")): int_of(o, "startOverride") for o in n.findall(_W + "lvlOverride")}
            aid = n.find(_W + "abstractNumId")
            if aid is not None:
                self.lists[int(n.get(_W + "numId", "0"))] = (aid.get(_VAL, ""), {k: v for k, v in overrides.items() if v is not None})
        for s in styles.findall(_W + "style"):
            if s.get(_W + "type") == "paragraph":
                ppr, based = s.find(_W + "pPr"), s.find(_W + "basedOn")
                sid = s.get(_W + "styleId", "")
                self.styles[sid] = (ppr.find(_W + "numPr") if ppr is not None else None,
                                    based.get(_VAL) if based is not None else None)
                if s.get(_W + "default") in ("1", "true"):
                    self.default_style = sid

    def _num_pr(self, p) -> tuple[int | None, int | None]:
        ppr = p.find(_W + "pPr")
        own = ppr.find(_W + "numPr") if ppr is not None else None
        num_id, ilvl = int_of(own, "numId"), int_of(own, "ilvl")
        style = ppr.find(_W + "pStyle") if ppr is not None else None
        sid, seen = (style.get(_VAL) if style is not None else self.default_style), set()
        while num_id is None and sid in self.styles and sid not in seen:  # the style's list, or its base's
            seen.add(sid)
            npr, sid = self.styles[sid]
            num_id = int_of(npr, "numId")
            ilvl = int_of(npr, "ilvl") if ilvl is None else ilvl
        return num_id, ilvl or 0

    def label(self, p) -> str:
        if not self.lists:
            return ""
        num_id, ilvl = self._num_pr(p)
        if not num_id or num_id not in self.lists:
            return ""
        aid, overrides = self.lists[num_id]
        levels = self.levels.get(aid, {})
        if ilvl not in levels or not 0 <= ilvl < 9:
            return ""
        counters = self.counters.setdefault(aid, [None] * 10)
        if num_id not in self.started:
            self.started.add(num_id)
            for lvl, start in overrides.items():
                if 0 <= lvl < 10:
                    counters[lvl] = start - 1
        k = counters[ilvl]
        counters[ilvl] = levels[ilvl][2] if k is None else k + 1
        counters[ilvl + 1:] = [None] * (9 - ilvl)
        fmt, text, _, suffix, legal = levels[ilvl]
        if fmt == "bullet":
            return ""
        for ref in set(re.findall(r"%([1-9])", text)):  # each level's number in its own format (isLgl: decimal)
            lvl = int(ref) - 1
            f, _, start, _, _ = levels.get(lvl, ("decimal", "", 1, "", False))
            shown = list_number(counters[lvl] if counters[lvl] is not None else start, "decimal" if legal else f)
            if shown is None:
                return ""
            text = text.replace(f"%{ref}", shown)
        return text + suffix if text else ""
