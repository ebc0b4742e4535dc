"""Reading one table cell: raw text -> value, unit and status. Blank is never 0."""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

from gkqc.limits import cached_when_short

# Cell statuses. `missing` cells were never found in the source.
OK, BLANK, UNREADABLE, MISSING = "ok", "blank", "unreadable", "missing"
# Values read with less than certainty, kept apart from `ok`: `ocr` (read from a page image, with
# the engine's confidence; it enters the checks only where the equations it takes part in hold)
# and `inferred` (a glued run of digits split by the row's printed total; the rule is the reason).
OCR, INFERRED = "ocr", "inferred"
STATUSES = (OK, BLANK, UNREADABLE, MISSING, OCR, INFERRED)  # every status, in the order grids code them (ok = 0)
VALUED = (OK, OCR, INFERRED)  # the statuses of a cell that has a value
# what a cell without printed text shows instead, by its status (a cell not read at all: missing)
NO_TEXT = {BLANK: "（空白）", UNREADABLE: "（无法读取）", MISSING: "（未找到）"}

BLANK_MARKS = frozenset({"", "-", "--", "—", "——", "―", "－", "/", "／", "\\", "无", "空", "_", "x", "X", "*"})
_NUM = re.compile(r"^([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?$")
# in 元; 万 is 万元 written short, 亿 亿元
_UNIT_SIZE = {"千万元": 10**7, "百万元": 10**6, "十万元": 10**5, "亿元": 10**8, "万元": 10**4, "千元": 1000, "百元": 100,
              "亿": 10**8, "万": 10**4, "元": 1}
AMOUNT_UNIT_WORDS = "万元|万|元"  # the units the readers split glued amounts at (crawls), as regex alternatives
AMOUNT_UNIT_NAMES = "|".join(_UNIT_SIZE)  # every unit an amount may be printed with, as regex alternatives
_UNIT = re.compile(rf"^(.*?)({'|'.join(_UNIT_SIZE)})$")
COUNT_UNITS = "件|个|项|条|次|人次"  # units a count may be printed with ('5件'), as regex alternatives
_COUNT_SUFFIX = re.compile(rf"^(.*?\d)({COUNT_UNITS})$")
AMOUNT_UNITS = ("万元", "元", "亿元", "千万元", "百万元", "十万元", "千元", "百元")  # the units an amount cell keeps (万 as 万元)

# characters NFKC folds into digits that no table prints as one: superscripts and subscripts (12¹,
# a footnote's mark), circled and other enclosed numbers (12①); a cell with one is not read as a number
_FOLDED_DIGITS = re.compile("[\u00b2\u00b3\u00b9\u2070-\u209f\u2460-\u24ff\u2776-\u2793\u3251-\u325f\u32b1-\u32bf]")
_RAISED = {"superscript": str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"), "subscript": str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")}


# Roman numerals (Ⅹ, ⅹ, Ⅻ …): NFKC folds Ⅹ into X, a blank mark; printed in a cell it is a number
_ROMAN = re.compile("[\u2160-\u2188]")


def has_folded_digits(text: str) -> bool:
    """Whether `text` holds a character NFKC would fold into a digit (12¹, 12①): a footnote's mark."""
    return bool(_FOLDED_DIGITS.search(text))


def as_raised(text: str, position: str) -> str:
    """Text a document sets as `position` (superscript, subscript), its digits written as the
    characters that print so: HTML's <sup>1</sup> and Word's raised runs keep their footnote marks."""
    return text.translate(_RAISED[position])


def as_struck(text: str) -> str:
    """Text a document strikes through, written so (each character with U+0336 over it): a digit
    struck out is no digit of the number beside it, and the cell cannot be read. (Struck once, if twice.)"""
    return "".join(ch if ch.isspace() else ch + STRUCK for ch in text.replace(STRUCK, ""))


STRUCK = "\u0336"  # combining long stroke overlay
UNSEEN = "⟦⟧"  # around text printed white or transparent: on white paper it shows nothing (see as_unseen)


def as_unseen(text: str) -> str:
    """Text a document prints white (or nearly) or transparent, written between ⟦ and ⟧: it shows on a
    dark ground only, if at all, so a cell holding it cannot be read (never as printed, never blank:
    a zero so printed shows nothing). Blank text is left as it is."""
    return f"{UNSEEN[0]}{text}{UNSEEN[1]}" if text.strip() else text

SMALL = "⸢⸣"  # around digits printed much smaller than their number's others: a footnote's mark (see as_small)


def as_small(text: str) -> str:
    """Digits a document prints much smaller than the other digits of their number, written between
    ⸢ and ⸣: a footnote's mark set small on the line, no digit of the number (the cell is unreadable)."""
    return f"{SMALL[0]}{text}{SMALL[1]}"

LOOKALIKES = frozenset("Oo〇零一二三四五六七八九十lI")  # a cell of one of these is a number misprinted or misread
_NUMERAL = "Oo〇零一二三四五六七八九十两壹贰叁肆伍陆柒捌玖拾lI"  # digits' lookalikes and Chinese numerals
_SPELLED = re.compile(rf"(?:约|共|近|逾|≈|~|～)?(?=[^{_NUMERAL}]*[{_NUMERAL}])[{_NUMERAL}百千万亿佰仟.]+"
                      r"(?:万元|元|件|个|项|条|次|人次)?")


def spelled_number(text: str) -> bool:
    """`text` (normalised) is a number spelled without a digit: '〇', 'O', '十二', '壹拾贰', '约十万元'
    (a unit alone, 万元, is none)."""
    return _SPELLED.fullmatch(text) is not None
DAMAGED = "\ufffd"  # what decoding leaves of a stray byte (see readers/decode.py)
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f]")  # C0 controls but tab and line breaks (\n \v \f \r)


def controls_damaged(text: str) -> str:
    """Control characters (NUL, ESC …) as DAMAGED: no text read from a file (a report, offices.csv) reaches
    a lake column, a terminal, HTML or CSV with them raw."""
    return _CONTROLS.sub(DAMAGED, text)

# Values are float64 in the lake: integers are exact only below 2**53 (~9.007e15), and the
# checks add up to ~90 cells. No real count or amount comes near 10^14, and 90 cells of at
# most 10^14 still sum exactly, so anything larger (or inf) is unreadable, never a value.
MAX_EXACT = 10**14


@dataclass(frozen=True, slots=True)
class CellValue:
    value: float | None
    status: str
    unit: str | None = None
    reason: str | None = None


# characters that print nothing, which editors leave beside a value (UEditor ends each with a zero-width
# space): zero-width space, non-joiner, joiner, word joiner and BOM; and after it a soft hyphen (before
# it, one may be a PDF's minus: WinAnsi's 0xAD)
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
_SOFT_HYPHEN = "\u00ad"


def _shown(t: str) -> str:
    """`t` (compacted) without the invisible characters at its ends, when it shows something; else `t`:
    a cell of invisible characters only stays what it was (no value, and no blank either)."""
    return t.lstrip(_INVISIBLE).rstrip(_INVISIBLE + _SOFT_HYPHEN) or t


def normalize(text: str) -> str:
    """NFKC (full-width digits, Kangxi radicals, brackets) and stripped."""
    return unicodedata.normalize("NFKC", text).strip()


@cached_when_short(maxsize=65536)
def is_value_like(text: str) -> bool:
    """True when a token reads as a cell value (number, number with unit, blank mark)."""
    # a cell with a stray byte in it still holds a value's place (and is read as unreadable)
    t = _shown("".join(text.split()).replace(DAMAGED, ""))
    if t in BLANK_MARKS:
        return True
    m = _UNIT.match(t) or _COUNT_SUFFIX.match(t)
    if m:
        t = m.group(1)
    return bool(_NUM.match(t))


def parse_number(text: str) -> float | None:
    """A plain number (sign, thousands separators, decimals; no exponent), else None.
    The result may be inf or beyond MAX_EXACT: check it with `out_of_range`."""
    m = _NUM.match(text)
    if not m:
        return None
    sign, whole, frac = m.groups()
    v = float(whole.replace(",", "") + (frac or ""))
    return -v if sign == "-" else v


def out_of_range(v: float, raw: str) -> CellValue | None:
    """The unreadable cell for a number beyond MAX_EXACT (or inf), else None."""
    if math.isfinite(v) and abs(v) <= MAX_EXACT:
        return None
    t = raw.strip()
    shown = t if len(t) <= 40 else f"{t[:30]}…（共{len(t)}个字符）"
    return CellValue(None, UNREADABLE, reason=f"数值超出可精确计算的范围（>10^14）：'{shown}'")


TWO_NUMBERS = re.compile(r"\d[.,，、]?\s+[+-]?\d")  # two runs of digits with a space between them ('1 5', '1.\t5')
_LEADING_ZERO = re.compile(r"[+-]?0[\d,]")  # '057', '0,579': no table prints a number so; two cells' digits run together


def _leading_zero(t: str, raw: str) -> CellValue | None:
    """The unreadable cell for a number written with a leading 0 (`t`: compacted, its unit cut), else None."""
    if not _LEADING_ZERO.match(t):
        return None
    return CellValue(None, UNREADABLE, reason=f"数字以0开头：'{raw.strip()}'，可能是两个单元格的数字连在一起，不作猜测")


def _absent(raw: str | None) -> tuple[CellValue | None, str]:
    """(a missing, blank, damaged or doubly valued cell's value, or None; the cell text compacted)."""
    if raw is None:
        return CellValue(None, MISSING, reason="未找到该单元格"), ""
    n = normalize(raw)
    t = _shown("".join(n.split()))
    if UNSEEN[0] in t:
        return CellValue(None, UNREADABLE, reason=f"单元格含白色或透明的文字（⟦⟧内，白底上看不见）：'{raw.strip()}'，"
                                                  "不作猜测 (white or transparent text)"), t
    if SMALL[0] in t:
        return CellValue(None, UNREADABLE, reason=f"单元格中有数字比同一数字的其他数字小得多（⸢⸣内，可能是注释标记，印在数字旁）："
                                                  f"'{raw.strip()}'，无法确定单元格的值，不作猜测"), t
    if DAMAGED in t:
        return CellValue(None, UNREADABLE, reason=f"单元格含无法解码的字节（显示为{DAMAGED}）：'{raw.strip()}'"), t
    if _ROMAN.search(raw):
        return CellValue(None, UNREADABLE, reason=f"单元格含罗马数字：'{raw.strip()}'，不作猜测 (a Roman numeral)"), t
    if has_folded_digits(raw):
        return CellValue(None, UNREADABLE, reason=f"单元格含上标、下标或带圈的数字（可能是注释标记）：'{raw.strip()}'，不作猜测"), t
    if TWO_NUMBERS.search(n):  # '1 5': two numbers in one cell, or one spaced out: not told apart
        return CellValue(None, UNREADABLE, reason=f"单元格内的数字之间有空格：'{raw.strip()}'，可能是两个数值，不作猜测"), t
    if t in BLANK_MARKS:
        return CellValue(None, BLANK, reason=f"空白单元格（{raw.strip() or '空'}），与0区分保存；检查中按 blank_cells 设置处理"), t
    return None, t


@cached_when_short(maxsize=65536)
def read_count(raw: str | None) -> CellValue:
    """A count cell (applications, reviews, active-disclosure counts)."""
    absent, t = _absent(raw)
    if absent is not None:
        return absent
    m = _COUNT_SUFFIX.match(t)
    t = m.group(1) if m else t
    v = parse_number(t)
    if v is None:
        return CellValue(None, UNREADABLE, reason=f"无法识别为数字：'{raw.strip()}'")
    return _leading_zero(t, raw) or out_of_range(v, raw) or CellValue(v, OK)


def read_amount(raw: str | None, header_unit: str | None, unit: str) -> CellValue:
    """An amount cell, normalised to `unit` (the template's, from the registry); the unit found
    (cell, else header) is kept. An amount printed without a unit is taken to be in `unit`."""
    absent, t = _absent(raw)
    if absent is not None:
        return absent
    m = _UNIT.match(t)
    found = header_unit
    if m:
        t, found = m.group(1), m.group(2)
    v = parse_number(t)
    if v is None:
        return CellValue(None, UNREADABLE, reason=f"无法识别为金额：'{raw.strip()}'")
    refused = _leading_zero(t, raw) or out_of_range(v, raw)  # the number as written, before any unit conversion
    if refused is not None:
        return refused
    if found is None:
        return CellValue(v, OK, None, f"未注明金额单位，按{unit}计")
    found = {"万": "万元", "亿": "亿元"}.get(found, found)
    if found not in _UNIT_SIZE:
        return CellValue(None, UNREADABLE, reason=f"表头所注金额单位“{found}”无法换算为{unit}（unknown unit）")
    # rounded to as many places as the conversion gives the printed decimals (85.9405元 is 0.00859405万元),
    # six at least: the product's float noise goes, no printed digit
    shift = max(0, round(math.log10(_UNIT_SIZE[unit] / _UNIT_SIZE[found])))
    return CellValue(round(v * (_UNIT_SIZE[found] / _UNIT_SIZE[unit]), max(6, _decimals(t) + shift)), OK, found)


def _decimals(t: str) -> int:
    """How many decimals a number (as `parse_number` reads it) prints."""
    m = _NUM.match(t)
    frac = m.group(3) if m else None
    return len(frac) - 1 if frac else 0


def unit_in_label(label: str) -> str | None:
    """The amount unit a header label declares, e.g. 本年收费金额（单位：万元）; one no amount can be
    converted from (美元) is returned as printed."""
    t = normalize(label)
    m = re.search(r"[(:：]\s*(?:单位[:：]?)?\s*([^\s():：,，]{0,3}元)\s*\)?", t)
    return m.group(1) if m else None
