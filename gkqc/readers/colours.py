"""Colours a page (CSS, HTML attributes) or a Word file sets text and its ground in: text white (or
nearly) or transparent is seen on a dark ground only, if at all (shown.py, word.py)."""

from __future__ import annotations

import colorsys
import re

_WHITE = 245  # text at least this light (luma, over white paper) does not show on white
_DARK = 200  # a ground darker than this (luma) shows white text
_NAMED = {  # CSS's named colours (CSS Color 4, §6.1: all 148), as hex
    "aliceblue": "f0f8ff", "antiquewhite": "faebd7", "aqua": "00ffff", "aquamarine": "7fffd4", "azure": "f0ffff",
    "beige": "f5f5dc", "bisque": "ffe4c4", "black": "000000", "blanchedalmond": "ffebcd", "blue": "0000ff",
    "blueviolet": "8a2be2", "brown": "a52a2a", "burlywood": "deb887", "cadetblue": "5f9ea0", "chartreuse": "7fff00",
    "chocolate": "d2691e", "coral": "ff7f50", "cornflowerblue": "6495ed", "cornsilk": "fff8dc", "crimson": "dc143c",
    "cyan": "00ffff", "darkblue": "00008b", "darkcyan": "008b8b", "darkgoldenrod": "b8860b", "darkgray": "a9a9a9",
    "darkgreen": "006400", "darkgrey": "a9a9a9", "darkkhaki": "bdb76b", "darkmagenta": "8b008b",
    "darkolivegreen": "556b2f", "darkorange": "ff8c00", "darkorchid": "9932cc", "darkred": "8b0000",
    "darksalmon": "e9967a", "darkseagreen": "8fbc8f", "darkslateblue": "483d8b", "darkslategray": "2f4f4f",
    "darkslategrey": "2f4f4f", "darkturquoise": "00ced1", "darkviolet": "9400d3", "deeppink": "ff1493",
    "deepskyblue": "00bfff", "dimgray": "696969", "dimgrey": "696969", "dodgerblue": "1e90ff",
    "firebrick": "b22222", "floralwhite": "fffaf0", "forestgreen": "228b22", "fuchsia": "ff00ff",
    "gainsboro": "dcdcdc", "ghostwhite": "f8f8ff", "gold": "ffd700", "goldenrod": "daa520", "gray": "808080",
    "green": "008000", "greenyellow": "adff2f", "grey": "808080", "honeydew": "f0fff0", "hotpink": "ff69b4",
    "indianred": "cd5c5c", "indigo": "4b0082", "ivory": "fffff0", "khaki": "f0e68c", "lavender": "e6e6fa",
    "lavenderblush": "fff0f5", "lawngreen": "7cfc00", "lemonchiffon": "fffacd", "lightblue": "add8e6",
    "lightcoral": "f08080", "lightcyan": "e0ffff", "lightgoldenrodyellow": "fafad2", "lightgray": "d3d3d3",
    "lightgreen": "90ee90", "lightgrey": "d3d3d3", "lightpink": "ffb6c1", "lightsalmon": "ffa07a",
    "lightseagreen": "20b2aa", "lightskyblue": "87cefa", "lightslategray": "778899", "lightslategrey": "778899",
    "lightsteelblue": "b0c4de", "lightyellow": "ffffe0", "lime": "00ff00", "limegreen": "32cd32", "linen": "faf0e6",
    "magenta": "ff00ff", "maroon": "800000", "mediumaquamarine": "66cdaa", "mediumblue": "0000cd",
    "mediumorchid": "ba55d3", "mediumpurple": "9370db", "mediumseagreen": "3cb371", "mediumslateblue": "7b68ee",
    "mediumspringgreen": "00fa9a", "mediumturquoise": "48d1cc", "mediumvioletred": "c71585",
    "midnightblue": "191970", "mintcream": "f5fffa", "mistyrose": "ffe4e1", "moccasin": "ffe4b5",
    "navajowhite": "ffdead", "navy": "000080", "oldlace": "fdf5e6", "olive": "808000", "olivedrab": "6b8e23",
    "orange": "ffa500", "orangered": "ff4500", "orchid": "da70d6", "palegoldenrod": "eee8aa", "palegreen": "98fb98",
    "paleturquoise": "afeeee", "palevioletred": "db7093", "papayawhip": "ffefd5", "peachpuff": "ffdab9",
    "peru": "cd853f", "pink": "ffc0cb", "plum": "dda0dd", "powderblue": "b0e0e6", "purple": "800080",
    "rebeccapurple": "663399", "red": "ff0000", "rosybrown": "bc8f8f", "royalblue": "4169e1",
    "saddlebrown": "8b4513", "salmon": "fa8072", "sandybrown": "f4a460", "seagreen": "2e8b57", "seashell": "fff5ee",
    "sienna": "a0522d", "silver": "c0c0c0", "skyblue": "87ceeb", "slateblue": "6a5acd", "slategray": "708090",
    "slategrey": "708090", "snow": "fffafa", "springgreen": "00ff7f", "steelblue": "4682b4", "tan": "d2b48c",
    "teal": "008080", "thistle": "d8bfd8", "tomato": "ff6347", "turquoise": "40e0d0", "violet": "ee82ee",
    "wheat": "f5deb3", "white": "ffffff", "whitesmoke": "f5f5f5", "yellow": "ffff00", "yellowgreen": "9acd32",
}
_NO_COLOUR = {"", "inherit", "initial", "unset", "revert", "revert-layer", "currentcolor", "auto", "none"}
# the background shorthand's words that are no colour: its image, repeat, attachment, position, size and boxes
_LAYER_WORDS = {"none", "repeat", "repeat-x", "repeat-y", "no-repeat", "space", "round", "scroll", "fixed", "local",
                "left", "right", "top", "bottom", "center", "auto", "cover", "contain", "border-box", "padding-box",
                "content-box", "text"}
_HEX = re.compile(r"#?([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})")
_FUNCTION = re.compile(r"(rgba?|hsla?)\(([^)]*)\)")
_TOKEN = re.compile(r"#[0-9a-f]{3,8}\b|[a-z-]+\([^)]*\)|[+-]?[\d.]+[a-z%]*|[a-z-]+")  # (a length: one token)


def _rgba(value: str) -> tuple[float, float, float, float] | str | None:
    """(red, green, blue 0–255, alpha 0–1) of one colour value; "other" for a colour not placed (a
    word not a CSS colour's name, a system colour); None for none (inherit, auto…)."""
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
    the ground around it shows). A colour not told (a word that is no CSS colour nor another word of
    the shorthand, a system colour, `var(…)`), or an image or a gradient without a colour of its own,
    is not dark: white text on it may not show."""
    v = (value or "").strip().lower()
    if _HEX.fullmatch(v):  # (Word's fill, an HTML attribute's: the hex digits alone)
        v = "#" + v.lstrip("#")
    image = bool(_IMAGE.search(v))
    for token in _TOKEN.findall(_IMAGE.sub(" ", v)):
        if token in _LAYER_WORDS or _LENGTH.match(token):
            continue  # (the shorthand's other words and lengths: no-repeat, center, 0 0…)
        c = _rgba(token)
        if c is None or (c != "other" and c[3] == 0):
            continue
        return c != "other" and _luma(c) < _DARK
    return False if image else None


_LENGTH = re.compile(r"[+-]?[\d.]")
_IMAGE = re.compile(r"[\w-]*gradient\((?:[^()]|\([^()]*\))*\)|url\([^)]*\)")
