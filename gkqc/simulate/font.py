"""A Chinese TrueType font to embed in generated PDFs, as Word and WPS exports embed theirs.

Built once per machine from the system's Noto Sans CJK SC (SIL Open Font License): cut to the
characters of GB 2312 and ASCII, its outlines converted to TrueType (reportlab embeds TrueType
only), and cached. A PDF that only names a font it does not embed makes every reader load a
system font for each page; real reports seldom do that, so the benchmark should not either.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from contextlib import suppress
from functools import cache
from pathlib import Path

SOURCES = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
           "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc")
FAMILY = "GkqcSans"  # derived from Noto Sans CJK SC; renamed as the licence asks of modified fonts
VERSION = 1  # of the build below: a new one is built when it changes
PUNCTUATION = "，。、；：？！“”‘’（）《》【】—…·〇─％～＋－×÷"


def cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "gkqc"


def charset() -> set[str]:
    """Printable ASCII, every character of GB 2312 and the full-width punctuation reports print."""
    chars = {chr(c) for c in range(0x20, 0x7F)} | set(PUNCTUATION)
    for pair in (bytes([hi, lo]) for hi in range(0xA1, 0xF8) for lo in range(0xA1, 0xFF)):
        with suppress(UnicodeDecodeError):
            chars.add(pair.decode("gb2312"))
    return chars


def _source() -> tuple[str, int] | None:
    """The first installed CJK collection and the index of its simplified-Chinese face."""
    from fontTools.ttLib import TTCollection

    for path in SOURCES:
        if Path(path).exists():
            for k, face in enumerate(TTCollection(path, lazy=True).fonts):
                if face["name"].getDebugName(1).endswith(" SC"):
                    return path, k
    return None


def build(source: str, number: int, out: Path) -> None:
    """Subset the face, convert its cubic outlines to quadratic ones and write a TrueType font."""
    from fontTools import subset
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont

    src = TTFont(source, fontNumber=number)
    opts = subset.Options()
    opts.layout_features, opts.hinting, opts.desubroutinize, opts.notdef_outline = [], False, True, True
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=[ord(c) for c in charset()])
    sub.subset(src)
    order, shapes = src.getGlyphOrder(), src.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(None)
        shapes[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    hhea, os2 = src["hhea"], src["OS/2"]
    fb = FontBuilder(src["head"].unitsPerEm, isTTF=True)
    fb.setupGlyphOrder(order)
    fb.setupCharacterMap(src.getBestCmap())
    fb.setupGlyf(glyphs)
    fb.setupHorizontalMetrics({n: src["hmtx"][n] for n in order})
    fb.setupHorizontalHeader(ascent=hhea.ascent, descent=hhea.descent)
    fb.setupNameTable({"familyName": FAMILY, "styleName": "Regular"})
    fb.setupOS2(sTypoAscender=os2.sTypoAscender, sTypoDescender=os2.sTypoDescender, usWinAscent=os2.usWinAscent,
                usWinDescent=os2.usWinDescent, fsType=0)
    fb.setupPost()
    tmp = out.with_name(f".{out.name}.{os.getpid()}")
    fb.save(str(tmp))
    os.replace(tmp, out)


@cache
def embeddable_font() -> Path | None:
    """The cached TrueType font, built on first use (slowly: one process builds, the others wait
    for it); None when no CJK font is installed."""
    src = _source()
    if src is None:
        return None
    out = cache_dir() / f"{FAMILY}{VERSION}-{Path(src[0]).stem}-{src[1]}-{os.stat(src[0]).st_mtime_ns}.ttf"
    if out.exists():
        return out
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError:  # no writable home: the temporary folder
        out = Path(tempfile.gettempdir()) / "gkqc" / out.name
        out.parent.mkdir(parents=True, exist_ok=True)
    with open(out.parent / ".font.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not out.exists():
            build(*src, out)
    return out
