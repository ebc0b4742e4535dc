"""The site's pages: names, the Jinja environment and the files every page shares.

Every value comes from collected files, so everything is escaped (autoescape on every template).
Page names are hashes, so no office or region name reaches a path or an href. The pages load one
stylesheet and one small script, both written beside them; their Content-Security-Policy allows
nothing else (no network, no inline script).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from gkqc.outputs.data import GRADES, SEVERITY_ZH, fmt
from schemas.lake import OFFICE_KINDS as KINDS

STATIC = Path(__file__).with_name("static")
DECISIONS_ZH = {"confirmed": "已确认", "dismissed": "已排除"}

# select_autoescape() never matched *.html.j2: autoescape everything
_ENV = Environment(loader=FileSystemLoader(Path(__file__).with_name("templates")), autoescape=True,
                   undefined=StrictUndefined, auto_reload=False)  # loaded once a process, not checked per page
# labels as filters: a filter is a plain call, a method call in a template goes through Jinja's runtime
_ENV.filters.update(
    fmt=fmt, pct=lambda v: "" if v is None else f"{v:.0%}", kind=lambda v: KINDS.get(v, v or ""),
    grade=lambda v: GRADES.get(v, ""), sev=lambda v: SEVERITY_ZH.get(v, v),
    decision=lambda v: DECISIONS_ZH.get(v, v or "待审核"), yesno=lambda v: {True: "是", False: "否"}.get(v, "—"))


def _digest(text: str, n: int) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:n]


def region_page(region: str | None) -> str:
    return f"region-{_digest(region or '', 10)}.html"


def office_page(office: str) -> str:
    return f"office-{_digest(office, 12)}.html"


def report_page(office: str, year: int) -> str:
    return f"office-{_digest(office, 12)}-{int(year)}.html"


COMMON = dict(grades=GRADES, kinds=KINDS, severity=SEVERITY_ZH, decisions_zh=DECISIONS_ZH, region_page=region_page,
              office_page=office_page, report_page=report_page)


def render(template: str, **ctx) -> str:
    return _ENV.get_template(template).render(**COMMON, **ctx)


def copy_static(out: Path) -> None:
    for f in STATIC.iterdir():
        shutil.copyfile(f, out / f.name)


MANIFEST = ".pages.json"  # in a site: the key it was written under, and each page's digest


def digest(*parts: object) -> str:
    """A page's digest: of everything it is drawn from, as read (every query the pages read from
    says its order: the same records, the same digest)."""
    return _digest(repr(parts), 40)


class Pages:
    """Where pages are written: a new folder, moved into place whole afterwards (`live` False), or
    the published site itself, each page replaced atomically (`live` True: a partial update).

    A page written with a digest of what it is drawn from is carried over from the `previous`
    site (a hard link) when that site was written under the same key (`start`) and has the page
    with the same digest: a nightly run draws only the pages whose reports changed."""

    def __init__(self, folder: Path, live: bool = False, previous: Path | None = None):
        self.folder, self.live = folder, live
        self.previous = folder if live else previous
        self.key = ""
        self.old: dict[str, str] = {}  # the previous site's digests, when its key is ours
        self.digests: dict[str, str] = {}  # of the pages written or carried over

    def start(self, key: str) -> None:
        """Set the key (what every page depends on: the code, the catalog, the selection) and read
        the previous site's digests if it was written under it."""
        self.key = key
        try:
            old = json.loads((self.previous / MANIFEST).read_text(encoding="utf-8")) if self.previous else {}
        except (OSError, ValueError):
            old = {}
        self.old = old.get("pages", {}) if isinstance(old, dict) and old.get("key") == key else {}

    def reuse(self, name: str, digest: str) -> bool:
        """Carry the previous site's page over if its digest is `digest`; False: draw it."""
        if self.old.get(name) != digest:
            return False
        if not self.live:
            try:
                os.link(self.previous / name, self.folder / name)
            except FileNotFoundError:
                return False
            except OSError:  # no hard links here (another file system): a copy
                try:
                    shutil.copyfile(self.previous / name, self.folder / name)
                except FileNotFoundError:
                    return False
        elif not (self.folder / name).exists():
            return False
        self.digests[name] = digest
        return True

    def put(self, name: str, html: str, digest: str | None = None) -> None:
        if digest is not None:
            self.digests[name] = digest
        if not self.live:
            (self.folder / name).write_text(html, encoding="utf-8")
            return
        tmp = self.folder / f".{name}.tmp"
        tmp.write_text(html, encoding="utf-8")
        tmp.replace(self.folder / name)

    def save(self) -> None:
        """Write the digests (a partial update keeps those of the pages it did not touch)."""
        pages = {**self.old, **self.digests} if self.live else self.digests
        tmp = self.folder / f"{MANIFEST}.tmp"
        tmp.write_text(json.dumps({"key": self.key, "pages": pages}, sort_keys=True, ensure_ascii=False), encoding="utf-8")
        tmp.replace(self.folder / MANIFEST)
