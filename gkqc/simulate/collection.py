"""`gkqc simulate`: a realistic synthetic collection with a ground-truth manifest.

Deterministic for a given seed. Writes DIR/offices.csv, the report files (page text,
PDF text, HTML in UTF-8 and GBK), junk and non-report files, and DIR/truth.jsonl with,
per file, its parse status, office, year, template and the [check, subject] it must fail.
A report may print its office in another form (`office_variant`); the truth names the registry's
office, and offices.csv lists the misread forms used as aliases.
Sections 一 and 五 are written by `prose`; the copied sections (C1) are known once every
office's reports are written, and their findings are added to the truth then.
"""

from __future__ import annotations

import csv
import json
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path

from gkqc.offices import join_names
from gkqc.simulate import prose
from gkqc.simulate.numbers import OfficeState, make_values, raw
from gkqc.simulate.offices import Office, make_offices, misreadings, printed_forms
from gkqc.simulate.render import (
    ReportSpec,
    kangxi_text,
    pdf_row_line,
    render_html,
    render_legacy,
    render_pagetext,
    render_pdftext,
)
from gkqc.simulate.truth import DEADLINE, Printed, cell_values, compared, copied_text, evaluate
from gkqc.templates import registry

FORMS = [("pagetext", 0.45), ("pdftext", 0.25), ("html", 0.2), ("html-gbk", 0.1)]
DOCUMENTS = {"docx": ".docx", "pdf": ".pdf"}  # forms rendered as files, not text: text-level defects skip them
EXTENSIONS = {"pagetext": ".txt", "pdftext": ".txt", "html": ".html", "html-gbk": ".html", **DOCUMENTS}
DEFECTS = ["equation", "row_total", "review_total", "blank", "negative", "missing_section", "thin_problems",
           "no_fee", "late", "no_date", "wrong_template", "carry_break", "truncated", "run_together", "no_unit",
           "blank_for_zero", "narrative_mismatch", "copied_section", "office_variant"]
FEES = ["本年度未收取信息处理费。", "本年度共收取信息处理费{n}元。", "本机关未收取政府信息公开信息处理费。"]


@dataclass
class SimSummary:
    files: int = 0
    reports: int = 0
    offices: int = 0
    statuses: Counter = field(default_factory=Counter)
    defects: Counter = field(default_factory=Counter)
    forms: Counter = field(default_factory=Counter)
    findings: Counter = field(default_factory=Counter)  # check id -> failing results the truth holds


def _pub_date(rng: random.Random, office: Office, year: int, late: bool) -> date:
    m, d = DEADLINE[office.kind]
    due = date(year + 1, m, d)
    if late:
        return due + timedelta(days=rng.randint(1, 90))
    start = date(year + 1, 1, 5)
    return start + timedelta(days=rng.randint(0, (due - start).days))


def _cosmetic(rng: random.Random, raw_value: str, form: str) -> str:
    """Print a number as real reports sometimes do: thousands separators, full-width digits."""
    if raw_value.isdigit() and len(raw_value) > 3 and rng.random() < 0.3:
        return f"{int(raw_value):,}"
    if raw_value.isdigit() and form != "pdftext" and rng.random() < 0.02:
        return raw_value.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    return raw_value


def _spec(rng: random.Random, office: Office, year: int, template: str, state: OfficeState) -> ReportSpec:
    v = make_values(rng, template, state, scale=3.0 if office.kind == "government" else 1.0)
    s = ReportSpec(
        office=office.name, year=year, template=template, published_at=_pub_date(rng, office, year, False),
        publisher=office.name + ("人民政府办公室" if office.kind == "government" else ""),
        applications={k: raw(x) for k, x in v.applications.items()},
        active={k: raw(x) for k, x in v.active.items()},
        reviews={k: raw(x) for k, x in v.reviews.items()},
        other_matters=rng.choice(FEES).format(n=rng.randint(1, 9) * 100) if template == "gov2021" else "无其他需要报告的事项。",
        index_no=f"{office.code}/{year + 1}-{rng.randint(1, 999):05d}",
    )
    amount = ("item_9", "procurement", "procurement_amount")
    if amount in s.active:
        wan = v.active[amount]
        s.active[amount] = f"{raw(wan)}万元" if rng.random() < 0.6 else f"{int(round(wan * 10000))}元"
    return s


@dataclass
class Rendered:
    data: bytes
    printed: Printed
    status: str


@dataclass
class Written:
    """Sections 一 and 五 of a report: their drafts, the numbers filled in, what 一 states (T3)."""

    drafts: dict[str, prose.Draft]
    values: dict[str, int]
    stated: tuple[prose.Stated, ...] = ()


def _write(rng: random.Random, defect: str | None, s: ReportSpec, office: Office, peers: list[Office],
           before: Written | None, seed: int) -> Written:
    """Sections 一 and 五 of `s` as the office writes them, or as the text defects have them."""
    values = prose.numbers(s.applications, [r.id for r in registry().app_rows_for(s.template)])
    w = Written({"一": prose.overview(seed, office.code, office.name, office.kind, s.year),
                 "五": prose.problems(seed, office.code, office.name, s.year)}, values)
    if defect == "copied_section":
        w = _copied(rng, w, office, peers, before, seed, s.year)
    if defect == "narrative_mismatch":
        w.values = _misstated(rng, w.drafts["一"], w.values)
    s.overview, w.stated = prose.fill(w.drafts["一"], s.year, w.values)
    s.problems = prose.fill(w.drafts["五"], s.year, w.values)[0]
    return w


def _copied(rng: random.Random, w: Written, office: Office, peers: list[Office], before: Written | None,
            seed: int, year: int) -> Written:
    """Section 一 or 五 copied from the office's own text of the year before (the years put right,
    perhaps one sentence rewritten, the numbers updated or left as they were), or from another
    office's of its region the same year (the author's name replaced by the office's)."""
    ways = [(sec, "before") for sec in ("一", "五") if before and sec in before.drafts
            and before.drafts[sec].origin == (office.code, year - 1, sec)]  # an original, printed in full
    ways += [(sec, "peer") for sec in ("一", "五") if peers]
    if not ways:
        return w
    sec, way = rng.choice(ways)
    if way == "before":
        d = before.drafts[sec]
        d = prose.rewritten(rng, d) if rng.random() < 0.5 else d
        values = before.values if sec == "一" and rng.random() < 0.5 else w.values
        return Written({**w.drafts, sec: d}, values)
    src = rng.choice(peers)
    d = prose.overview(seed, src.code, src.name, src.kind, year) if sec == "一" else prose.problems(
        seed, src.code, src.name, year)
    return Written({**w.drafts, sec: prose.renamed(d, src.name, office.name)}, w.values)


def _misstated(rng: random.Random, d: prose.Draft, values: dict[str, int]) -> dict[str, int]:
    """Values with one number section 一 states changed: neither its cell's value nor (for new
    applications) new and carried over together."""
    fields = prose.stated_fields(d)
    if not fields:
        return values
    f = rng.choice(fields)
    row = prose.STATED[f]
    right = {values[row]} | ({values["received_all"]} if row == "new_received" else set())
    wrong = [n for n in range(values[f] - 5, values[f] + 10) if n >= 0 and n not in right]
    return {**values, f: rng.choice(wrong)}


def _printed(s: ReportSpec, office: Office, published: date | None, sections: tuple[str, ...],
             cells: dict, w: Written | None) -> Printed:
    return Printed(office.name, office.kind, s.year, s.template, published, sections, s.problems, s.other_matters,
                   cells, overview=s.overview, stated=w.stated if w else (),
                   origins={k: d.origin for k, d in w.drafts.items()} if w else {})


def marks_for(form: str) -> list[str]:
    """What reports print in a cell left blank (a PDF's text layer drops an empty cell altogether)."""
    return ["-", "—", "/", "无"] + ([] if form == "pdftext" else [""])


def _blank_for_zero(rng: random.Random, s: ReportSpec, mark: str) -> None:
    """Zeros printed as blanks, as many offices do: the applicant columns with no applications at
    all left wholly blank (a department's usual case), or else every 0 of sections 三 and 四."""
    reg = registry()
    rows = [r.id for r in reg.app_rows_for(s.template)]
    empty = [c.id for c in reg.app_columns[:6] if all(s.applications[(r, c.id)] == "0" for r in rows)]
    if empty and rng.random() < 0.6:
        for c in empty:
            for r in rows:
                s.applications[(r, c)] = mark
        return
    for cells in (s.applications, s.reviews):
        for key, v in cells.items():
            if v == "0":
                cells[key] = mark


def _apply_defect(rng: random.Random, kind: str, s: ReportSpec, office: Office, form: str,
                  misread: str | None = None) -> dict:
    """Change the spec as a real report would go wrong; return text-level effects (and the alias
    offices.csv must list: `misread`, the office's name with one character misread)."""
    reg = registry()
    cols = [c.id for c in reg.app_columns]
    rows = [r.id for r in reg.app_rows_for(s.template)]
    effects: dict = {}
    if kind == "equation":  # one result cell too large: A2 breaks in that column and the total column
        r, c = rng.choice(rows[2:-2]), rng.choice(cols[:6])
        k = rng.randint(1, 9)
        for col in (c, "total"):
            s.applications[(r, col)] = str(int(s.applications[(r, col)]) + k)
    elif kind == "row_total":  # a row total that is not the sum of its row: A3 (and A1/A2 on total)
        r = rng.choice(rows)
        s.applications[(r, "total")] = str(int(s.applications[(r, "total")]) + rng.randint(1, 5))
    elif kind == "review_total":
        g = rng.choice([g.id for g in reg.review_groups])
        s.reviews[(g, "total")] = str(int(s.reviews[(g, "total")]) + rng.randint(1, 3))
    elif kind == "blank":  # a number lost: a few cells left blank that were not 0
        marks = marks_for(form)
        for _ in range(rng.randint(1, 3)):
            if rng.random() < 0.7:
                key = (rng.choice(rows), rng.choice(cols))
                s.applications[key] = rng.choice(marks)
            else:
                key = (rng.choice([g.id for g in reg.review_groups]), rng.choice([m.id for m in reg.review_metrics]))
                s.reviews[key] = rng.choice(marks)
    elif kind == "blank_for_zero":  # blank meaning none, one mark throughout: see _blank_for_zero
        _blank_for_zero(rng, s, rng.choice(marks_for(form)))
    elif kind == "negative":
        s.applications[(rng.choice(rows), rng.choice(cols[:6]))] = f"-{rng.randint(1, 5)}"
    elif kind == "missing_section":
        s.sections = tuple(x for x in s.sections if x != rng.choice(["五", "六"]))
    elif kind == "thin_problems":
        s.problems = rng.choice(["无。", "无", "暂无。"])
    elif kind == "no_fee" and s.template == "gov2021":
        s.other_matters = "无其他需要报告的事项。"
    elif kind == "late":
        s.published_at = _pub_date(rng, office, s.year, True)
    elif kind == "no_date":
        s.published_at = None
    elif kind == "carry_break":  # carried over differs from last year's carried forward: A5
        c = rng.choice(cols[:6])
        k = rng.randint(1, 4)
        for col in (c, "total"):
            for r in ("carried_over", "granted", "results_total"):
                s.applications[(r, col)] = str(int(s.applications[(r, col)]) + k)
    elif kind == "truncated" and form not in DOCUMENTS:
        effects["truncate_at"] = "（七）总计"
    elif kind == "run_together" and form == "pdftext":
        effects["glue_row"] = rng.choice(rows)
    elif kind == "office_variant":  # the office printed in another form: one the matcher knows, or misread
        if misread and rng.random() < 0.5:
            s.office = effects["alias"] = misread
        else:
            s.office = rng.choice(printed_forms(office))
    elif kind == "no_unit":
        amount = ("item_9", "procurement", "procurement_amount")
        if amount in s.active:
            s.active[amount] = s.active[amount].removesuffix("万元").removesuffix("元")
    return effects


def _render(rng: random.Random, s: ReportSpec, office: Office, form: str, effects: dict,
            w: Written | None = None) -> Rendered:
    reg = registry()
    missing: set = set()
    unreadable: set = set()
    published = s.published_at
    sections = s.sections
    if form in DOCUMENTS:
        data = render_document(s, form)
        cells = cell_values(s.template, s.applications, s.active, s.reviews)
        return Rendered(data, _printed(s, office, published, sections, cells, w), "parsed")
    if form == "pagetext":
        text = render_pagetext(s)
    elif form == "pdftext":
        text = render_pdftext(s)
    else:
        text = render_html(s, "gbk" if form == "html-gbk" else "utf-8", declare=rng.random() < 0.5).decode(
            "gb18030" if form == "html-gbk" else "utf-8")
    if "glue_row" in effects:
        r = effects["glue_row"]
        label = next(x.label for x in reg.app_rows_for(s.template) if x.id == r)
        vals = [s.applications[(r, c.id)] for c in reg.app_columns]
        line = kangxi_text(pdf_row_line(label, vals))
        head = kangxi_text(pdf_row_line(label, []))
        glued = head + " " + "".join(v.replace(",", "") for v in vals if v)
        assert line in text, line
        text = text.replace("\n" + line + "\n", "\n" + glued + "\n", 1)
        unreadable = {("applications", r, c.id) for c in reg.app_columns}
    if "truncate_at" in effects:
        cut_label = effects["truncate_at"]
        text = text[: text.index(cut_label)]
        rows = [x.id for x in reg.app_rows_for(s.template)]
        gone = rows[rows.index("results_total"):]
        missing = {("applications", r, c.id) for r in gone for c in reg.app_columns}
        missing |= {("reviews", g.id, m.id) for g in reg.review_groups for m in reg.review_metrics}
        sections = tuple(x for x in sections if x in "一二三")
        if form == "pdftext":
            published = None
    data = text.encode("gb18030" if form == "html-gbk" else "utf-8")
    cells = cell_values(s.template, s.applications, s.active, s.reviews, missing, unreadable)
    printed = _printed(s, office, published, sections, cells, w)
    status = "partial" if missing or unreadable else "parsed"
    return Rendered(data, printed, status)


def render_document(s: ReportSpec, form: str) -> bytes:
    """A report as a Word or PDF file (imported when asked: python-docx and reportlab load slowly)."""
    if form == "docx":
        from gkqc.simulate.word import report_docx

        return report_docx(s)
    from gkqc.simulate.pdf import render_pdf

    return render_pdf(s, overview_times=1)  # canned overviews printed at length would be copies of each other (C1)


def _junk(rng: random.Random, k: int, year: int) -> tuple[str, bytes, str]:
    kind = k % 5
    if kind == 0:
        return f"misc/empty-{k}.txt", b"", "unreadable"
    if kind == 1:
        return f"misc/blob-{k}.bin", rng.randbytes(rng.randint(200, 4000)), "unreadable"
    if kind == 2:
        notice = (f"关于报送{year}年政府信息公开工作年度报告的通知\n各县人民政府、市各部门：\n"
                  f"请于{year + 1}年1月31日前完成年度报告的编制和发布工作。\n特此通知。\n")
        return f"misc/notice-{k}.txt", notice.encode(), "not_a_report"
    if kind == 3:
        page = (f"<html><head><meta charset='utf-8'><title>年度报告</title></head><body><ul>"
                f"<li><a href='a.html'>{year}年政府信息公开工作年度报告</a></li></ul></body></html>")
        return f"misc/index-{k}.html", page.encode(), "not_a_report"
    return f"misc/garbled-{k}.txt", "政府信息公开".encode() + b"\xff\xfe\x80" * 50 + "年度报告".encode(), "unreadable"


class _Writer:
    """Writes files under `out`, keeping their truth records (the texts C1 compares beside them),
    counting as it goes."""

    def __init__(self, out: Path):
        self.out, self.records, self.texts, self.summary = out, [], [], SimSummary()
        self.aliases: dict[str, list[str]] = {}  # office -> the misread names its reports printed

    def emit(self, path: str, data: bytes, status: str, p: Printed | None, fails: list) -> None:
        target = self.out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        self.records.append({"file": path, "parse_status": status, "office": p.office if p else None,
                             "report_year": p.year if p else None, "template": p.template if p else None,
                             "fails": fails})
        self.texts.append((p.office, p.year, p.template in registry().templates, compared(p)) if p else None)
        self.summary.files += 1
        self.summary.statuses[status] += 1


def _office_reports(w: _Writer, office: Office, peers: list[Office], years: tuple[int, int], seed: int,
                    defect_rate: float, forms: list[tuple[str, float]], blanks: str, misread: str | None = None) -> None:
    """Every report one office publishes over the years (its own random stream: any worker, same
    files); their truth under the blank-cell policy `blanks`. `peers`: the other offices of its
    region, whose texts it may copy; `misread`: its name as a report may misprint it."""
    reg = registry()
    summary, emit = w.summary, w.emit
    rng = random.Random(f"{seed}/{office.code}")
    state = OfficeState()
    prev: Printed | None = None
    before: Written | None = None  # the sections of the year before, as printed
    for year in range(years[0], years[1] + 1):
        if rng.random() < 0.04:  # publishes nothing this year
            make_values(rng, reg.template_for_year(year) or "gov2021", state)
            prev, before = None, None
            continue
        if year < 2019:  # free-form reports of the old days: kept, not scored
            s = _spec(rng, office, year, "gov2019", OfficeState())
            emit(f"{office.code}/{year}.txt", render_legacy(s).encode(), "parsed",
                 Printed(office.name, office.kind, year, "legacy", s.published_at, (), "", ""), [])
            summary.reports += 1
            prev, before = None, None
            continue
        defect = rng.choice(DEFECTS) if rng.random() < defect_rate else None
        template = reg.template_for_year(year) or "gov2021"
        if defect == "wrong_template":
            template = "gov2019" if year >= 2021 else "gov2021"
        form = rng.choices([f for f, _ in forms], weights=[w for _, w in forms])[0]
        s = _spec(rng, office, year, template, state)
        written = _write(rng, defect, s, office, peers, before, seed)
        clean = replace(s, applications=dict(s.applications), active=dict(s.active), reviews=dict(s.reviews))
        effects = _apply_defect(rng, defect, s, office, form, misread) if defect else {}
        if effects.get("alias") and effects["alias"] not in w.aliases.setdefault(office.name, []):
            w.aliases[office.name].append(effects["alias"])
        for key, v in list(s.applications.items()):
            s.applications[key] = _cosmetic(rng, v, form)
        if defect:
            summary.defects[defect] += 1
        summary.forms[form] += 1
        r = _render(rng, s, office, form, effects, written)
        ext = EXTENSIONS[form].lstrip(".")
        emit(f"{office.code}/{year}.{ext}", r.data, r.status, r.printed, evaluate(r.printed, prev, blanks))
        summary.reports += 1
        latest = r.printed
        if rng.random() < defect_rate * 0.25:  # the same page collected twice (another URL)
            emit(f"mirror/{office.code}-{year}.{ext}", r.data, r.status, r.printed, evaluate(r.printed, prev, blanks))
        if defect in ("equation", "row_total", "review_total") and rng.random() < 0.5:
            # a corrected re-publication, some days later
            fixed = replace(clean, published_at=(s.published_at or clean.published_at) + timedelta(days=rng.randint(3, 30)))
            r2 = _render(rng, fixed, office, form, {}, written)
            emit(f"{office.code}/{year}-corrected.{ext}", r2.data, r2.status, r2.printed, evaluate(r2.printed, prev, blanks))
            summary.reports += 1
            latest = r2.printed
        prev = latest
        # what a copy next year may take: the sections printed as they were written
        before = replace(written, drafts={k: d for k, d in written.drafts.items() if k in latest.sections
                                          and getattr(latest, TEXTS[k]) == prose.fill(d, year, written.values)[0]})


TEXTS = {"一": "overview", "五": "problems"}  # Printed's field holding each section compared by C1


def _office_chunk(out: Path, offices: list[Office], regions: dict[str, list[Office]], years: tuple[int, int],
                  seed: int, defect_rate: float, forms: list[tuple[str, float]], blanks: str,
                  misread: dict[str, str]) -> _Writer:
    w = _Writer(out)
    for office in offices:
        peers = [o for o in regions[office.region] if o.code != office.code]
        _office_reports(w, office, peers, years, seed, defect_rate, forms, blanks, misread.get(office.code))
    return w


def _merge(into: SimSummary, part: SimSummary) -> None:
    into.files += part.files
    into.reports += part.reports
    for name in ("statuses", "defects", "forms", "findings"):
        getattr(into, name).update(getattr(part, name))


def _finish(out: Path, records: list[dict], texts: list, summary: SimSummary) -> None:
    """Add the copied sections' findings (C1) to the records; write truth.jsonl; count the findings."""
    shown = [k for k, t in enumerate(texts) if t is not None]
    for k, fails in zip(shown, copied_text([texts[k] for k in shown]), strict=True):
        records[k]["fails"] = sorted(records[k]["fails"] + fails)
    for r in records:
        summary.findings.update(check for check, _ in r["fails"])
    (out / "truth.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                                     encoding="utf-8")


def simulate(out: Path, offices: int, years: tuple[int, int], seed: int = 0, defect_rate: float = 0.1,
             progress: Callable[[int, int], None] | None = None, workers: int = 1,
             forms: list[tuple[str, float]] | None = None, blanks: str | None = None) -> SimSummary:
    """`forms`: (form, weight) of the reports' forms (default FORMS: the text forms); "docx" and
    "pdf" render Word and PDF files. `blanks`: the blank-cell policy the truth follows (default:
    the one checks/settings.yaml sets, which the pipeline follows)."""
    forms = forms or FORMS
    if blanks is None:
        from checks.blanks import blank_policy
        from checks.suite import load_settings

        blanks = blank_policy(load_settings())
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    offs = make_offices(offices, rng)
    regions: dict[str, list[Office]] = {}
    for o in offs:
        regions.setdefault(o.region, []).append(o)
    summary = SimSummary(offices=len(offs))
    misread = misreadings(offs, seed)
    size = max(1, min(200, -(-len(offs) // (workers * 4))))
    chunks = [offs[i:i + size] for i in range(0, len(offs), size)]
    records: list[dict] = []
    texts: list = []
    aliases: dict[str, list[str]] = {}

    def take(part: _Writer, k: int) -> None:
        records.extend(part.records)
        texts.extend(part.texts)
        aliases.update(part.aliases)
        _merge(summary, part.summary)
        if progress:
            progress(min((k + 1) * size, len(offs)), len(offs))

    if workers > 1 and len(chunks) > 1:
        from concurrent.futures import ProcessPoolExecutor
        from multiprocessing import get_context

        with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as ex:
            futures = [ex.submit(_office_chunk, out, c, {o.region: regions[o.region] for o in c}, years, seed,
                                 defect_rate, forms, blanks, {o.code: misread[o.code] for o in c if o.code in misread})
                       for c in chunks]
            for k, fut in enumerate(futures):
                take(fut.result(), k)
    else:
        for k, c in enumerate(chunks):
            take(_office_chunk(out, c, regions, years, seed, defect_rate, forms, blanks, misread), k)
    with (out / "offices.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["office", "region", "office_kind", "code", "aliases"])
        w.writerows([o.name, o.region, o.kind, o.code, join_names(aliases.get(o.name, [])) or ""] for o in offs)
    junk = _Writer(out)
    for k in range(max(5, int(summary.reports * defect_rate * 0.05))):
        path, data, status = _junk(rng, k, years[1])
        junk.emit(path, data, status, None, [])
    records.extend(junk.records)
    texts.extend(junk.texts)
    _merge(summary, junk.summary)
    _finish(out, records, texts, summary)
    return summary
