"""Colours a page (CSS, HTML attributes) or a Word file sets text and its ground in: text white (or
nearly) or transparent is seen on a dark ground only, if at all (shown.py, word.py)."""

from __future__ import annotations

import colorsys
import re

_WHITE = 245  # text at least this light (luma, over white paper) does not show on white
_DARK = 200  # a ground darker than this (luma) shows white text
# the named colours a report may set, as hex; another name is a colour that is neither white nor known dark
_NAMED = {
    "white": "ffffff", "snow": "fffafa", "ghostwhite": "f8f8ff", "whitesmoke": "f5f5f5", "mintcream": "f5fffa",
    "ivory": "fffff0", "floralwhite": "fffaf0", "azure": "f0ffff", "aliceblue": "f0f8ff", "honeydew": "f0fff0",
    "seashell": "fff5ee", "lightyellow": "ffffe0", "lightcyan": "e0ffff", "linen": "faf0e6", "oldlace": "fdf5e6",
    "lavenderblush": "fff0f5", "cornsilk": "fff8dc", "beige": "f5f5dc", "lemonchiffon": "fffacd",
    "gainsboro": "dcdcdc", "lightgray": "d3d3d3", "lightgrey": "d3d3d3", "silver": "c0c0c0", "yellow": "ffff00",
    "black": "000000", "gray": "808080", "grey": "808080", "dimgray": "696969", "dimgrey": "696969",
    "darkgray": "a9a9a9", "darkgrey": "a9a9a9", "red": "ff0000", "darkred": "8b0000", "maroon": "800000",
    "brown": "a52a2a", "firebrick": "b22222", "crimson": "dc143c", "orangered": "ff4500", "green": "008000",
    "darkgreen": "006400", "olive": "808000", "teal": "008080", "darkcyan": "008b8b", "seagreen": "2e8b57",
    "blue": "0000ff", "mediumblue": "0000cd", "darkblue": "00008b", "navy": "000080", "midnightblue": "191970",
    "royalblue": "4169e1", "steelblue": "4682b4", "purple": "800080", "indigo": "4b0082", "magenta": "ff00ff",
    "fuchsia": "ff00ff", "darkslategray": "2f4f4f", "darkslategrey": "2f4f4f", "darkslateblue": "483d8b",
    "cyan": "00ffff", "aqua": "00ffff", "lime": "00ff00", "darkmagenta": "8b008b",
    "darkyellow": "808000",  # (Word's highlight names, w:highlight, are these too, in camel case)
}
_NO_COLOUR = {"", "inherit", "initial", "unset", "revert", "currentcolor", "auto", "none"}
_HEX = re.compile(r"#?([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})")
_FUNCTION = re.compile(r"(rgba?|hsla?)\(([^)]*)\)")
_TOKEN = re.compile(r"#[0-9a-f]{3,8}\b|(?:rgba?|hsla?)\([^)]*\)|[a-z]+")


def _rgba(value: str) -> tuple[float, float, float, float] | str | None:
    """(red, green, blue 0–255, alpha 0–1) of one colour value; "other" for a colour not placed (a
    name not in _NAMED, a system colour); None for none (inherit, auto…)."""
    v = value.strip().lower()
    if v in _NO_COLOUR:
        return None
    if v == "transparent":
        return 0.0, 0.0, 0.0, 0.0
    v = _NAMED.get(v, v)
    if m := _HEX.fullmatch(v):
        h = m.group(1)
        if len(h) <= 4:
            h = "".join(ch * 2 for ch in h)
        alpha = int(h[6:8], 16) / 255 if len(h) == 8 else 1.0
        return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16), alpha
    if m := _FUNCTION.fullmatch(v):
        return _function(m.group(1), m.group(2)) or "other"
    return "other"


def _function(name: str, args: str) -> tuple[float, float, float, float] | None:
    """rgb(…), rgba(…), hsl(…), hsla(…): commas or spaces between, an alpha after `/` or a fourth."""
    parts = [p for p in re.split(r"[\s,/]+", args.strip()) if p]
    if len(parts) not in (3, 4):
        return None
    try:
        alpha = _amount(parts[3], 1.0) if len(parts) == 4 else 1.0
        if name.startswith("rgb"):
            r, g, b = (_amount(p, 255.0) for p in parts[:3])
        else:
            hue = float(parts[0].removesuffix("deg")) / 360 % 1
            r, g, b = (c * 255 for c in colorsys.hls_to_rgb(hue, _amount(parts[2], 1.0), _amount(parts[1], 1.0)))
    except ValueError:
        return None
    return r, g, b, min(max(alpha, 0.0), 1.0)


def _amount(text: str, full: float) -> float:
    """A number, or a percentage of `full`."""
    return float(text[:-1]) / 100 * full if text.endswith("%") else float(text)


def _luma(c: tuple[float, float, float, float]) -> float:
    """How light a colour prints over white paper (0 black – 255 white), its alpha blended."""
    r, g, b, a = c
    return 255 - a * (255 - (0.299 * r + 0.587 * g + 0.114 * b))


def white(value: str | None) -> bool | None:
    """Whether text of this colour is white (or nearly) or transparent: unseen on white; None when the
    value sets no colour (the text keeps the colour around it)."""
    c = _rgba(value or "")
    return None if c is None else c != "other" and _luma(c) >= _WHITE


def dark(value: str | None) -> bool | None:
    """Whether a ground (a CSS background, a Word shading or highlight) is dark enough to show white
    text: its first colour (`background: #1f3864 url(…)`); None when it lays none (none, transparent:
    the ground around it shows). An image or a gradient without a colour of its own is not told: not
    dark (white text on it may not show)."""
    v = (value or "").strip().lower()
    if _HEX.fullmatch(v):  # (Word's fill, an HTML attribute's: the hex digits alone)
        v = "#" + v.lstrip("#")
    image = bool(_IMAGE.search(v))
    for token in _TOKEN.findall(_IMAGE.sub(" ", v)):
        if token[0].isalpha() and token not in _NAMED and token != "transparent" and not token.endswith(")"):
            continue  # (the shorthand's other words: no-repeat, center…)
        c = _rgba(token)
        if c is None or (c != "other" and c[3] == 0):
            continue
        return c != "other" and _luma(c) < _DARK
    return False if image else None


_IMAGE = re.compile(r"[\w-]*gradient\((?:[^()]|\([^()]*\))*\)|url\([^)]*\)")
