"""The scorecard as a static HTML site: an index of regions, one page per region with its offices and findings."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from pathlib import Path

from jinja2 import Environment, FileSystemLoader

from gkqc.outputs.data import GRADES, KINDS, SEVERITY_ZH, ScorecardData, fmt

# every value comes from collected files: escape all of it (select_autoescape() never matched *.html.j2)
_ENV = Environment(loader=FileSystemLoader(Path(__file__).with_name("templates")), autoescape=True)
_ENV.filters["fmt"] = fmt
_ENV.filters["pct"] = lambda v: "" if v is None else f"{v:.0%}"


def page_name(region: str | None) -> str:
    """A region page's file name: a hash, so no region name reaches a path or an href."""
    return "region-" + hashlib.sha1((region or "").encode()).hexdigest()[:10] + ".html"


def write_html(data: ScorecardData, out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    findings = defaultdict(list)
    for f in data.findings:
        findings[(f["office"], f["report_year"])].append(f)
    offices_by_region = defaultdict(list)
    for o in data.offices:
        offices_by_region[o["region"]].append(o)
    ctx = dict(grades=GRADES, kinds=KINDS, severity=SEVERITY_ZH, page_name=page_name)
    for region, offices in offices_by_region.items():
        html = _ENV.get_template("region.html.j2").render(
            region=region, offices=offices, findings=findings, **ctx,
            regions=[r for r in data.regions if r["region"] == region])
        (out / page_name(region)).write_text(html, encoding="utf-8")
    index = _ENV.get_template("index.html.j2").render(
        regions=data.regions, files=data.files, findings_total=data.findings_total,
        findings_shown=len(data.findings), offices=len(data.offices), **ctx)
    path = out / "index.html"
    path.write_text(index, encoding="utf-8")
    return path
