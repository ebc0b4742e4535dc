"""One-line crawls: a page's textContent, the whole report on one or a few long lines.

The text is cut only where a cut can be told without guessing: the six section headings;
before them the title and `key:value` metadata; in sections 二, 三 and 四 the known table
labels (template registry) and the values between them; after the last section the closing
signature and date. A run of values printed without a separator stays one token
(`GluedRun`): label_rows.py splits it once the row's column count is known, and only when the
split is provably unique.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from gkqc.cells import AMOUNT_UNIT_NAMES, AMOUNT_UNIT_WORDS, COUNT_UNITS, LOOKALIKES, has_folded_digits
from gkqc.readers import metadata as md
from gkqc.readers.metadata import CN_DATE_BODY, META_KEYS
from gkqc.readers.sections import SHORT
from gkqc.readers.tokens import Tok, nfkc
from gkqc.templates import drawn_from_registry, norm_label, registry

_LONG_LINE = 200  # a crawl line holds whole sections: page text and PDF text lines are short


@dataclass(slots=True, eq=False)
class SplitWork:
    """The steps spent splitting one crawl's glued runs (glued.py), shared by all its runs: that
    work is bounded per document, not only per row."""

    steps: int = 0


@dataclass(slots=True)
class GluedRun(Tok):
    """Values printed without a separator (`640020470`): one token until the row is known.
    `work`: its document's split work."""

    work: SplitWork | None = field(default=None, compare=False, repr=False)


# ------------------------------------------------------------------ telling a crawl
@drawn_from_registry()
def _heading_re() -> re.Pattern[str]:
    """A section heading inside running text: numeral, separator, a few label characters (no
    digits, no sentence end, no other ordinal) and one of that section's label variants; a short
    variant (sections.SHORT: 其他事项) right after the separator only, its end not being seen here."""
    lead = r"(?:(?![一二三四五六七八九十][、.,:])[^\d。;!?]){0,24}?"
    branches = []
    for s in registry().sections:
        ordered = sorted(s.variants, key=len, reverse=True)
        variants = "|".join(re.escape(v) for v in ordered if len(v) >= SHORT or v == s.label)
        branches.append(rf"{s.no}[、.,:]{lead}(?:{variants})")
        if short := "|".join(re.escape(v) for v in ordered if len(v) < SHORT and v != s.label):
            branches.append(rf"{s.no}[、.,:](?:{short})")
    return re.compile("|".join(branches))


def _headings_in(compact: str) -> list[re.Match[str]]:
    """Section heading matches (the numeral is the match's first character)."""
    return list(_heading_re().finditer(compact))


def is_crawl(text: str) -> bool:
    """True when the text is a crawl that kept a page's text on one or a few long lines: a long
    line holding two section headings, or at most 30 lines holding three, one of them long."""
    if max(map(len, text.splitlines()), default=0) < _LONG_LINE:  # the common case, without a loop
        return False
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not any(len(ln) >= _LONG_LINE for ln in lines):
        return False
    seen: set[str] = set()
    long_heading = False
    for ln in lines if len(lines) <= 30 else [ln for ln in lines if len(ln) >= _LONG_LINE]:
        found = {m.group(0)[0] for m in _headings_in(norm_label(ln))}
        if len(ln) >= _LONG_LINE:
            if len(found) >= 2:
                return True
            long_heading = long_heading or bool(found)
        seen |= found
    return long_heading and len(seen) >= 3 and len(lines) <= 30


# ------------------------------------------------------------------ the text, normalised
_NORM: dict[str, str] = {}


class _View:
    """The text NFKC-normalised character by character (`full`, whitespace as one space), the
    same without spaces (`comp`), and maps back to raw offsets: labels are found in `comp`
    (they may be printed with spaces inside), values in `full` (spaces separate them)."""

    def __init__(self, text: str):
        self.text = text
        full: list[str] = []
        fpos = array("q")
        for i, ch in enumerate(text):
            n = _NORM.get(ch)
            if n is None:
                n = _NORM[ch] = "".join(" " if c.isspace() else c for c in unicodedata.normalize("NFKC", ch))
            full.append(n)
            fpos.extend([i] * len(n))
        self.full = "".join(full)
        self.fpos = fpos
        self.cpos = array("q", (i for i, c in enumerate(self.full) if c != " "))
        self.comp = "".join(self.full[i] for i in self.cpos)
        self.line_starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]
        self.work = SplitWork()

    def span(self, cs: int, ce: int) -> tuple[int, int]:
        """`comp` span -> `full` span."""
        return self.cpos[cs], self.cpos[ce - 1] + 1

    def ci(self, fi: int) -> int:
        """The first `comp` index at or after `full` index fi."""
        return bisect_right(self.cpos, fi - 1)

    def tok(self, fs: int, fe: int, kind: type[Tok] = Tok) -> Tok | None:
        while fs < fe and self.full[fs] == " ":
            fs += 1
        while fe > fs and self.full[fe - 1] == " ":
            fe -= 1
        if fs >= fe:
            return None
        rs, re_ = self.fpos[fs], self.fpos[fe - 1] + 1
        raw = self.text[rs:re_].strip()
        line = bisect_right(self.line_starts, rs)
        text, at = nfkc(raw), rs - self.line_starts[line - 1] + 1
        if kind is GluedRun:
            return GluedRun(text, raw, line, at=at, work=self.work)
        return Tok(text, raw, line, at=at)

    def words(self, fs: int, fe: int, cuts: list[int] = ()) -> list[Tok]:
        """Tokens of a text stretch: cut at whitespace and at the `full` offsets in `cuts` (each
        word looks up only its own cuts: a stretch may hold a great many of both)."""
        cuts = sorted(cuts)
        out = []
        for m in _WORD.finditer(self.full, fs, fe):
            ws, we = m.start(), m.end()
            edges = [ws, *cuts[bisect_right(cuts, ws):bisect_left(cuts, we)], we]
            out += [t for a, b in zip(edges, edges[1:], strict=False) if (t := self.tok(a, b))]
        return out


_WORD = re.compile(r"\S+")


# ------------------------------------------------------------------ the parts of a crawl
def _cut_points(pattern: re.Pattern[str], v: _View, fs: int, fe: int) -> list[int]:
    cs, ce = v.ci(fs), v.ci(fe)
    return [v.cpos[m.start()] for m in pattern.finditer(v.comp, cs, ce)]


_KEY = re.compile("(?:" + "|".join(sorted(META_KEYS, key=len, reverse=True)) + ")(?=:)")
_TITLE_END = "年度报告"
_TITLE_CHARS = re.compile(r"[\u4e00-\u9fff\d()《》“”\"〇]")
_TITLE_STOPS = ("报告", "年报", "正文", "专栏", "详情", "首页", "栏目", "位置",
                "星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日", "星期天")  # (a date line: …日星期六)
_YEAR = re.compile(r"(?:19|20)\d{2}")


def _title_span(v: _View, cs: int, ce: int) -> tuple[int, int] | None:
    """The report title among the page chrome (`comp` span): the first run of title characters
    ending in 年度报告 that names a year, cut after any breadcrumb word before it, and at a space
    before a word that is none of the title's (`_joins_title`)."""
    at = v.comp.find(_TITLE_END, cs, ce)
    while at >= 0:
        end = at + len(_TITLE_END)
        limit = at - 60
        start = at if _spaced(v, at) else _word_start(v, cs, at, limit)
        while _spaced(v, start) and limit < (s := _word_start(v, cs, start, limit)) < start \
                and _joins_title(v.comp[s:start], v.comp[start:end]):
            start = s
        if _YEAR.search(v.comp, start, end):
            return start, end
        at = v.comp.find(_TITLE_END, end, ce)
    return None


def _word_start(v: _View, cs: int, i: int, limit: int) -> int:
    """Where the title characters before `comp` index i start: back to a space between words, a
    breadcrumb word, any other character, cs or `limit`."""
    while i > cs and i > limit and _TITLE_CHARS.match(v.comp[i - 1]) and not v.comp.endswith(_TITLE_STOPS, cs, i):
        i -= 1
        if _spaced(v, i):
            break
    return i


def _spaced(v: _View, i: int) -> bool:
    """A space before `comp` index i that parts two words (not one of a name printed a character
    at a time, `青 山 市`)."""
    def gap(k: int) -> bool:
        return 0 < k < len(v.cpos) and v.cpos[k] - v.cpos[k - 1] > 1

    return gap(i) and not ((i == 1 or gap(i - 1)) and (i + 1 == len(v.cpos) or gap(i + 1)))


def _joins_title(word: str, rest: str) -> bool:
    """Whether `word`, a space before `rest` (the title after it), is the title's: its year, its
    office's name, or its office's place — not a site's name, a menu, breadcrumb words or a date line
    before a title that names its office (政务公开 青山市交通运输局…), nor words naming no office."""
    if md.title_year(rest) is None and _YEAR_WORD.fullmatch(word):
        return True
    office = md.office_from_title(rest)
    if office and md.named_like_an_office(office):
        if md.region_prefix(office):  # an office named with its place: nothing before it is its name's, but
            return word in ("中共", "中国共产党") and office.startswith(md.region_prefix(office))  # a party's (中共 青山市委…)
        whole, place = word + office, md.region_prefix(word)
        if md.office_word(office):  # wrapped inside its name (青山市交通运输 局)
            return bool(md.region_prefix(whole)) and md.named_like_an_office(whole)
        # its place (青山市 交通运输局), or its place and the first characters of its name (青山市交 通运输局)
        if not place or any(ch in _PLACE_WORDS for ch in place[:-1]):  # (区县动态: no place's name)
            return False
        return place == word or (len(word) - len(place) <= 3 and not md.named_like_an_office(word[len(place):])
                                 and md.named_like_an_office(whole))
    whole = md.office_from_title(word + rest)
    return whole is None or md.named_like_an_office(whole)


_YEAR_WORD = re.compile(r"(?:19|20)\d{2}(?:年度?)?")
_PLACE_WORDS = "省市县区乡镇"  # a place's kind: its name before it holds none (区县动态, 乡镇之窗: column words)


def _chrome(v: _View, fs: int, fe: int) -> tuple[list[Tok], str | None]:
    """Page chrome, metadata and title before section 一, and the title; the title first (find_title
    takes the first token naming 年度报告, and a breadcrumb ending in …年度报告 must not be it)."""
    cuts = _cut_points(_KEY, v, fs, fe)
    title = _title_span(v, v.ci(fs), v.ci(fe))
    if title is None:
        return v.words(fs, fe, cuts), None
    ts, te = v.span(*title)
    head = v.tok(ts, te)
    return [head] + v.words(fs, ts, cuts) + v.words(te, fe, cuts), head.text


_SUBHEADING = re.compile(r"\([一二三四五六七八九十]{1,3}\)")


def _narrative(v: _View, fs: int, fe: int) -> list[Tok]:
    return v.words(fs, fe, _cut_points(_SUBHEADING, v, fs, fe))


def _table_in(no: str) -> str:
    """The table kind section `no` prints ('' for a section without a national table)."""
    reg = registry()
    return next((t for t in reg.tables if reg.section_no(t) == no), "")


@drawn_from_registry()
def _label_re(table: str) -> re.Pattern[str] | None:
    """The registry's printed labels of `table` (any template), longest first; None for ''."""
    reg = registry()
    words = reg.printed_words(table)
    if not words:
        return None
    alts = "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)) if w)
    block = f"{reg.block_heading}|" if reg.axes(table)[:1] == ("block",) else ""  # a table in blocks
    # a sub-row's number (1.属于国家秘密) belongs to its label, not to the values before it (in a
    # table whose rows print one: elsewhere '518.' before a label is a value)
    number = r"(?:\d[.、])?" if reg.numbered(table) else ""
    return re.compile(rf"{number}(?:{block}{alts})")


_NUM = rf"[-+]?\d[\d,]*(?:\.\d+)?(?:{AMOUNT_UNIT_WORDS})?(?![.、][^\d\s])(?![)）])"
BLANK_MARK = r"[-—–―/]{1,2}"  # a dash or slash printed for a blank cell (one or two)
# a symbol printed against a number after a space ('−20', '<20', '≈20', '#20') is part of its cell, which
# then reads as unreadable, as in every other form: never the number without it (a label's own last
# character, '“三安全一稳定”', touches the values only in a crawl without spaces)
_SYMBOL_BEFORE = r"(?:(?<=\s)[^\s\w(（)）\-—–―/+]+)?"
_NUMBERING = re.compile(r"[一二三四五六七八九十]{1,3}[、.,:]|[(（][一二三四五六七八九十\d]{1,3}[)）]|\d[.、](?=[\u4e00-\u9fff])")
# 无 printed for a blank cell, glued to the values around it (64无无2无470): a mark where a value, a
# mark, a space or the next row's numbering follows it, never the first character of a word (无法提供)
_NONE = rf"无(?=[\d\s无]|{BLANK_MARK}|$|{_NUMBERING.pattern})"
_MARK = rf"(?:{BLANK_MARK}|{_NONE})"
_VALUES = re.compile(rf"{_SYMBOL_BEFORE}(?<![(（\d]){_NUM}(?:\s*(?:{_NUM}|{_MARK}))*|{_MARK}(?:\s*(?:{_NUM}|{_MARK}))*")
_NUMBER = re.compile(rf"[-+]?\d+(?:[,.]\d+)*(?:{AMOUNT_UNIT_WORDS})?")
_NOT_WORDING = re.compile(rf"{_NUMBER.pattern}|{BLANK_MARK}")  # numbers and blank marks
_UNIT_WORD = re.compile(f"{COUNT_UNITS}|{AMOUNT_UNIT_NAMES}")  # a unit a space after its number ('488 件', '120000 元')
_PREFIX = re.compile(r"[\u4e00-\u9fff]?|[(（]-?")  # wording or a bracket before a number ('约5', '(-2)')
_BRACKETS = str.maketrans("", "", "()（）")
MAX_WORDED = 3  # characters besides the number in a value printed with wording ('428次', '5%', '1e3')


def _worded(v: _View, fs: int, fe: int, signed: bool = False) -> list[tuple[int, int, bool]]:
    """Spans of one cell printed with wording beside its number — a unit touching it or after a
    space ('428次', '488 件'), a note ('约5', '5%', '1e3', '3(含1件)', '1.234.567') —: one cell,
    read whole, never its number alone nor its digits split into cells; so is, in a table with a column
    that may be negative (`signed`), a dash glued after digits and the number a space after it ('12- 3':
    the dash may be its sign, `- 3`; elsewhere it is a blank's mark, '3— 3'). A unit after
    a space behind values glued together ('—1200 百元', '3251000 元') is theirs: a glued run, whose
    cells cannot be told (True); so is one touching values glued with blanks printed 无 ('00无/000件'). A row's numbering touching a value ('0二、', '0(三)') is not wording."""
    words = [(w.start(), w.end(), w.group(0)) for w in _WORD.finditer(v.full, fs, fe)]
    out: list[tuple[int, int, bool]] = []
    for k, (ws, we, w) in enumerate(words):
        if out and out[-1][1] > ws:  # (the word after a dash, taken with it)
            continue
        if _marked(v.text[v.fpos[ws]:v.fpos[we - 1] + 1]):
            out.append((ws, we, False))
            continue
        if signed and _DASH_AFTER_DIGITS.search(w) and k + 1 < len(words) and words[k + 1][2][:1].isdigit():
            out.append((ws, words[k + 1][1], False))
            continue
        numbering = _NUMBERING.search(w)
        if numbering:  # the next row's numbering and label: the word's own part ends there
            w, we = w[:numbering.start()], ws + numbering.start()
        number = _NUMBER.search(w)
        if number is None:
            continue
        rest = _NOT_WORDING.sub("", w)
        if set(rest) == {"无"}:  # values and blank cells printed 无, glued (64无无2无470): `_values`' run
            continue
        noted = rest and len(rest.translate(_BRACKETS)) <= MAX_WORDED and _PREFIX.fullmatch(w[:number.start()])
        if noted and "无" in rest and _UNIT_WORD.fullmatch(rest.replace("无", "")):
            out.append((ws, we, True))  # and a unit too (00无/000件): no value with wording, a glued run
            continue
        if noted or number.group(0).count(".") > 1:  # '1.234.567': no number either
            out.append((ws, we, False))
        elif not rest and not numbering and k + 1 < len(words) and _UNIT_WORD.fullmatch(words[k + 1][2]):
            out.append((ws, words[k + 1][1], number.group(0) != w))
    return out


_DIGITS = re.compile(r"[-+]?[\d,.]*\d")
_DASH_AFTER_DIGITS = re.compile(r"\d[-—–―]$")


def _marked(raw: str) -> bool:
    """A number with a footnote's mark against it ('499⑴', '12①'): one cell. NFKC prints ⑴ as '(1)',
    which would read as the next row's numbering."""
    m = _DIGITS.match(raw)
    return m is not None and m.end() < len(raw) and all(has_folded_digits(ch) for ch in raw[m.end():])


def _gap(v: _View, fs: int, fe: int, numbered: bool = False, signed: bool = False) -> list[Tok]:
    """Between two labels: values, any cell printed with wording beside its number (one cell,
    see `_worded`) and any other text. In a table whose rows print a number (`numbered`), an
    ordinal standing apart before text ('5. 属于', '3 .危及', '二 .上年结转') is the next row's
    numbering: label text, never a value nor a cell. `signed`: the table has a column that may be negative."""
    whole = v.full[fs:fe].strip()
    out: list[Tok] = []
    at = fs
    for m in _SPACED_NUMBERING.finditer(v.full, fs, fe + 2) if numbered else ():  # (the text after it: the label's)
        if m.end() > fe:
            break
        out += _cells(v, at, m.start(), whole, signed)
        if (tok := v.tok(m.start(), m.end())) is not None:
            out.append(tok)
        at = m.end()
    return out + _cells(v, at, fe, whole, signed)


_SPACED_NUMBERING = re.compile(r"(?<!\S)(?:\d{1,2}|[一二三四五六七八九十]{1,3}) ?[.、,:](?= ?[\u4e00-\u9fff])")


def _cells(v: _View, fs: int, fe: int, whole: str, signed: bool = False) -> list[Tok]:
    """_gap's values and cells printed with wording, from fs to fe."""
    out: list[Tok] = []
    at = fs
    for ws, we, glued in _worded(v, fs, fe, signed):
        out += _values(v, at, ws, whole)
        tok = v.tok(ws, we, GluedRun if glued else Tok)
        if tok is not None:
            tok.cell = not glued  # a cell of its own: it keeps its place in the row even when unreadable
            out.append(tok)
        at = we
    return out + _values(v, at, fe, whole)


def _values(v: _View, fs: int, fe: int, whole: str) -> list[Tok]:
    """Values (each whitespace-separated part a token; a part of several characters a GluedRun)
    and any other text. A run of marks alone ('/') is a value only when the whole gap is that run."""
    out: list[Tok] = []
    at = fs
    for m in _VALUES.finditer(v.full, fs, fe):
        if not any(c.isdigit() for c in m.group(0)) and m.group(0).strip() != whole:
            continue
        out += _lookalike_cells(v.words(at, m.start()))
        for w in _WORD.finditer(v.full, m.start(), m.end()):
            t = v.tok(w.start(), w.end(), GluedRun if w.end() - w.start() > 1 else Tok)
            if t:
                out.append(t)
        at = m.end()
    return out + _lookalike_cells(v.words(at, fe))


def _lookalike_cells(words: list[Tok]) -> list[Tok]:
    """A word that is one number lookalike ('O', '〇', '零') is a cell, printed or read wrong: it keeps
    its place in the row (unreadable), never taken for label text."""
    for t in words:
        if t.text in LOOKALIKES:
            t.cell = True
    return words


def _table(v: _View, labels: re.Pattern[str], fs: int, fe: int, numbered: bool, signed: bool) -> list[Tok]:
    out: list[Tok] = []
    at = fs
    for m in labels.finditer(v.comp, v.ci(fs), v.ci(fe)):
        ls, le = v.span(m.start(), m.end())
        out += _gap(v, at, ls, numbered, signed)
        out.append(v.tok(ls, le))
        at = le
    return out + _gap(v, at, fe, numbered, signed)


_DATE = re.compile(r"(?:19|20)\d{2}年\d{1,2}月\d{1,2}日|" + CN_DATE_BODY)
_SENTENCE_END = "。!?;"
_SPAN_START = ("截至", "截止", "至", "自", "从", "到", "于")  # words before a date that is part of a sentence
_SPAN_END = ("止", "起", "前", "以来", "期间", "至", "到", "的")  # …and after it
# what follows a date that opens or goes on in a sentence (2023年1月5日，我局…; …会2023年1月5日审议通过。)
_READS_ON = re.compile(r"[，,、]|[^\s【\[(（]{1,30}?[。；;]")


def _closing(v: _View, fs: int, fe: int, office: str | None) -> tuple[int, list[Tok]]:
    """The report's close in the last section: (where it starts, [signature, date, the rest of
    the page as one token]); (fe, []) when no date follows a signature-like line. A date a sentence
    goes on after (`2023年1月5日，我局…`, `本报告经局长办公会2023年1月5日审议通过。`) is none, unless an
    office's name signs it (the title's office, its 办公室, a government's 办公室: the text after it is
    the page's, `附件：…。`); after such a date, only a date an office's name signs is.
    `office`: the one the title names (`_signed`)."""
    passed = False
    for m in _DATE.finditer(v.comp, v.ci(fs), v.ci(fe)):
        ds, de = v.span(m.start(), m.end())
        k = ds
        while k > fs and v.full[k - 1] == " ":
            k -= 1
        s = k
        while s > fs and v.full[s - 1] not in _SENTENCE_END and v.full[s - 1] != " " and k - s <= 40:
            s -= 1
        sig = v.full[s:k]
        if k - s > 40 or any(c.isdigit() for c in sig) or sig.endswith(_SPAN_START) \
                or v.full[de:de + 2].lstrip().startswith(_SPAN_END):
            continue  # a date inside a sentence (数据截至2022年12月31日。), no signature's
        cut = _signed(sig, office)
        signer = bool(office) and sig[cut:].endswith(office) or _an_office(sig[cut:])
        if _READS_ON.match(v.full, de) and (v.full[de:de + 1] in "，,、" or not signer):
            passed = True
            continue
        if passed and not signer:
            continue  # (a dated item of the page's lists after the report: 推荐阅读…通知2023年5月6日)
        s += cut
        return s, [t for t in (v.tok(s, k), v.tok(ds, de), v.tok(de, fe)) if t]
    return fe, []


def _an_office(name: str) -> bool:
    """A 落款: an office's name alone, its place first (青山市人民政府办公室), no sentence's nor item's words."""
    return bool(md.region_prefix(name)) and md.office_name_alone(name)


_NONE_SAID = ("暂无", "无")  # section 六's whole answer, which a crawl without spaces glues to the 落款


def _signed(sig: str, office: str | None) -> int:
    """Where the 落款 starts in `sig` (the text back from its date to a sentence's end, a space or
    section 六's heading): at the title's office when what `sig` has before it is no place of it
    (本机关无其他需要报告的事项青山市交通运输局) or may be section 六's 无 (无青山市交通运输局: 无 and 青山市…, or a
    place 无青山市); 0 when `sig` is that office, or completes its place beyond doubt, or no title names one."""
    said = next((w for w in _NONE_SAID if sig.startswith(w)), "")
    rest = sig[len(said):]
    if said and office and rest.startswith(office) and md.office_word(rest[len(office):]):
        return len(said)  # (a place's own report, signed by its government: 无青山市人民政府 under 青山市2023年…)
    if not office or sig == office or not sig.endswith(office):
        return 0
    cut = len(sig) - len(office)
    if not md.completes_place(office, sig) or (said and (rest == office or md.completes_place(office, rest))):
        return cut
    return 0


def crawl_tokens(text: str) -> list[Tok]:
    """Tokens of a crawl: chrome and title, then each section's heading and body, the close."""
    v = _View(text)
    heads: list[tuple[str, int, int]] = []
    numerals = registry().numerals
    for m in _headings_in(v.comp):  # in text order, each numeral after the one before it
        no = m.group(0)[0]
        if not heads or numerals.index(no) > numerals.index(heads[-1][0]):
            heads.append((no, *v.span(m.start(), m.end())))
    if not heads:
        return _narrative(v, 0, len(v.full))
    out, title = _chrome(v, 0, heads[0][1])
    ends = [h[1] for h in heads[1:]] + [len(v.full)]
    for (no, hs, he), end in zip(heads, ends, strict=True):
        out.append(v.tok(hs, he))
        close: list[Tok] = []
        if end == len(v.full):
            end, close = _closing(v, he, end, md.office_from_title(title))
        table = _table_in(no)
        labels = _label_re(table)
        reg = registry()
        out += (_narrative(v, he, end) if labels is None
                else _table(v, labels, he, end, reg.numbered(table), reg.signed(table)))
        out += close
    return out
