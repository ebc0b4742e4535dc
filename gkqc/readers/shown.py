"""What a page shows of its HTML: elements it hides dropped, text it raises, lowers, strikes through
or prints white marked, the rows Word draws zero high dropped (for the HTML reader and Markdown's HTML
tables)."""

from __future__ import annotations

import re
from collections.abc import Callable

from gkqc.cells import STRUCK, as_raised, as_small, as_struck, as_unseen, is_value_like, normalize
from gkqc.readers import colours
from gkqc.readers.tokens import IN_NUMBER, SMALLER, Tok, _tok

_INLINE = {"span", "font", "sup", "sub", "small", "big", "b", "i", "em", "strong", "u", "s", "a", "ins", "mark"}
_SET_WORDS = ("isplay", "ISPLAY", "ertical-align", "ERTICAL-ALIGN", "ine-through", "INE-THROUGH", "isibility",
              "ISIBILITY", "ont-size", "ONT-SIZE", "pacity", "PACITY", "so-text-raise", "SO-TEXT-RAISE", "osition",
              "OSITION")  # in what _SET finds
_LENGTH = r"[+-]?(?:\d+\.?\d*|\.\d+)\s*(?:pt|px|em|ex|rem|cm|mm|in|%)?"
_SET = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*(?:hidden|collapse)"
    r"|(?<![\w-])(?:font-size|opacity)\s*:\s*0*\.?0+(?:[a-z%]+)?\s*(?=[;\"'}!]|$)"
    rf"|vertical-align\s*:\s*(?:super\b|sub\b|{_LENGTH})|mso-text-raise\s*:\s*{_LENGTH}"
    rf"|(?<![\w-])top\s*:\s*{_LENGTH}|text-decoration[\w-]*\s*:[^;\"']{{0,200}}line-through",
    re.IGNORECASE)
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)")
_BRACE = re.compile(r"[{}]")
_CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|\Z)|<!--|-->", re.DOTALL)  # (HTML's comment marks around a style's rules: none)
_ON_SCREEN = re.compile(r"\s*(?:only\s+)?(?:all|screen)\s*", re.IGNORECASE)  # a media query met by any screen
_CLASS_SELECTOR = re.compile(r"\s*[A-Za-z0-9]*\.([\w-]+)\s*")


_PAGE = ("html", "body")  # a page hidden whole until its scripts show it: read (there is nothing else)


def _drop_zero_height_rows(root) -> None:
    """A row of empty cells zero high is not printed (Word's HTML ends its tables with one, for columns
    that do not line up): dropped, or its empty cells would read as the table's blank values."""
    for tr in root.xpath("//tr[@height='0']"):
        if not "".join(tr.itertext()).strip():
            _drop(tr)


def _hide_hidden(root, hiding: _Hiding) -> None:
    """Elements with the `hidden` attribute are not shown: dropped, text and all (a hidden <td> is no cell)."""
    _drop_all([el for el in root.xpath("//*[@hidden]") if hiding.hides(el)])


_CELLS = ("td", "th", "tr", "tbody", "thead", "tfoot")  # a cell, a row of cells, a group of rows


class _Hiding:
    """What a page hides or leaves unseen, told apart: text in its tables' cells (a cell, a row of them,
    a digit beside a number) is always hidden; elsewhere (a block, a table, a layout table's cell around
    the report's tables: a tab, a loader its scripts show) it may be kept (`keep`). Notes whether it
    hid such a part holding text (`held`)."""

    def __init__(self, keep: bool) -> None:
        self.keep = keep
        self.held = False
        # each element looked at: (whether it is in or is a table's cell or a row of cells, whether it
        # is in or is a part hidden outside them), kept as found (each element's place is walked once)
        self.at: dict = {}

    def hides(self, el) -> bool:
        """Whether el, which the page hides or leaves unseen, is so read (not kept)."""
        parent = el.getparent()
        cell, covered = self._place(parent) if parent is not None else (False, False)
        cell = cell or self._cell(el)
        self.at[el] = (cell, covered or not cell)
        if cell:
            return True
        if not self.keep and not self.held and not covered:  # (text under a part looked at: looked at)
            self.held = any(t.strip() for t in el.itertext())
        return not self.keep

    def _place(self, el) -> tuple[bool, bool]:
        """el's (in a cell, in a part hidden outside the cells), from the nearest element around it
        already placed."""
        path = []
        while el is not None and el not in self.at:
            path.append(el)
            el = el.getparent()
        cell, covered = self.at[el] if el is not None else (False, False)
        for node in reversed(path):
            cell = cell or self._cell(node)
            self.at[node] = (cell, covered)
        return cell, covered

    @staticmethod
    def _cell(el) -> bool:
        """Whether el is a table's cell, a row or a group of rows (one holding a table is a layout table's)."""
        return el.tag in _CELLS and el.find(".//table") is None


_RANK = {"hidden": 0, "visibility": 1, "opacity": 1, "font-size": 1, "s": 2, "sup": 3, "sub": 3}


def _set_as(style: str) -> str | None:
    """What a CSS declaration block does to its text, the strongest of its declarations: hide it
    (`hidden`: display:none, no box at all), leave it unseen in its place (the property that does:
    `visibility` hidden or collapsed, a `font-size` or `opacity` of 0), strike it through (`s`), or
    raise or lower it (`sup`, `sub`: a footnote's mark, by vertical-align, Word's mso-text-raise, a
    relative position's top). Word's `mso-hide:all` alone hides nothing a browser shows."""
    found: list[str] = []
    for m in _SET.finditer(style):
        t = m.group(0).lower()
        name, _, value = t.partition(":")
        name, value = name.strip(), value.strip()
        if t.startswith("display"):
            found.append("hidden")
        elif name in ("visibility", "font-size", "opacity"):
            found.append(name)
        elif t.endswith("line-through"):
            found.append("s")
        elif value in ("super", "sub"):
            found.append("sup" if value == "super" else "sub")
        elif name != "top" or "relative" in style.lower():  # (top moves text off the line only in a relative box)
            amount = float(_NUMBER.match(value).group(0))
            if amount:
                found.append("sup" if (amount < 0) == (name == "top") else "sub")
    return min(found, key=_RANK.__getitem__) if found else None


def _apply_styles(root, rules: dict[str, str], hiding: _Hiding) -> None:
    """Text an element of any kind hides (display:none) is dropped, text it leaves unseen is emptied
    (`_unseen`) and text it strikes through is struck; text an inline element raises or lowers
    (vertical-align: super/sub) becomes <sup>/<sub> (and one it strikes, <s>): by its own style
    attribute, or by a class a <style> block sets so (LibreOffice's exports write Word's hidden and
    raised runs this way). The page's <html> and <body> are never hidden: a page hidden whole is
    shown by its scripts; nor is what `hiding` keeps."""
    classes = {c: what for c, body in rules.items() if (what := _set_as(body)) is not None}
    hidden = []
    for el in list(root.iter()):
        if not isinstance(el.tag, str) or el.tag in _PAGE:
            continue
        what = _set_as(el.get("style") or "")
        if what is None and classes:
            what = next((classes[c] for c in (el.get("class") or "").split() if c in classes), None)
        if what is None:
            continue
        if what == "hidden":
            if hiding.hides(el):
                hidden.append(el)
        elif what in _UNSEEN:
            if hiding.hides(el):
                _unseen(el, what, rules)
        elif el.tag in _INLINE:
            el.tag = what
        elif what == "s":  # (a block, a cell, a row: struck in place, its lines kept)
            _strike(el)
    _drop_all(hidden)


def _class_rules(root) -> dict[str, str]:
    """Each class a <style> block sets (`.x`, `span.x`), and its declarations (of every rule naming it):
    the rules in force on any screen, not those inside a conditional group (`@media print`, a screen's
    width, `@supports`, `@container`…) nor in a <style> for other media (`media="print"`)."""
    return _rules_by(root, _CLASS_SELECTOR, lambda name: name)


def _rules_by(root, selector: re.Pattern[str], key: Callable[[str], str]) -> dict[str, str]:
    """The declarations of the <style> blocks in force on any screen, by `key` of the name each selector
    that `selector` matches whole names (its group 1), every rule's for a name joined."""
    rules: dict[str, str] = {}
    for block in root.iter("style"):
        if (media := block.get("media")) is not None and not _on_screen(media):
            continue
        for selectors, body in _style_rules("".join(block.itertext())):
            for sel in selectors.split(","):
                if m := selector.fullmatch(sel):
                    name = key(m.group(1))
                    rules[name] = f"{rules.get(name, '')};{body}"
    return rules


def _style_rules(css: str) -> list[tuple[str, str]]:
    """The (selectors, declarations) of each style rule of a style sheet in force on any screen: at its
    top, or inside `@media all`/`@media screen` and `@layer` blocks only. Found by its braces, once
    each (linear in the sheet's length)."""
    css = _CSS_COMMENT.sub(" ", css)
    found: list[tuple[str, str]] = []
    opened: list[list] = []  # each block open: its prelude, where its body starts, what it holds is in
    # force, it holds a block
    start = 0  # where the text before the next brace starts
    for m in _BRACE.finditer(css):
        if m.group(0) == "{":
            prelude = css[start:m.start()].rsplit(";", 1)[-1].strip()  # (after an @import …; or @charset …;)
            if opened:
                opened[-1][3] = True
            here = opened[-1][2] if opened else True
            opened.append([prelude, m.end(), here and _in_force(prelude), False])
        elif opened:
            prelude, body, _, outer = opened.pop()
            if (opened[-1][2] if opened else True) and not outer and not prelude.startswith("@"):
                found.append((prelude, css[body:m.start()]))
        start = m.end()
    return found


_AT_RULE = re.compile(r"@([\w-]+)(.*)", re.DOTALL)


def _in_force(prelude: str) -> bool:
    """Whether the rules inside a block so opened hold on any screen: a style rule's (its nested rules,
    not placed here, are not read), `@media` for all or for screens, `@layer`; not another at-rule's."""
    if not (m := _AT_RULE.fullmatch(prelude)):
        return False  # (a rule nested in a style rule: its selector is relative to the outer one's)
    name = m.group(1).lower()
    return name == "layer" or (name == "media" and _on_screen(m.group(2)))


def _on_screen(media: str) -> bool:
    """Whether a media query list holds on any screen: one of its queries is `all` or `screen` alone."""
    return not media.strip() or any(_ON_SCREEN.fullmatch(q) for q in media.split(","))


def _strike(el) -> None:
    """el's text, and its descendants', struck through where it stands (CSS draws the line through all of it)."""
    stack = [el]
    while stack:
        node = stack.pop()
        node.text = as_struck(node.text) if node.text else node.text
        for child in node:
            if child is not el and child.tail:
                child.tail = as_struck(child.tail)
            if isinstance(child.tag, str):
                stack.append(child)


_UNSEEN = ("visibility", "font-size", "opacity")
_SHOWN_AGAIN = {"visibility": re.compile(r"visibility\s*:\s*visible", re.I),  # (opacity: no child shows again)
                "font-size": re.compile(r"font-size\s*:\s*(?:[1-9]|0*\.0*[1-9])[\d.]*\s*(?:pt|px|cm|mm|in|pc|rem)\b"
                                        r"|font-size\s*:\s*(?:x{0,2}-?small|medium|x{0,3}-?large)\b", re.I)}


def _unseen(el, prop: str, rules: dict[str, str]) -> None:
    """el's text unseen in its place (a cell keeps its place, empty), but for what a descendant shows
    again by setting `prop` back (visibility:visible, a font size of its own), by its style or a class
    (`rules`): CSS inherits both. (Walked with a stack: elements may nest as deep as the parser goes.)"""
    again = _SHOWN_AGAIN.get(prop)
    stack = [el]
    while stack:
        node = stack.pop()
        node.text = None
        for child in node:
            if not (isinstance(child.tag, str) and again is not None and _sets(child, again, rules)):
                stack.append(child)
            child.tail = None


def _sets(el, declared: re.Pattern[str], rules: dict[str, str]) -> bool:
    """Whether el's style, or a class of it, declares what `declared` finds."""
    return bool(declared.search(el.get("style") or "")) or any(
        declared.search(rules[c]) for c in (el.get("class") or "").split() if c in rules)


def _unprinted(root) -> None:
    """A <template>'s content is not shown, nor are ruby's fallback brackets (<rp>); ruby's annotation
    (<rt>) is printed over its text, as a raised mark."""
    _drop_all(list(root.iter("template", "rp")))
    for el in root.iter("rt"):
        el.tag = "sup"


_UNPRINTED = re.compile(r"<(?:template|rt|rp)\b", re.IGNORECASE)


def _drop_all(els: list) -> None:
    """Each of `els` (in document order) and its text out of the tree; the text after each stays, on
    the text before it. The tails are joined once: added one element after another, the text before
    grew by every tail (80,000 hidden elements in a row took over a minute)."""
    gone = set(els)
    onto: dict = {}  # a dropped element -> where its tail goes: (the element before it that stays, or its parent; "tail" / "text")
    pieces: dict[tuple, list[str]] = {}
    for el in els:
        parent, prev = el.getparent(), el.getprevious()
        if parent is None:
            continue
        onto[el] = onto.get(prev) or (parent, "text") if prev in gone else (prev, "tail") if prev is not None else (parent, "text")
        if el.tail:
            pieces.setdefault(onto[el], []).append(el.tail)
    for el in els:
        if (parent := el.getparent()) is not None:
            parent.remove(el)
    for (node, where), more in pieces.items():
        if where == "tail":
            node.tail = (node.tail or "") + "".join(more)
        else:
            node.text = (node.text or "") + "".join(more)


def _drop(el) -> None:
    """el and its text out of the tree; the text after it stays."""
    parent, prev = el.getparent(), el.getprevious()
    if parent is None:
        return
    if el.tail:
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def shown(root, text: str, keep_hidden: bool = False) -> bool:
    """`root` (the tree parsed from `text`) as the page shows it (the cheap looks at `text` first); with
    `keep_hidden`, what it hides or leaves unseen outside its tables' cells kept, as its scripts may
    show it. Whether it hid (not kept) such a part holding text."""
    rules = _class_rules(root) if "<style" in text or "<STYLE" in text else {}
    hiding = _Hiding(keep_hidden)
    if any(w in text for w in _SET_WORDS) and _SET.search(text):
        _apply_styles(root, rules, hiding)
    if "hidden" in text:
        _hide_hidden(root, hiding)
    if _UNPRINTED.search(text):
        _unprinted(root)
    if 'height="0"' in text or "height=0" in text:
        _drop_zero_height_rows(root)
    if _may_size(text):
        _mark_small(root, rules, _type_rules(root))
    if "olor" in text or "OLOR" in text:
        _whiten(root, rules)
    return hiding.held


_SIZED = re.compile(r"<(?:small|big|font)\b|(?<![\w-])font\s*:", re.IGNORECASE)  # what may size text (but font-size)


def _may_size(text: str) -> bool:
    """Whether a page may set a size on its text (a cheap look first: without `font`, `<small` or `<big`
    in any case it sets none)."""
    low = text.lower()
    if "font" not in low and "<small" not in low and "<big" not in low:
        return False
    return "font-size" in low or _SIZED.search(text) is not None
# a rule for a tag's name or for any element, alone: `.footer span` sizes only the spans inside .footer,
# which a page's cells are not known to be (a rule with a combinator is not followed)
_TYPE_SELECTOR = re.compile(r"\s*([A-Za-z][A-Za-z0-9]*|\*)\s*")
_FONT_SIZE = re.compile(r"(?<![\w-])font(-size)?\s*:\s*([^;\"'{}!]*)", re.IGNORECASE)
_SIZE = re.compile(r"([+-]?(?:\d+\.?\d*|\.\d+))\s*([a-z%]*)", re.IGNORECASE)
_MEDIUM = 16.0  # px: a browser's default size, of the page and of its keywords
_KEYWORD_PX = {"xx-small": 9.0, "x-small": 10.0, "small": 13.0, "medium": 16.0, "large": 18.0, "x-large": 24.0,
               "xx-large": 32.0, "xxx-large": 48.0}
_FONT_PX = (10.0, 13.0, 16.0, 18.0, 24.0, 32.0, 48.0)  # <font size=1> … <font size=7>
_UNIT_PX = {"px": 1.0, "": 1.0, "pt": 4 / 3, "pc": 16.0, "in": 96.0, "cm": 96 / 2.54, "mm": 96 / 25.4, "q": 96 / 101.6}
_BY_PARENT = {"em": 1.0, "%": 0.01, "ex": 0.5, "ch": 0.5}  # of the parent's size
_INLINE_TEXT = _INLINE | {"code", "abbr", "nobr", "label", "tt", "q", "cite", "dfn", "kbd", "samp", "var", "bdi",
                          "bdo", "data", "time"}  # text on the line of the text around it
_NOT_IN_NUMBER = {"sup", "sub", "s", "strike", "del"}  # raised, lowered or struck: no digit of a number beside it


def _type_rules(root) -> dict[str, str]:
    """The declarations a <style> block sets for elements by their tag's name alone (`td`, not `table td`)
    or for every element (`*`), as `_class_rules` (sizes are looked up so)."""
    return _rules_by(root, _TYPE_SELECTOR, str.lower)


def _mark_small(root, rules: dict[str, str], types: dict[str, str]) -> None:
    """Digits printed under SMALLER of the size of the largest digits of their number (IN_NUMBER
    characters in a row on a line, across inline elements) written ⸢so⸣ (`cells.as_small`: a cell
    holding them is unreadable), as Word's and PDF's readers do: a footnote's mark set small on the
    line (`12<small>3</small>`, `font-size:6pt`), not a digit of the number. Sizes by `_font_size`;
    a line ends at any element but inline ones. (Walked with a stack: elements may nest as deep as
    the parser goes.)"""
    line: list[tuple] = []  # the line's text so far: (element, "text" or "tail", its size in px or None)
    stack: list = [(root, _MEDIUM, False)]  # an element (or, once entered, its tail: a str), its size, its own line
    while stack:
        el, size, own = stack.pop()
        if isinstance(el, tuple):  # the element's end: its tail is its parent's text
            node, parent_size, own = el
            if own:
                _mark_line(line)
            if node.tail:
                line.append((node, "tail", parent_size))
            continue
        if not isinstance(el.tag, str) or el.tag in _NOT_IN_NUMBER or el.tag in _NOT_SHOWN:
            if isinstance(el.tag, str) and el.tag in _NOT_SHOWN:
                _mark_line(line)
            if el.tail:
                line.append((el, "tail", size))
            continue
        own = el.tag not in _INLINE_TEXT
        mine = _font_size(el, size, rules, types)
        if own:
            _mark_line(line)
        if el.text:
            line.append((el, "text", mine))
        stack.append(((el, size, own), None, False))
        stack.extend((child, mine, False) for child in reversed(el))
    _mark_line(line)


def _mark_line(line: list[tuple]) -> None:
    """A line's pieces (`_mark_small`) with the digits much smaller than their number's others marked
    (`cells.as_small`); the line emptied."""
    if not line:
        return
    chars = [(ch, size) for node, where, size in line for ch in getattr(node, where)]
    if len({size for _, _, size in line}) > 1 and any(ch.isdigit() for ch, _ in chars):
        small, at, n = _small_digits(chars), 0, 0  # (`n`: the small digits before this piece's)
        for node, where, _ in line:
            text = getattr(node, where)
            first = n
            while n < len(small) and small[n] < at + len(text):
                n += 1
            if n > first:
                setattr(node, where, _marked(text, {k - at for k in small[first:n]}))
            at += len(text)
    line.clear()


def _small_digits(chars: list[tuple[str, float | None]]) -> list[int]:
    """Where in `chars` (a line's characters and their sizes) a digit is under SMALLER of its number's
    largest digits (sizes not known take no part)."""
    small: list[int] = []
    k = 0
    while k < len(chars):
        j = k
        while j < len(chars) and chars[j][0] in IN_NUMBER:
            j += 1
        top = max((size for ch, size in chars[k:j] if size is not None and ch.isdigit()), default=0.0)
        small += [i for i in range(k, j) if chars[i][1] is not None and chars[i][0].isdigit()
                  and chars[i][1] < SMALLER * top]
        k = max(j, k + 1)
    return small


def _marked(text: str, at: set[int]) -> str:
    """`text` with the characters at `at` written ⸢so⸣, a run of them together."""
    out, k = [], 0
    while k < len(text):
        j = k
        while j < len(text) and (j in at) == (k in at):
            j += 1
        out.append(as_small(text[k:j]) if k in at else text[k:j])
        k = j
    return "".join(out)


def _font_size(el, parent: float | None, rules: dict[str, str], types: dict[str, str]) -> float | None:
    """el's font size in px (None: not known), from its parent's: as <small>, <big> and <font size>
    set it, then as the page's CSS does (for every element, for its tag, for its class, its style)."""
    size = parent
    if el.tag in ("small", "big"):
        size = None if parent is None else parent / 1.2 if el.tag == "small" else parent * 1.2
    elif el.tag == "font" and (n := (el.get("size") or "").strip()):
        size = _font_tag_size(n, size)
    bodies = [types.get("*"), types.get(el.tag)]
    bodies += [rules.get(c) for c in (el.get("class") or "").split()]
    for body in [*bodies, el.get("style")]:
        if body and (value := _declared_size(body)) is not None:
            size = _css_size(value, parent, size)
    return size


def _font_tag_size(n: str, size: float | None) -> float | None:
    """The size <font size=n> sets (1 to 7, or +n/-n from 3), or `size` where n is none of these."""
    try:
        k = int(n)
    except ValueError:
        return size
    k = 3 + k if n[0] in "+-" else k
    return _FONT_PX[min(max(k, 1), 7) - 1]


def _declared_size(body: str) -> str | None:
    """The font size a declaration block sets last (by font-size or the font shorthand), as written;
    None when it sets none."""
    value = None
    for m in _FONT_SIZE.finditer(body):
        if m.group(1):
            value = m.group(2).strip()
        else:  # font: [style weight …] size[/line-height] family
            words = m.group(2).replace("/", " / ").split()
            value = next((w for w in words if w.lower() in _KEYWORD_PX or w.lower() in ("smaller", "larger")
                          or (_SIZE.fullmatch(w) and _SIZE.fullmatch(w).group(2))), value)
    return value


def _css_size(value: str, parent: float | None, size: float | None) -> float | None:
    """The size in px a CSS font-size sets, from its parent's (`parent`); `size` where it is no size
    (a browser drops such a declaration); None where it is one not known (calc(), var())."""
    v = value.lower()
    if v in _KEYWORD_PX:
        return _KEYWORD_PX[v]
    if v in ("smaller", "larger", "inherit", "unset"):
        return None if parent is None else parent / 1.2 if v == "smaller" else parent * 1.2 if v == "larger" else parent
    if v == "initial":
        return _MEDIUM
    if not (m := _SIZE.fullmatch(v)):
        return None if "(" in v else size
    amount, unit = float(m.group(1)), m.group(2)
    if amount < 0:
        return size
    if unit in _BY_PARENT:
        return None if parent is None else parent * amount * _BY_PARENT[unit]
    if unit == "rem":
        return _MEDIUM * amount
    return amount * _UNIT_PX[unit] if unit in _UNIT_PX else size


_COLOR = re.compile(r"(?<![\w-])color\s*:\s*([^;\"'{}!]*)", re.IGNORECASE)
_GROUND = re.compile(r"(?<![\w-])background(?:-color)?\s*:\s*([^;\"'{}!]*)", re.IGNORECASE)
_NOT_SHOWN = {"head", "title", "script", "style", "noscript", "template", "select", "option", "button", "iframe"}


def _whiten(root, rules: dict[str, str]) -> None:
    """Text the page prints white (or nearly) or transparent, written ⟦so⟧ (`cells.as_unseen`: a cell
    holding it is unreadable), but where it stands on a dark ground: a background an element or one
    around it sets (by style, class or `bgcolor`), the nearest. Colour comes from an element's style,
    else its class, else a <font color>; both are inherited. (Walked with a stack: elements may nest
    as deep as the parser goes.)"""
    stack = [(root, False, False)]  # an element, and the colour around it: white text?, on a dark ground?
    while stack:
        el, white, dark = stack.pop()
        if (w := colours.white(_declared(el, _COLOR, rules, "color" if el.tag == "font" else None))) is not None:
            white = w
        if (d := colours.dark(_declared(el, _GROUND, rules, "bgcolor"))) is not None:
            dark = d
        unseen = white and not dark
        if unseen and el.text:
            el.text = as_unseen(el.text)
        for child in el:
            if unseen and child.tail:
                child.tail = as_unseen(child.tail)
            if isinstance(child.tag, str) and child.tag not in _NOT_SHOWN:
                stack.append((child, white, dark))


def _declared(el, declaration: re.Pattern[str], rules: dict[str, str], attribute: str | None) -> str | None:
    """The value el declares by `declaration` in its style (the last), else in a class of it, else its
    HTML attribute `attribute`; None when it sets none."""
    style = el.get("style")
    if style and (found := declaration.findall(style)):
        return found[-1]
    for c in (el.get("class") or "").split():
        if c in rules and (found := declaration.findall(rules[c])):
            return found[-1]
    return el.get(attribute) if attribute else None


_LINES = {"br", "p", "div", "li"}  # what starts a new line of a cell's text
_STARTS_PIECE = IN_NUMBER  # a line starting so continues a number's piece on the line before (`_texts`) …
_ENDS_PIECE = (IN_NUMBER - {"，"}) | frozenset("+-－−")  # … ending so: a digit, a separator, a sign (prose's ， not)


def cell_text(el) -> str:
    """A cell's text: <br> inside a label joins its parts (本年新<br/>制作数量), but never a number's
    pieces (`1<br/>2`, `<p>1</p><p>2</p>` and `<p>1</p>2` are not 12, nor `-<br>3` -3, `1,<br>234` 1234:
    a break stays in the text, and the cell reads as unreadable)."""
    if len(el) == 0:
        return el.text or ""
    parts: list[str] = []
    _texts(el, parts)
    return "".join(parts)


def _texts(el, parts: list[str]) -> None:
    """The text inside `el` in document order, a `<br>` kept where a line ending in a digit, a sign or
    a separator is followed by one starting with a digit or a separator (a line ends where a <br>,
    <p>, <div> or <li> starts or ends). Walked with a stack, not recursion (a cell
    may nest its inline elements as deep as the parser goes), and the last printed character kept as
    it goes (a cell may hold a great many parts)."""
    last = ""  # the last character of the last part that is not blank
    broken = False  # a line ended since that part

    def add(text: str | None) -> None:
        nonlocal last, broken
        if text and text.strip():
            if broken and last in _ENDS_PIECE and text.lstrip()[:1] in _STARTS_PIECE:
                parts.append("<br>")
            last, broken = (text.rstrip().replace(STRUCK, "") or last)[-1:], False
        parts.append(text or "")

    add(el.text)
    stack = [(el, iter(el))]
    while stack:
        node, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            if stack:
                broken = broken or node.tag in _LINES
                add(node.tail)
            continue
        if isinstance(child.tag, str):
            broken = broken or child.tag in _LINES
            if child.tag in _UNSHOWN:
                pass  # (a script, a style: no text of the page's)
            elif (shows := _control(child)) is not None:
                add(shows)
            elif child.tag in _STRUCK:
                add(as_struck("".join(child.itertext())))
            elif child.tag not in _RAISED:
                add(child.text)
                stack.append((child, iter(child)))
                continue
            else:
                add(as_raised("".join(child.itertext()), _RAISED[child.tag]))
        add(child.tail)


_UNSHOWN = {"script", "style", "noscript", "template", "title", "head"}  # (scripts run: <noscript> is not shown)
_EMBEDDED = {"img": "图片", "object": "嵌入对象", "embed": "嵌入对象", "iframe": "嵌入页面", "svg": "矢量图",
             "canvas": "画布", "video": "视频", "audio": "音频", "math": "公式", "button": "按钮", "select": "下拉框",
             "input": "输入框", "meter": "度量条", "progress": "进度条"}


_CONTROL = re.compile("〔(?:" + "|".join(sorted(set(_EMBEDDED.values()))) + ")(?:：[^〕]*)?〕")  # what `_control` writes


def cell_token(el, line: int) -> Tok:
    """A table cell's token: its text (`cell_text`); where it holds an image, a control or embedded
    content, the text beside them, refused (unreadable, saying what it holds): a browser shows a value
    no text gives (`<input value="28">`, an image), and the row's other cells stay readable."""
    text = cell_text(el)
    held = _CONTROL.findall(text)
    if not held:
        return _tok(text, line, True)
    tok = _tok(_CONTROL.sub("", text), line, True)
    tok.note, tok.refused = f"单元格中有{'、'.join(held)}：所显示的值无法从文字读出，不作猜测", True
    return tok


def beside_controls(text: str) -> str:
    """A cell's text (`cell_text`) without what `_control` wrote for its images and controls where the
    rest is a label's words (an icon before 规章); as it is where the rest is a value or nothing (the
    cell shows a value no text gives: unreadable)."""
    rest = _CONTROL.sub("", text)
    return rest if rest.strip() and not is_value_like(normalize(rest)) else text


def _control(el) -> str | None:
    """What a cell shows where it holds an image, a form's control or embedded content, as words no
    number or label holds (〔输入框：28〕): the cell then reads as unreadable, its raw text saying why,
    never as blank (the code before read none of it: `<input value="28">` was a blank cell). None for
    other elements, and for a hidden input (it shows nothing)."""
    kind = _EMBEDDED.get(el.tag)
    if kind is None or (el.tag == "input" and (el.get("type") or "").lower() == "hidden"):
        return None
    if el.tag == "select":
        chosen = next((o for o in el.iter("option") if o.get("selected") is not None), next(el.iter("option"), None))
        shown_as = "".join(chosen.itertext()).strip() if chosen is not None else ""
    else:
        shown_as = (el.get("value") if el.tag == "input" else el.get("alt")) or ""
    return f"〔{kind}：{shown_as.strip()[:40]}〕" if shown_as.strip() else f"〔{kind}〕"


_RAISED = {"sup": "superscript", "sub": "subscript"}
_STRUCK = {"s", "strike", "del"}  # printed struck through
