"""The site's pages: names, the Jinja environment and the files every page shares.

Every value comes from collected files, so everything is escaped (autoescape on every template).
Page names are hashes, so no office or region name reaches a path or an href. The pages load one
stylesheet and one small script, both written beside them; their Content-Security-Policy allows
nothing else (no network, no inline script).
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from gkqc.outputs.data import DECISION_ZH, GRADES, SEVERITY_ZH, fmt, on_time_label, percent, place
from schemas.lake import OFFICE_KINDS

STATIC = Path(__file__).with_name("static")


class _Records(Environment):
    """Jinja reading the records the pages are drawn from, dicts, by key first: `o.office` is
    `o["office"]` at once, where Jinja's own order, the attribute first, has a dict raise and
    catch an AttributeError on every lookup. A name no key has is looked up as Jinja does
    (`counts.get`), and a name neither has is still an error (StrictUndefined). Only a plain dict: read
    by key first, a defaultdict would make a method's name (`keys`) a key of its own."""

    def getattr(self, obj, attribute):
        if type(obj) is dict:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


# select_autoescape() never matched *.html.j2: autoescape everything
_ENV = _Records(loader=FileSystemLoader(Path(__file__).with_name("templates")), autoescape=True,
                 undefined=StrictUndefined, auto_reload=False)  # loaded once a process, not checked per page
# labels as filters: a filter is a plain call, a method call in a template goes through Jinja's runtime
_ENV.filters.update(
    fmt=fmt, pct=percent, place=place, on_time=on_time_label, kind=lambda v: OFFICE_KINDS.get(v, v or ""),
    grade=lambda v: GRADES.get(v, ""), sev=lambda v: SEVERITY_ZH.get(v, v),
    decision=lambda v: DECISION_ZH.get(v, v), yesno=lambda v: {True: "是", False: "否"}.get(v, "—"))


def short_digest(text: str, n: int) -> str:
    """The first n hex digits of the SHA-1 of a text (page names, page digests)."""
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:n]


def region_page(region: str | None) -> str:
    return f"region-{short_digest(region or '', 10)}.html"


def office_page(office: str) -> str:
    return f"office-{short_digest(office, 12)}.html"


def report_page(office: str, year: int) -> str:
    return f"office-{short_digest(office, 12)}-{int(year)}.html"


def office_list_page(page: int) -> str:
    """The office list's page `page` (0-based): offices.html, then offices-2.html, …"""
    return "offices.html" if page == 0 else f"offices-{int(page) + 1}.html"


def region_list_page(page: int) -> str:
    """The region list's page `page` (0-based): regions.html, then regions-2.html, …"""
    return "regions.html" if page == 0 else f"regions-{int(page) + 1}.html"


COMMON = dict(grades=GRADES, kinds=OFFICE_KINDS, severity=SEVERITY_ZH, region_page=region_page,
              office_page=office_page, report_page=report_page)


def render(template: str, **ctx) -> str:
    return _ENV.get_template(template).render(**COMMON, **ctx)


def render_pieces(template: str, **ctx) -> Iterator[str]:
    """A page as it is drawn, piece by piece (for the pages with a row per office or region of the
    province: written as drawn, never held whole)."""
    return _ENV.get_template(template).generate(**COMMON, **ctx)


def copy_static(out: Path) -> None:
    for f in STATIC.iterdir():
        shutil.copyfile(f, out / f.name)
