"""Writing a report spec as a PDF-to-Markdown converter would: `#` headings, pipe tables, section
三 cut into one table per row group, placeholder heading rows (`| 类别 | 数据1 | … |`), merged
cells repeated or left empty, `<br>` inside labels."""

from __future__ import annotations

import html
from dataclasses import dataclass
from itertools import groupby

from gkqc.simulate.render import ReportSpec
from gkqc.templates import registry

RESULTS = "三、本年度办理结果"
RULE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"


@dataclass(frozen=True)
class Style:
    """How the converter went wrong."""

    lost: frozenset[str] = frozenset()  # sections whose tables' heading rows are placeholders ("二" "三" "四")
    lost_blocks: frozenset[str] = frozenset()  # blocks of section 二 whose heading row is placeholders
    repeat: bool = False  # merged cells repeated in each position (else left empty)
    printed_office: str | None = None  # the office as the converter read it (an OCR misreading)
    html_reviews: bool = False  # section 四 as an HTML <table> fragment (with its spans)
    bad_rows: tuple[tuple[str, int], ...] = ()  # (applications row id, +1 / -1 cells) for broken rows
    cut: bool = True  # section 三 cut into one table per row group (else one table)


def _heading(no: str) -> str:
    s = next(s for s in registry().sections if s.no == no)
    return f"{no}、{s.label}"


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _table(head: list[str], body: list[list[str]]) -> list[str]:
    return ["", _row(head), _row(["---"] * len(head)), *(_row(r) for r in body), ""]


def _noise(width: int, first: str = "类别") -> list[str]:
    return [first] + [f"数据{k}" for k in range(1, width - 1)] + ["总计"]


def _br(label: str) -> str:
    """Labels wrapped by the converter's `<br>` (本年<br>制发件数, the long 部分公开 row)."""
    if label.startswith("本年") and len(label) >= 6:
        return label[:2] + "<br>" + label[2:]
    if "区分处理的" in label:
        k = label.index("区分处理的") + len("区分处理的，")
        return label[:k] + "<br>" + label[k:]
    return label


def _active(s: ReportSpec, st: Style) -> list[str]:
    out = []
    for b in registry().blocks_for(s.template):
        pad = [""] * (3 - len(b.metrics))
        body = [[r.label] + [s.active.get((b.id, r.id, m.id), "") for m in b.metrics] + pad for r in b.rows]
        if "二" in st.lost or b.id in st.lost_blocks:
            out += ["", f"**{b.label}**"] + _table(["信息内容", "数据1", "数据2", "数据3"], body)
            continue
        span = [b.label] * 4 if st.repeat else [b.label, "", "", ""]
        out += _table(span, [["信息内容"] + [_br(m.label) for m in b.metrics] + pad] + body)
    return out


def _label_cells(r, first_in_part: bool, st: Style) -> list[str]:
    """The three label columns of an applications row, spans repeated or left empty."""
    fill = st.repeat
    if r.parent is None and r.id in ("new_received", "carried_over", "carried_forward"):
        return [r.label] * 3 if fill else [r.label, "", ""]
    top = RESULTS if (fill or r.id == "granted") else ""
    if r.parent in (None, RESULTS):
        return [top, _br(r.label), _br(r.label) if fill else ""]
    return [top, r.parent if (fill or first_in_part) else "", r.label]


def _part_key(r) -> str:
    if r.id in ("new_received", "carried_over"):
        return "head"
    if r.id in ("results_total", "carried_forward"):
        return "tail"
    return r.parent or r.id


def _applications(s: ReportSpec, st: Style) -> list[str]:
    reg = registry()
    bad = dict(st.bad_rows)
    out = []
    parts = groupby(reg.app_rows_for(s.template), key=_part_key if st.cut else lambda r: "")
    for k, (_, rows) in enumerate(parts):
        body = []
        for n, r in enumerate(rows):
            vals = [s.applications.get((r.id, c.id), "") for c in reg.app_columns]
            if bad.get(r.id) == -1:
                vals = vals[:-1]
            elif bad.get(r.id) == 1:
                vals = vals + ["1"]
            body.append(_label_cells(r, n == 0, st) + vals)
        if k > 0 or "三" in st.lost:  # a continuation (or the converter lost every heading row)
            out += _table(_noise(10, "" if k % 2 else "类别"), body)
            continue
        f = RULE if st.repeat else ""
        groups = [c.label for c in reg.app_columns if c.group]
        head = [[f, f, f, "自然人", "法人或其他组织"] + (["法人或其他组织"] * 4 if st.repeat else [""] * 4) + ["总计"],
                [f, f, f, "自然人" if st.repeat else "", *groups, "总计" if st.repeat else ""]]
        out += _table([RULE, f, f, "申请人情况"] + [("申请人情况" if st.repeat else "")] * 6, head + body)
    return out


def _reviews(s: ReportSpec, st: Style) -> list[str]:
    reg = registry()
    ms = [m.label for m in reg.review_metrics]
    vals = [s.reviews.get((g.id, m.id), "") for g in reg.review_groups for m in reg.review_metrics]
    if st.html_reviews:
        td = lambda t, a="": f"<td{a}>{html.escape(t) if t else '&nbsp;'}</td>"  # noqa: E731
        return ["", "<table border=\"1\">",
                "<tr>" + td("行政复议", ' colspan="5"') + td("行政诉讼", ' colspan="10"') + "</tr>",
                "<tr>" + "".join(td(m, ' rowspan="2"') for m in ms) + td("未经复议直接起诉", ' colspan="5"')
                + td("复议后起诉", ' colspan="5"') + "</tr>",
                "<tr>" + "".join(td(m) for m in ms * 2) + "</tr>",
                "<tr>" + "".join(td(v) for v in vals) + "</tr>", "</table>", ""]
    if "四" in st.lost:
        return _table([f"数据{k}" for k in range(1, 16)], [vals])
    e = [""] * 4
    return _table(["行政复议", *e, "行政诉讼", *e * 2, ""],
                  [ms + ["未经复议直接起诉", *e, "复议后起诉", *e], [""] * 5 + ms * 2, vals])


def render_markdown(s: ReportSpec, st: Style = Style()) -> str:
    office = st.printed_office or s.office
    title = s.full_title().replace(s.office, office)
    lines = [f"# {title}", ""]
    if s.published_at:
        lines += [f"发布日期：{s.published_at.isoformat()}", ""]
    for no in s.sections:
        lines += [f"## {_heading(no)}", ""]
        if no == "一":
            lines.append(s.overview)
        elif no == "二":
            lines += _active(s, st)
        elif no == "三":
            lines += _applications(s, st)
        elif no == "四":
            lines += _reviews(s, st)
        elif no == "五":
            lines.append(s.problems)
        elif no == "六":
            lines.append(s.other_matters)
        lines.append("")
    lines.append(s.publisher.replace(s.office, office))
    if s.published_at:
        d = s.published_at
        lines.append(f"{d.year}年{d.month}月{d.day}日")
    return "\n".join(lines) + "\n"
