"""What colour Word prints a run or fills a cell in: sizes, shading, highlights and the document's theme
colours, read to tell text a reader cannot see (white on white) from text shown."""

from __future__ import annotations

import colorsys
import re

from lxml import etree

from gkqc.readers import colours
from gkqc.readers.word_xml import VAL as _VAL
from gkqc.readers.word_xml import W as _W

_UNITS = {"pt": 2.0, "pc": 24.0, "pi": 24.0, "in": 144.0, "cm": 144 / 2.54, "mm": 14.4 / 2.54}  # half-points in one
_MEASURE = re.compile(r"(\d{1,6}(?:\.\d{1,6})?)(pt|pc|pi|in|cm|mm)?")


def half_points(value: str) -> float | None:
    """A w:sz value in half-points (ST_HpsMeasure: a number of them, or a length such as `10.5pt`);
    None when it reads as neither."""
    m = _MEASURE.fullmatch(value.strip())
    return float(m.group(1)) * (_UNITS[m.group(2)] if m.group(2) else 1.0) if m else None


def shading(shd, theme: dict[str, str | None] | None) -> bool | None:
    """Whether a w:shd is dark; None when it shades nothing (nil, an automatic fill). A solid pattern
    is its colour (automatic: black), another its fill; a theme colour the theme does not give is not dark."""
    if shd is None or shd.get(_VAL) == "nil":
        return None
    if shd.get(_VAL) == "solid":
        solid = colour(shd, theme)
        return False if solid is UNTOLD else colours.dark((solid or "auto").replace("auto", "000000"))
    fill = colour(shd, theme, "fill", "themeFill", "themeFillTint", "themeFillShade")
    return False if fill is UNTOLD else colours.dark(fill)


UNTOLD = "\x00untold"  # a theme colour the document's theme does not give (no attribute's value: XML holds no NUL)
# a theme colour (ST_ThemeColor) -> the w:clrSchemeMapping attribute placing it in the theme, and Word's
# place without one; the theme's own dark1 … light2 need none
_MAPPED = {"background1": ("bg1", "light1"), "text1": ("t1", "dark1"), "background2": ("bg2", "light2"),
           "text2": ("t2", "dark2"), "hyperlink": ("hyperlink", "hyperlink"),
           "followedHyperlink": ("followedHyperlink", "followedHyperlink"),
           **{f"accent{k}": (f"accent{k}", f"accent{k}") for k in range(1, 7)}}
_SCHEME = {"dark1": "dk1", "light1": "lt1", "dark2": "dk2", "light2": "lt2", "hyperlink": "hlink",
           "followedHyperlink": "folHlink", **{f"accent{k}": f"accent{k}" for k in range(1, 7)}}  # -> a:clrScheme's
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_SYSTEM = {"window": "FFFFFF", "windowText": "000000"}  # a system colour the theme gives without its last value
_HEX6 = re.compile(r"[0-9A-Fa-f]{6}")


def of_document(doc) -> dict[str, str | None] | None:
    """The document's theme colours: each theme colour (background1, text1, accent1 …, dark1 …) -> its
    colour (hex) in the theme part's a:clrScheme, placed as the settings' w:clrSchemeMapping says
    (else as Word places it); None for one the scheme does not give plainly (a colour with
    modifiers). None when the theme cannot be read (no theme part, a damaged one)."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    try:
        part = doc.part.part_related_by(RT.THEME)
    except KeyError:  # no theme part: Word's own, whose dark and light are black and white
        part = None
    try:
        scheme = None if part is None else etree.fromstring(
            part.blob, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
        ).find(f"{_A}themeElements/{_A}clrScheme")
    except Exception:
        return None
    if part is not None and scheme is None:
        return None
    try:
        mapping = doc.settings.element.find(_W + "clrSchemeMapping")
    except Exception:  # (no settings, or damaged: Word's places)
        mapping = None
    given = {el.tag.removeprefix(_A): _scheme_colour(el) for el in scheme} if scheme is not None else _BUILT_IN
    placed = {name: (mapping.get(_W + attr) if mapping is not None else None) or default
              for name, (attr, default) in _MAPPED.items()}
    return {name: given.get(_SCHEME.get(placed.get(name, name), "")) for name in (*_MAPPED, "dark1", "light1", "dark2", "light2")}


_BUILT_IN = {"dk1": "000000", "lt1": "FFFFFF"}  # Word's theme where a document has none (its other colours: not told)
_PRESET = {"black": "000000", "white": "FFFFFF"}  # a:prstClr's two a theme's dark and light use


def _scheme_colour(el) -> str | None:
    """A colour scheme's entry (a:dk1 …) as hex: its RGB colour, a system colour's last value, or black or
    white by name, its luminance modulated and offset (a:lumMod, a:lumOff); None when it is another kind,
    or otherwise modified."""
    c = el[0] if len(el) == 1 else None
    if c is None:
        return None
    if c.tag == _A + "srgbClr":
        value = c.get("val")
    elif c.tag == _A + "sysClr":
        value = c.get("lastClr") or _SYSTEM.get(c.get("val", ""))
    elif c.tag == _A + "prstClr":
        value = _PRESET.get(c.get("val", ""))
    else:
        return None
    if value is None or not _HEX6.fullmatch(value):
        return None
    mods = {m.tag.removeprefix(_A): m.get("val", "") for m in c}
    if len(mods) != len(c) or not set(mods) <= {"lumMod", "lumOff"} or not all(v.isdigit() for v in mods.values()):
        return None
    if not mods:
        return value
    hue, light, sat = colorsys.rgb_to_hls(*(int(value[k:k + 2], 16) / 255 for k in (0, 2, 4)))
    light = min(1.0, light * int(mods.get("lumMod", "100000")) / 100000 + int(mods.get("lumOff", "0")) / 100000)
    return "".join(f"{round(x * 255):02X}" for x in colorsys.hls_to_rgb(hue, light, sat))


def colour(el, theme: dict[str, str | None] | None, val: str = "val", which: str = "themeColor",
            tint: str = "themeTint", shade: str = "themeShade") -> str | None:
    """The colour an element sets (hex, `auto`, None for none): its theme colour when it names one (the
    value beside is then not used, ECMA-376 17.3.2.6), lightened by its tint or darkened by its shade;
    `UNTOLD` when the theme does not give it."""
    name = el.get(_W + which)
    if name is None or name == "none":
        return el.get(_W + val)
    base = theme.get(name) if theme is not None else None
    if base is None:
        return UNTOLD
    return _tinted(base, el.get(_W + tint), el.get(_W + shade))


def _tinted(base: str, tint: str | None, shade: str | None) -> str:
    """A theme colour lightened by its tint or darkened by its shade (a byte in hex, as a fraction of
    255), on its luminance: L·t + (1 − t), or L·s. `UNTOLD` for a tint or shade that is no byte."""
    red, green, blue = (int(base[k:k + 2], 16) / 255 for k in (0, 2, 4))
    hue, light, sat = colorsys.rgb_to_hls(red, green, blue)
    for value, lighten in ((tint, True), (shade, False)):
        if value is None:
            continue
        if not re.fullmatch(r"[0-9A-Fa-f]{2}", value):
            return UNTOLD
        f = int(value, 16) / 255
        light = light * f + (1 - f) if lighten else light * f
    return "".join(f"{round(c * 255):02X}" for c in colorsys.hls_to_rgb(hue, light, sat))


# Word's highlight colours (ECMA-376 17.18.40, ST_HighlightColor), as hex
_HIGHLIGHT = {"black": "000000", "blue": "0000ff", "cyan": "00ffff", "green": "00ff00", "magenta": "ff00ff",
              "red": "ff0000", "yellow": "ffff00", "white": "ffffff", "darkBlue": "000080", "darkCyan": "008080",
              "darkGreen": "008000", "darkMagenta": "800080", "darkRed": "800000", "darkYellow": "808000",
              "darkGray": "808080", "lightGray": "c0c0c0"}


def highlight(el) -> bool | None:
    """Whether a run's w:highlight is dark; None when it sets none (`none`)."""
    if el is None:
        return None
    value = el.get(_VAL) or ""
    return colours.dark(_HIGHLIGHT.get(value, value))
