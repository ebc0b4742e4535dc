"""Report metadata: title, year, publication date, issuing office, its region and kind."""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from gkqc.readers.sections import find_headings
from gkqc.readers.tokens import Tok

META_KEYS = ("索引号", "发文字号", "文号", "发文机构", "发布机构", "发文单位", "名称", "标题", "公文种类", "分类",
             "主题分类", "发布日期", "成文日期", "发布时间", "来源", "信息来源")
_KEYS = "(" + "|".join(r"\s*".join(k) for k in META_KEYS) + ")"
_KV = re.compile(r"^[-*•·]?\s*" + _KEYS + r"\s*:\s*(.*)$")
# another key on the line (成文日期:… 发布日期:…), after a space or a digit (looked behind: a run of spaces is not
# read again from each of its spaces)
_LATER_KEY = re.compile(r"(?:^|(?<=\s)|(?<=\d))" + _KEYS + r"\s*:")
_YEAR_IN_TITLE = re.compile(r"((?:19|20)\d{2}|一九[〇○零O0一二三四五六七八九]{2}|二[〇○零O0][〇○零O0一二三四五六七八九]{2})\s*年")
_REPORT_PHRASE = re.compile(r"(?:(?:19|20)\d{2}|[〇○零0O一二三四五六七八九]{4})\s*年度?|政府信息公开(?:工作)?(?:年度)?报告|年度报告"
                            r"|[《》\"“”]")
_CORRECTION_WORDS = "更正|修订|修正|更新|勘误"  # words a title adds to a corrected re-publication
EDITIONS = ("全文", "文字版", "图文版", "图解版", "全文版", "正文", "简版")  # （全文）: which form of the report, no office's name
_IN_BRACKETS = (r"[(（【\[][^()（）【】\[\]]*(?:", r")[^()（）【】\[\]]*[)）】\]]")
_DASHED = (r"[-—－_]\s*(?:", r")\S{0,2}$")
# what a title adds to the report's name: （更正）, 【更正】, （2023年5月更新）, （重新发布）, （2024-01-26）, （二〇二三年二月）,
# （全文）, -更正, .pdf, 附件1
_AMENDED = re.compile(_IN_BRACKETS[0] + _CORRECTION_WORDS + "|" + "|".join(EDITIONS) + r"|补充|发布|附件|第.{1,3}版|(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}"
                      + r"|[〇○零O0一二三四五六七八九]{4}\s*年\s*(?:元|[一二三四五六七八九十]{1,3})\s*月"
                      + _IN_BRACKETS[1] + r"|\s{0,8}" + _DASHED[0] + _CORRECTION_WORDS + _DASHED[1]
                      + r"|\.(?:pdf|docx?|wps|html?)$|^附件\s*\d*\s*[:：]?", re.I)
# a title that says it is a corrected re-publication (（更正）, 【修订】, （2023年5月更新）, （修订版）, （重新发布）,
# （更新于2023年3月1日）, （更正：第三部分数据）, -更正): that version outranks the one it corrects (gkqc.versions). In
# brackets the word ends what they hold, or begins it followed by a date, a clause or 稿/版 (not （青山市城市更新局）,
# （更新改造办公室）, （修订草案）, （更新时间：…）); written for Python's re and DuckDB's RE2 alike (RE2's \s is ASCII:
# the ideographic space is named)
_CORRECTION = "(?:" + _CORRECTION_WORDS + "|重新发布)"
_WIDE_SPACE = "\u3000"  # (in the pattern as the character: RE2 reads no \u escape)
CORRECTED = re.compile(r"[(（【\[][\s" + _WIDE_SPACE + "]*(?:已|再次)?" + _CORRECTION
                       + r"(?:[于：:，,、\d\s" + _WIDE_SPACE + "]|版|稿|后|说明)" + r"[^()（）【】\[\]]*[)）】\]]"
                       + r"|[(（【\[][^()（）【】\[\]]*?" + _CORRECTION + r"(?:版本|版|后|稿|本|说明)?[\s" + _WIDE_SPACE
                       + "]*[)）】\\]]"
                       + "|" + _DASHED[0] + _CORRECTION_WORDS + _DASHED[1])
# <title>: the page's title and the site's name, either first (青江县人民政府门户网站-…)
# (at most 8 spaces before a separator: a longer run would be tried again from each of its spaces)
_SITE_PARTS = re.compile(r"\s{0,8}[_|｜]\s*|\s{1,8}[-—－]\s+|(?:(?<=网)|(?<=站))\s*[-—－]\s*")
# …年度报告-青江县人民政府, …报告（更正）—青江县人民政府门户网站: a site's name glued after the report's by a dash
_SITE_AFTER = re.compile(r"(?<=[告)）】\]])\s{0,8}[-—－]\s*(?!\s*(?:" + _CORRECTION_WORDS + r"))[^-—－]*$")
_DATE = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_CN_DIGITS = {**dict.fromkeys("〇○零O0", 0), **{c: k for k, c in enumerate("一二三四五六七八九", 1)}}
_ISSUED = "(?:发布|公布)?"  # a date line may say it was published that day (2024年1月20日发布)
# a date in Chinese numerals (元月: January; 二0二四: a zero typed as a digit), for the readers that look for one
CN_DATE_BODY = r"([〇○零O0一二三四五六七八九]{4})年(元|[一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日"
_CN_DATE = re.compile("^" + CN_DATE_BODY + _ISSUED + "$")

_UNITS = ("特别行政区", "自治区", "自治州", "自治县", "自治旗", "地区", "林区", "特区", "街道", "省", "市", "州", "盟",
          "县", "旗", "区", "乡", "镇")
# Characters around a unit word that show it is part of an ordinary word (城乡, 市场, 社区…).
_NOT_UNIT_BEFORE = {"乡": "城", "区": "社园景校辖小片", "市": "城超都", "镇": "城乡"}
_NOT_UNIT_AFTER = {"市": "场政民容", "区": "域划", "县": "域", "乡": "村镇土", "镇": "区", "州": "市县区旗"}  # 杭州市: 州 is the name's
# …but an office's name after the unit shows it is the place's: 青山市政府, 青山市民政局 are 青山市's (no word 市政,
# 市民 reads on into 政府, 民政)
_UNIT_BEFORE = {"市": ("政府", "政务", "政法", "政协", "政数", "民政", "民族", "民宗", "民防")}
_GOV_SUFFIXES = ("人民政府", "政府", "行政公署", "行署")
_DEPT_SUFFIXES = ("局", "委员会", "委", "办公室", "办", "厅", "中心", "院", "所", "队", "处", "部", "会", "站", "馆",
                  "分局", "署", "集团", "公司", "学校", "大学", "研究室", "合作社", "联合社", "气象台")


def metadata_pairs(toks: list[Tok], limit: int = 400) -> dict[str, str]:
    """`key:value` metadata (索引号, 发文机构, 发布日期 …) from the first tokens; a key printed without
    its value takes the next line only when that line can be its value (`发文机构：` over the title is blank).
    A row of keys without values (`成文日期： | 发布日期：`) over a row of values takes them in order, when
    each is plainly its key's (a whole date, an office's name alone, no label of its own: not `更新时间 …`)
    and one at least is told by its value (a date, an office); else none of them. Keys on lines of
    their own, not a row's cells, take only what every layout gives them (`_keys_on_lines`)."""
    out: dict[str, str] = {}
    head = toks[:limit]
    keys = [_blank_key(t.text) for t in head]
    i = 0
    while i < len(head):
        m = _KV.match(head[i].text) if ":" in head[i].text else None
        if not m:
            i += 1
            continue
        *before, (key, value) = _pairs_on_line(m)
        for k, v in before:
            if v:
                out.setdefault(k, v)
        run = i
        while run < len(head) and keys[run]:  # a row of blank keys
            run += 1
        if run - i > 1:
            values = head[run:run + run - i]
            if not any(head[k].cell for k in range(i, run)):
                for k, v in _keys_on_lines(keys[i:run], values).items():
                    out.setdefault(k, v)
            elif len(values) == run - i and any(_told(keys[k]) for k in range(i, run)) \
                    and all(_plainly(keys[k], v.text) for k, v in zip(range(i, run), values, strict=True)):
                for k, v in zip(range(i, run), values, strict=True):
                    out.setdefault(keys[k], v.text)
            i = run
            continue
        blank = [k for k, v in before if not v]
        if not value and blank:  # 成文日期: 发布日期: on one line, the values after it: as keys on lines of their own
            for k, v in _keys_on_lines([*blank, key], head[i + 1:i + 2 + len(blank)]).items():
                out.setdefault(k, v)
        elif not value and i + 1 < len(head) and not _KV.match(head[i + 1].text) and _can_be(key, head[i + 1].text):
            value = head[i + 1].text
        if value:
            out.setdefault(key, value)
        i += 1
    return out


UNPAIRED = "日期无法配对"  # the key of why keys on lines of their own took no date (发布日期 among them)
_PUBLISHED_KEYS = ("发布日期", "发布时间")


def _keys_on_lines(keys: list[str], after: list[Tok]) -> dict[str, str]:
    """What keys printed on lines of their own (`成文日期：`, `发布日期：`, no row's cells) take of the lines
    after them. The page may print a column of keys beside a column of values (in order), or each key
    over its value with one dropped (the next key's value follows it), or values placed apart: the
    text does not say which. A date (an office's name) is a key's only when every reading gives it: one
    key of its kind and one such line, or as many lines as keys, all the same (a date's day: 2024-02-10 is
    2024年02月10日). Else none of that kind,
    and when 发布日期 is among them, the reason under `UNPAIRED`."""
    told = [k for k in keys if _told(k)]
    values: list[str] = []
    for t in after:
        if not any(_on_its_line(k, t.text) for k in told):
            break
        values.append(t.text)
    out: dict[str, str] = {}
    for kind in (_date_key, lambda k: k in _OFFICE_KEYS):
        ks = [k for k in told if kind(k)]
        vs = [v for v in values if any(_on_its_line(k, v) for k in ks)]
        if not ks or not vs:
            continue
        if len(_said(vs)) == 1 and (len(ks) == 1 or len(vs) == len(ks)):
            out.update(dict.fromkeys(ks, vs[0]))
        elif any(k in _PUBLISHED_KEYS for k in ks):
            out[UNPAIRED] = (f"{'、'.join(ks)}各占一行，其后的{'、'.join(vs)}无法确定各是哪一项的"
                             "（值可能未印出，或与各项次序不同），不作猜测")
    return out


_DATE_AND_TIME = re.compile(r"\s*(?:19|20)\d{2}-\d{1,2}-\d{1,2}\s+\d{1,2}:\d{2}(?::\d{2})?\s*")  # 2024-02-10 09:30


def _on_its_line(key: str, text: str) -> bool:
    """Whether a line after keys on lines of their own can be `key`'s: plainly (`_plainly`), or a date with its time."""
    return _plainly(key, text) or (_date_key(key) and bool(_DATE_AND_TIME.fullmatch(text)))


def _said(values: list[str]) -> set[object]:
    """What each value says: a date's day (2024-02-10 and 2024年02月10日 are one), else its text without spaces."""
    return {parse_date(v) or "".join(v.split()) for v in values}


def _date_key(key: str) -> bool:
    return key.endswith(("日期", "时间"))


def _pairs_on_line(m: re.Match[str]) -> list[tuple[str, str]]:
    """The (key, value) pairs of a `key:value` line, each key printed on it taking what follows it up to the
    next (`成文日期:2024-01-15 发布日期:2024-02-10`, `来源:… 发布时间:…`)."""
    key, rest, at, out = m.group(1), m.group(2), 0, []
    for later in _LATER_KEY.finditer(rest):
        out.append((key, rest[at:later.start()]))
        key, at = later.group(1), later.end()
    return [("".join(k.split()), v.strip()) for k, v in (*out, (key, rest[at:]))]


def _blank_key(text: str) -> str | None:
    """The key of a `key:` printed without its value."""
    m = _KV.match(text) if ":" in text else None
    return "".join(m.group(1).split()) if m and not m.group(2).strip() else None


_OFFICE_KEYS = ("发文机构", "发布机构", "发文单位", "来源", "信息来源")


def _told(key: str) -> bool:
    """Whether a value can be told to be `key`'s or not (a date, an office's name)."""
    return key.endswith(("日期", "时间")) or key in _OFFICE_KEYS


_A_LABEL = re.compile(r"[:：]|日期|时间|来源|索引号|文号|字号")


def _plainly(key: str, text: str) -> bool:
    """Whether a line of a row of values is plainly `key`'s: a whole date, an office's name alone, no label
    of its own (`更新时间 2023-03-01`, `信息来源：…`)."""
    if _date_key(key):
        return bool(_WHOLE_DATE.fullmatch(text) or _CN_DATE.match("".join(text.split())))
    if key in _OFFICE_KEYS:
        return office_name_alone(text)
    return bool(text) and not _A_LABEL.search(text) and not _TITLE_WORDS.search(text)


def _can_be(key: str, text: str) -> bool:
    """Whether a line can be the value of `key`: a date's a date, an office's an office's name."""
    if key.endswith(("日期", "时间")):
        return parse_date(text) is not None
    if key in _OFFICE_KEYS:
        return not _TITLE_WORDS.search(text) and named_like_an_office(text)
    return True


_TITLE_WORDS = re.compile(r"年度报告|政府信息公开(?:工作)?(?:年度)?报告")
WORD_TITLE = "word_title"  # the metadata's key of a Word file's Title property (not the page's <title>)
_NOT_TITLE = re.compile(r"[。，,；;！？]|通知$")  # a sentence naming the report, a notice that issues it
_GLUED_META = re.compile(r"[:：]")  # a field's name or value glued before a title (公文种类 :其他)
_FRONT_MATTER = re.compile(r"^(?:title\s*:|#{1,6})\s*", re.I)  # Markdown's YAML front matter, a heading's #


def find_title(toks: list[Tok], meta: dict[str, str]) -> str | None:
    """The report's title: the metadata's (名称, 标题, <meta ArticleTitle>), without the site's name;
    else the line naming the report before section 一. Of several that disagree (a page's list of
    other reports), the one the page's <title> names, else the last naming a year, nearest the body;
    none when section 一's opening names another year or only another line's office, when the
    signature is another line's office, or when a line nearer the body names an office but no year
    (the page's own title: the lines before it are links) and section 一 does not open with the
    chosen line's year, or that line names another office; nor when lines naming no year name several
    offices, the <title> nor the signature naming the chosen one's. Else the <title>'s part naming the report
    (or a Word file's Title property), unless section 一's year, the 落款's date or the signature contradicts
    it (a Title left from the file the document was copied from). A date printed on the title's line is
    no part of it."""
    for key in ("名称", "标题", "articletitle"):
        part = _report_part(meta.get(key))
        if part:
            return date_off(part) or part
    head = toks[:80]
    first = next((i for _, i in find_headings(head)), len(head))
    texts = [date_off(c) for c in (_FRONT_MATTER.sub("", t.text) for t in head[:first]) if _title_like(c)]
    # 20:32青江县…报告: a crawl's glued time before a line also printed clean (never an office's name)
    texts = [min((d for d in texts if c.endswith(d) and not _HAN.search(c[:len(c) - len(d)])), key=len) for c in texts]
    # a crawl's metadata glued before a line also printed clean (公文种类 :其他青江县…报告): the clean one
    texts = [o for o in texts if not any(o != c and o.endswith(c) and _GLUED_META.search(o[:-len(c)]) for c in texts)]
    texts = [c for c in texts if not any(o != c and o.endswith(c) for o in texts)]  # (the title without its office)
    listed = cands = [(c, _key(c)) for c in texts]
    for part in (1, 0):  # a title names its year (not a menu's 政府信息公开年度报告, a crawl's …年度报告首页)
        if any(k[part] for _, k in cands):
            cands = [(c, k) for c, k in cands if k[part]]
            break
    page = _report_part(meta.get("title"))
    core = None if page else _report_part(meta.get(WORD_TITLE))  # (a Word file's Title, where no page gives one)
    page = page or core
    page = page and (date_off(page) or page)
    opening = " ".join(t.text for t in head[first + 1:first + 6])
    sig, signed_on = closing_lines(toks)
    # lines naming an office but no year (not a crawl's …年度报告首页)
    dropped = [k[0] for c, k in listed if (c, k) not in cands and k[0] and named_like_an_office(k[0])]
    if len({k for _, k in cands}) <= 1 and not dropped:
        if cands:
            return cands[0][0]
        return page if page and not _contradicted(_key(page), opening, sig, signed_on if core else None) else None
    named = ([ck for ck in cands if page and ck[1] == _key(page)]  # (a menu item naming no office is not the page's)
             or [ck for ck in listed if page and ck[1][0] and ck[1] == _key(page)])
    title, (office, year) = chosen = (named or cands)[-1]
    others = {k[0] for _, k in listed if k[0] and k[0] != office}
    in_opening = {o for o in others if o in opening}
    if (year is not None and opening_year(opening) not in (None, year)) or (in_opening and (not office or office not in opening)):
        return None
    if sig and not same_office(office, sig) and any(same_office(o, sig) for o in others):
        return None
    yearless = [k[0] for _, k in listed if k[0] and k[1] is None and named_like_an_office(k[0])]
    if year is None and not named and any(not same_office(o, office) for o in yearless) and not same_office(office, sig):
        return None  # lines naming no year and other offices (the page's title, a 相关报告 box's link): which is it?
    nearer = [k[0] for _, k in listed[listed.index(chosen) + 1:] if k[0] and k[1] is None and named_like_an_office(k[0])]
    if year is not None and nearer and (opening_year(opening) != year or any(not same_office(o, office) for o in nearer)):
        return None
    return title


def _contradicted(key: tuple[str | None, int | None], opening: str, sig: str | None, signed_on: date | None) -> bool:
    """Whether a title not printed in the body (the page's <title>, a Word file's Title property) names
    another year than the one section 一 opens with, or another office than the signature's. With
    `signed_on` (a Word file's Title only, which may be left from last year's file), when section 一
    names no year, a 落款 not dated the year after the Title's year contradicts it too (a report is
    signed the year after the one it reports on); a page's <title> is the page's own."""
    office, year = key
    said = opening_year(opening)
    if year is not None and (said not in (None, year) or (said is None and signed_on and signed_on.year != year + 1)):
        return True
    if not (office and sig):
        return False
    its_general_office = government_office(sig) and office_kind(office) == "government" and region_of(sig) == region_of(office)
    return not same_office(office, sig) and not its_general_office


def same_office(a: str | None, b: str | None) -> bool:
    """Whether two names are one office's: the same, or one is the other with (more of) its place."""
    return bool(a and b) and (a == b or completes_place(a, b) or completes_place(b, a))


_DATE_WORDS = r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?|[〇○零O0一二三四五六七八九]{4}年(?:元|[一二三四五六七八九十]{1,3})月[一二三四五六七八九十]{1,3}日"
_DATE_LABEL_WORDS = r"(?:(?:发布|更新|成文|发文)?(?:时间|日期)\s*:?\s*)?"
_WEEKDAY = "(?:星期|周)[日天" + "".join(c for c, n in _CN_DIGITS.items() if 1 <= n <= 6) + "]"  # 星期五, 周日
_TIME_WEEKDAY = r"(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?(?:\s*" + _WEEKDAY + ")?"
# a date printed on a title's line, before or after it: 2023-02-10, 发布时间:2023-02-10 09:30, 2023年02月10日 星期五
_LINE_DATE = re.compile(r"^\s*" + _DATE_LABEL_WORDS + "(?:" + _DATE_WORDS + ")" + _TIME_WEEKDAY + r"\s+"
                        r"|\s*" + _DATE_LABEL_WORDS + "(?:" + _DATE_WORDS + ")" + _TIME_WEEKDAY + r"\s*$")


def date_off(text: str) -> str:
    """A title's line without a date printed before or after the title (its page's publication date)."""
    return _LINE_DATE.sub("", text).strip() if len(text) <= 200 else text


_HAN = re.compile(r"[\u4e00-\u9fff]")


def _key(title: str) -> tuple[str | None, int | None]:
    return office_from_title(title), title_year(title)


def _title_like(text: str) -> bool:
    return (len(text) <= 80 and bool(_TITLE_WORDS.search(text)) and not _KV.match(text)
            and not _NAVIGATION.search(text) and not _NOT_TITLE.search(text))


def _report_part(text: str | None) -> str | None:
    """The part of a page's title (or ArticleTitle) that names the report, not the site's name."""
    part = next((p for p in _SITE_PARTS.split(text) if _TITLE_WORDS.search(p)), None) if text else None
    site = _SITE_AFTER.search(part) if part else None
    if not site or _TITLE_WORDS.search(site[0]) or CORRECTED.search(site[0]):  # -（更正版）: a correction's mark
        return part
    return part[:site.start()]


# a page's navigation, which names other reports and the column: 首页 > … > 年度报告, 上一篇：…
_NAVIGATION = re.compile(r"[>＞›»]|^(?:上一篇|下一篇|相关|当前位置|您的位置|您现在的位置|首页)")


def title_year(title: str | None) -> int | None:
    """The year a title names, not the date of a correction in brackets (（2023年5月更新）)."""
    return year_from(_AMENDED.sub("", title or ""))


def year_from(text: str | None) -> int | None:
    """The year `text` names, in digits or in Chinese numerals (二〇二三年)."""
    m = _YEAR_IN_TITLE.search(text or "")
    return None if m is None else int("".join(str(_CN_DIGITS.get(c, c)) for c in m.group(1)))


_NAME_DATE = re.compile(r"(?:19|20)\d{2}\s*(?:[-/._]\s*\d{1,2}|年\s*\d{1,2}\s*月)(?:\s*[-/._]?\s*\d{1,2}\s*日?)?"
                        r"|[〇○零O0一二三四五六七八九]{4}\s*年\s*(?:元|[一二三四五六七八九十]{1,3})\s*月")


def name_year(path: str) -> int | None:
    """The year a file's own name names (`青山市教育局2022年报.pdf`), not its folders' (`2023年采集/`), nor a
    date in it (`（2023年1月20日发布）`, the day it was published or downloaded, not the report's year)."""
    return year_from(_NAME_DATE.sub(" ", re.split(r"[/\\]", path)[-1]))


_OPENING_YEAR = re.compile(r"(?<![与比较自至从于截])((?:19|20)\d{2})\s*年度?\s*[，,]|^\s*((?:19|20)\d{2})\s*年")


def opening_year(text: str | None) -> int | None:
    """The year section 一 reports on, as it opens the section or a sentence of it (`2022年，本机关…`):
    the one such year, or None when none or several are (a year compared with, `与2021年相比`, or
    since, `自2008年…`, is no report's year)."""
    years = {int(a or b) for a, b in _OPENING_YEAR.findall(text or "")}
    return years.pop() if len(years) == 1 else None


def parse_date(text: str | None) -> date | None:
    if not text:
        return None
    m = _DATE.search(text)
    if m:
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
    m = _CN_DATE.match("".join(text.split()))
    if m:
        y = int("".join(str(_CN_DIGITS[c]) for c in m.group(1)))
        return _cn_date(y, m.group(2), m.group(3))
    return None


def _cn_num(s: str) -> int:
    if s == "元":
        return 1
    if s == "十":
        return 10
    if s.startswith("十"):
        return 10 + _CN_DIGITS[s[1]]
    if s.endswith("十"):
        return _CN_DIGITS[s[0]] * 10
    if "十" in s:
        return _CN_DIGITS[s[0]] * 10 + _CN_DIGITS[s[2]]
    return _CN_DIGITS[s]


def _cn_date(y: int, mo: str, d: str) -> date | None:
    try:
        return date(y, _cn_num(mo), _cn_num(d))
    except (ValueError, KeyError):
        return None


_WHOLE_DATE = re.compile(r"\s*(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?\s*" + _ISSUED + r"\s*")
# a page's footer under the report (打印本页, 主办单位, ICP…), and a document's printing line (版记:
# `2024年3月1日印发`, the day it was printed, not signed): looked past for the 落款
_FOOTER = re.compile(r"版权所有|ICP|公网安备|主办单位|承办单位|网站标识码|打印本页|关闭窗口|技术支持|联系我们|网站地图|扫一扫|"
                     r"分享到|浏览次数|访问量|【打印】|【关闭】|日\s*印发$")


def closing_lines(toks: list[Tok]) -> tuple[str | None, date | None]:
    """(signature, date) from the report's last lines: the 落款 and its date (a weekday after it, or both
    on one line: `青山市教育局 2023年1月20日`), a line of the date alone (not `更新时间：…` in a page's footer, nor the end of a sentence, `2022年12月31日止。`, nor a
    form's labelled date after it, `统计截止日期 | 2023年12月31日`, `填报日期 | …`, `（数据统计截至）`); a
    page's footer after them (打印本页, 主办单位, ICP…) and a printing line (`2024年3月1日印发`) are
    looked past, and so is a date after a line of the page's footer, navigation or lists (上一篇, 相关信息,
    打印本页, 最新动态) that no office's name alone stands before (an item's date, the page's). The 落款 on
    the date's line is an office's name alone, before those lines (not `青山市教育局关于…的通知 2023-05-06`)."""
    end = len(toks)
    while end > 0 and end > len(toks) - 40 and (not toks[end - 1].text or _FOOTER.search(toks[end - 1].text)):
        end -= 1
    tail = [t for t in toks[max(0, end - 8):end] if t.text]
    chrome = next((k for k, t in enumerate(tail) if _page_chrome(t.text)), len(tail))
    for k in range(len(tail) - 1, -1, -1):
        text, before = tail[k].text, tail[k - 1].text if k > 0 else ""
        if len(text) > 60:  # (no date line, nor a 落款 with its date, is longer)
            continue
        text = _ONE_LINE_WEEKDAY.sub("", text)
        if (m := _SIGNED_ON_ONE_LINE.match(text)) and k < chrome and office_name_alone(m.group(1)):
            before, text = m.group(1), m.group(2)  # 青山市教育局 2023年1月20日: the 落款 and its date on one line
        d = parse_date(text) if _WHOLE_DATE.fullmatch(text) or _CN_DATE.match("".join(text.split())) else None
        if d and not _DATE_LABEL.search(before):
            signed = len(before) <= 30 and not before.endswith(("。", ".")) and named_like_an_office(before) \
                and not _TITLE_WORDS.search(before) and not _page_chrome(before)
            if k > chrome and not (signed and office_name_alone(before)):
                continue
            return (before if signed else None), d
    return None, None


def _page_chrome(text: str) -> bool:
    """A line of a page's footer or navigation (打印本页, 主办单位, 上一篇：…, 相关信息, 最新动态), not a sentence."""
    return (bool(_FOOTER.search(text)) or bool(_NAVIGATION.search(text)) or bool(_LIST_HEADING.fullmatch(text))) \
        and not text.endswith(("。", "."))


# the heading of a page's list of other items (最新动态, 推荐阅读, 热点新闻…)
_LIST_HEADING = re.compile(r"\s*[【\[]?(?:最新|推荐|热点|热门|延伸|扩展|猜你|往期|精彩|更多)\S{0,6}\s*")
# what names no office but a notice, a meeting or an event (…关于…的通知, 青山市召开…会议), or labels a line (信息来源：)
_NO_OFFICE_WORDS = re.compile(r"关于|通知|公告|通告|通报|会议|召开|举办|举行|开展|印发|转发|发布|来源|的|[:：\s]")


def office_name_alone(text: str) -> bool:
    """Whether a line is an office's name and nothing else (a 落款: 青山市教育局), not an item's title
    (青山市教育局关于…的通知, 青山市召开…会议), a labelled line (信息来源：…) or the page's chrome."""
    return len(text) <= 30 and office_kind(text) not in (None, "other") and not _NO_OFFICE_WORDS.search(text) \
        and not _TITLE_WORDS.search(text) and not _page_chrome(text)


_ONE_LINE_WEEKDAY = re.compile(r"\s*[(（]?" + _WEEKDAY + r"[)）]?\s*$")  # 2023年1月20日 星期五
_SIGNED_ON_ONE_LINE = re.compile(r"^(\S.*?\S)\s+((?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?)$")
_DATE_LABEL = re.compile(r"(?:日期|时间|截止|截至|期限)\s*[:：]?\s*[)）]?$")


def office_word(text: str) -> bool:
    """The word an office's name ends in, alone (局, 办公室, 委员会, 人民政府): no office of its own."""
    return text in _GOV_SUFFIXES or text in _DEPT_SUFFIXES or text in _GENERAL_OFFICES


def named_like_an_office(text: str) -> bool:
    """An area's name leads it, or it ends as an office's name does (not 无, nor a sentence without its full stop)."""
    return bool(text) and (bool(region_prefix(text)) or office_kind(text) != "other")


_NOTICE_ENDS = ("的公告", "的通知", "的通告")
_NOTICE_VERBS = ("印发", "公布", "发布", "公开")
_HEAD_BRACKET = re.compile(r"^\s*[【\[]([^【】\[\]]{2,40})[】\]]")  # 【青山市商务局】2022年…: the office, in brackets before the rest


def _unwrapped(title: str) -> str:
    """A title without what announces the report: 青山市财政局关于2022年…报告的公告 and 关于印发青山市司法局2022年…
    报告的通知 are the report's own title (青山市财政局2022年…报告, 青山市司法局2022年…报告), and
    【青山市商务局】2022年… names its office in brackets. (String steps, no pattern: a title may be long.)"""
    at = title.find("关于")
    if at >= 0 and title.endswith(_NOTICE_ENDS):
        rest = title[at + 2:-3]
        verb = next((v for v in _NOTICE_VERBS if rest.startswith(v)), "")
        title = title[:at] + rest[len(verb):]
    m = _HEAD_BRACKET.match(title)
    if m and named_like_an_office(m.group(1)):
        title = m.group(1) + title[m.end():]
    return title


def office_from_title(title: str | None) -> str | None:
    if not title:
        return None
    rest = _REPORT_PHRASE.sub("", _REPORT_PHRASE.sub("", _unwrapped(_AMENDED.sub("", date_off(title)))))  # 工作2022年度报告: twice
    rest = _stray_brackets_off(_EMPTY_PAIR.sub("", rest).strip(_SPARE))  # （2022年度） leaves （）
    if rest[:1] in ("(", "（") and rest[-1:] in (")", "）") and _depth(rest[1:-1]) == 0:
        rest = rest[1:-1].strip()  # （青江县）: the whole name in brackets
    return _OWN_LEVEL_TWICE.sub(r"\1本级", rest) or None


# 青山市2022年市本级…: with the year gone, the area's unit and the level's meet (青山市市本级 → 青山市本级)
_OWN_LEVEL_TWICE = re.compile(r"(市|县|区|州|旗)\1本级")


_BRACKETS = "()（）"
_EMPTY_PAIR = re.compile(r"[(（]\s*[)）]")


_SPARE = " ：:—－-_"  # what a title's office is trimmed of


def _stray_brackets_off(rest: str) -> str:
    """`rest` without the brackets left over at its ends from around the year, keeping one the name
    opens or one that closes the name's own （本级）; by positions, each bracket looked at once."""
    i, j, depth = 0, len(rest), _depth(rest)

    def trimmed(i: int, j: int) -> tuple[int, int]:
        while i < j and rest[i] in _SPARE:
            i += 1
        while j > i and rest[j - 1] in _SPARE:
            j -= 1
        return i, j

    while i < j and rest[i] in _BRACKETS and not (rest[i] in "(（" and depth - 1 < 0):
        depth -= 1 if rest[i] in "(（" else -1
        i, j = trimmed(i + 1, j)
    while i < j and rest[j - 1] in _BRACKETS and not (rest[j - 1] in ")）" and depth + 1 > 0):
        depth -= 1 if rest[j - 1] in "(（" else -1
        i, j = trimmed(i, j - 1)
    return rest[i:j]


def _depth(text: str) -> int:
    """Opening brackets less closing ones, full or half width."""
    return sum(text.count(c) for c in "(（") - sum(text.count(c) for c in ")）")


_QUALIFIER = re.compile(r"[(（][^()（）]*[)）]$")


# words before the area's name (中共青江县委…, 国家税务总局青山市税务局), and words no area's name holds
# (青山市公安局东城区分局: 东城区 is the bureau's branch, not part of the city's name)
_LEAD = re.compile(r"^(?:中国共产党|中共|国家税务总局)")
_NOT_PLACE = re.compile(r"政府|局|委|办|厅|部|公司|中心|管理|队|所|党")
_NOT_A_NAME = ("市", "县", "乡", "镇", "村")  # 青山市市区, 青江县村镇, 县乡: a word, not an area's name
_TOWN_AFTER = ("人民政府", "政府", "党委", "办事处")  # 东城镇人民政府: 城镇 ends a town's name, not the word 城镇
_TOWN_WORDS = "村镇土区"  # after 乡 or 镇, a word (乡村, 镇村, 乡镇, 乡土, 镇区), not a town's unit
_DETERMINERS = ("本", "全", "我", "该", "各", "此", "其")  # 本市, 全县, 我区: this (the whole) city, no place's name


@lru_cache(maxsize=65536)  # an office reports every year: names repeat
def _region_span(name: str) -> tuple[int, int]:
    """Where the administrative area's name is in an office name: (start, end)."""
    m = _LEAD.match(name)
    start = end = i = m.end() if m else 0
    while i < len(name):
        hit = None
        for j in range(i + 1, min(len(name), i + 12)):
            for u in _UNITS:
                if name.startswith(u, j):
                    before = name[j - 1]
                    after = name[j + len(u)] if j + len(u) < len(name) else ""
                    town = u in "乡镇" and j - 1 > i and (not after or name.startswith(_TOWN_AFTER, j + 1))
                    prefecture = u == "州" and j - i >= 2 and _a_word_at(name, j + 1)  # 恩施州市场…
                    if (before in _NOT_UNIT_BEFORE.get(u, "") and not town) or name[i:j] in _NOT_A_NAME \
                            or (after and not prefecture and _a_word_at(name, j + len(u) - 1, u)):
                        continue
                    hit = (j, u)
                    break
            if hit:
                break
        if hit and hit[1] == "州" and name[i:hit[0]] in _DETERMINERS and name.startswith(("乡", "镇"), hit[0] + 1) \
                and name[hit[0] + 2:hit[0] + 3] not in _TOWN_WORDS:
            hit = (hit[0] + 1, name[hit[0] + 1])  # 全州镇: a town's name (the whole prefecture has no 镇)
        elif hit and name[i:hit[0]] in _DETERMINERS:
            break  # 本市民政局, 青山市全市: no place
        if not hit or _NOT_PLACE.search(name, i, hit[0]):
            break
        end = i = hit[0] + len(hit[1])
    return (start, end) if end > start else (0, 0)


def _a_word_at(name: str, k: int, unit: str | None = None) -> bool:
    """Whether the character after `name[k]` (the unit word `unit`, else that character) makes it part of
    a word, not an area's unit: 杭州市 (州 before 市), 市场, 区域, 县域; not 青山市政府 (an office after the unit)."""
    u = unit or name[k:k + 1]
    after = name[k + 1:k + 2]
    return bool(after) and after in _NOT_UNIT_AFTER.get(u, "") and not name.startswith(_UNIT_BEFORE.get(u, ()), k + 1)


def completes_place(short: str | None, full: str | None) -> bool:
    """Whether `full` is the office `short` names with (more of) its place before it: `full` ends
    with `short`, and what it adds stands within its area's name (市教育局 → 青山市教育局, 教育局 →
    青山市教育局, 东城区教育局 → 青山市东城区教育局; not 中共青山市教育局, not 青山市人民政府教育局). A
    name naming its own place takes only whole places before it (江苏省青山市教育局, not 无青山市教育局:
    a crawl's section 六 answering 无 glued before its 落款)."""
    if not short or not full or len(full) <= len(short) or not full.endswith(short):
        return False
    added = len(full) - len(short)
    if _region_span(short)[1]:
        return _region_span(full[:added]) == (0, added)
    start, end = _region_span(full)
    return start == 0 and end >= added


def region_prefix(name: str) -> str:
    """The administrative area an office name begins with (宿迁市宿城区教育局 -> 宿迁市宿城区,
    中共青江县委办公室 -> 青江县)."""
    start, end = _region_span(name)
    return name[start:end]


_TOWNS = ("乡", "镇", "街道")


def office_kind(office: str | None) -> str | None:
    """government (a government's own report) | department | township | other."""
    if not office:
        return None
    office = _QUALIFIER.sub("", office) or office  # 青江县（本级） is a government
    start, end = _region_span(office)
    region, rest = office[start:end], office[end:]
    if region and (not rest or rest in _GOV_SUFFIXES or rest == "本级"):  # 青山市本级: the city's own report
        return "township" if region.endswith(_TOWNS) else "government"
    if rest.endswith("街道办事处") or (region.endswith("街道") and rest == "办事处") \
            or (rest.startswith(_GOV_SUFFIXES) and rest.endswith(_TOWNS)):  # 青江县人民政府东城镇
        return "township"
    if rest.endswith(_DEPT_SUFFIXES):
        return "department"
    return "other"


def government_office(office: str | None) -> bool:
    """A government's general office (青江县人民政府办公室, 青山市政府办公厅), which signs its government's
    report as well as its own."""
    if not office:
        return False
    start, end = _region_span(office)
    return end > 0 and office[end:] in _GENERAL_OFFICES


_GENERAL_OFFICES = {g + o for g in _GOV_SUFFIXES for o in ("办公室", "办公厅", "办")}


def region_of(office: str | None) -> str | None:
    """The region an office's name begins with, without the spaces a printed name may hold (a crawl's title
    wrapped inside it: 中共 青山市委… is 青山市's, not ' 青山市')."""
    if not office:
        return None
    region = "".join(region_prefix(office).split())
    return region or None
