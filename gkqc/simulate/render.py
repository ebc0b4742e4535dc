"""Writing a report spec out as a collected file: flattened page text, PDF text or HTML.

Labels come from the template registry; the layouts imitate what crawlers collect
(the flattened-text layout is that of the 阿里地区 sample).
"""

from __future__ import annotations

import html as htmllib
from dataclasses import dataclass, field
from datetime import date

from gkqc.templates import Item, registry

APP_WIDTH = 10  # cells per row of the flattened applications table


@dataclass
class ReportSpec:
    """Everything printed in one report; cell values are raw strings as printed."""

    office: str
    year: int
    template: str
    published_at: date | None
    publisher: str
    title: str | None = None
    applications: dict[tuple[str, str], str] = field(default_factory=dict)  # (row, column) -> raw
    active: dict[tuple[str, str, str], str] = field(default_factory=dict)  # (block, row, metric) -> raw
    reviews: dict[tuple[str, str], str] = field(default_factory=dict)  # (group, metric) -> raw
    sections: tuple[str, ...] = ("一", "二", "三", "四", "五", "六")
    overview: str = "本年度，我单位认真贯彻落实《中华人民共和国政府信息公开条例》，政府信息公开工作有序推进。"
    problems: str = "一是公开内容的全面性有待提高；二是解读回应不够及时。下一步将加强培训，完善制度。"
    other_matters: str = "本年度未收取信息处理费。"
    index_no: str = ""
    issuer_meta: str | None = None
    extra_app_rows: list[tuple[str, list[str]]] = field(default_factory=list)  # (label, raw values) appended

    def full_title(self) -> str:
        return self.title or f"{self.office}{self.year}年政府信息公开工作年度报告"


def _heading(no: str) -> str:
    s = next(s for s in registry().sections if s.no == no)
    return f"{no}、{s.label}"


def _app_rows(template: str) -> list[tuple[list[str], Item]]:
    """Each applications row with the parent labels printed before it (first child only)."""
    out, seen = [], set()
    results_parent = "三、本年度办理结果"
    for r in registry().app_rows_for(template):
        labels = []
        if r.parent and r.id in ("granted",):
            labels.append(results_parent)
        if r.parent and r.parent != results_parent and r.parent not in seen:
            seen.add(r.parent)
            labels.append(r.parent)
        labels.append(r.label)
        out.append((labels, r))
    return out


# ---------------------------------------------------------------- page text
def _cells(values: list[str]) -> list[str]:
    return [f"{v} |" if v != "" else "|" for v in values]


def render_pagetext(spec: ReportSpec) -> str:
    reg = registry()
    lines = [f"- 索引号:{spec.index_no}", "- 发文字号:", f"- 发文机构:{spec.issuer_meta or spec.publisher}",
             f"- 名 称:{spec.full_title()}", "- 公文种类 :其他"]
    if spec.published_at:
        lines.append(f"- 发布日期:{spec.published_at.isoformat()} 10:00")
    lines += [spec.full_title(), f"发布时间:{spec.published_at.isoformat() if spec.published_at else ''} 10:00 浏览次数:"]
    lines.append("根据《中华人民共和国政府信息公开条例》要求，现将本年度政府信息公开工作情况报告如下。")
    for no in spec.sections:
        lines.append(_heading(no))
        if no == "一":
            lines.append(spec.overview)
        elif no == "二":
            for b in reg.blocks_for(spec.template):
                lines += [f"{b.label} |", "|||", "信息内容 |"] + [f"{m.label} |" for m in b.metrics]
                lines += ["|"] * (3 - len(b.metrics))
                for r in b.rows:
                    vals = [spec.active.get((b.id, r.id, m.id), "") for m in b.metrics]
                    lines += [f"{r.label} |"] + _cells(vals) + ["|"] * (3 - len(b.metrics))
        elif no == "三":
            lines += ["(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和) |", "申请人情况 |", "|" * 8,
                      "自然人 |", "法人或其他组织 |", "总计 |", "|" * 7]
            lines += [f"{c.label} |" for c in reg.app_columns if c.group] + ["|" * 5]
            rows = [(labels, [spec.applications.get((r.id, c.id), "") for c in reg.app_columns])
                    for labels, r in _app_rows(spec.template)]
            rows += [([label], vals) for label, vals in spec.extra_app_rows]
            for labels, vals in rows:
                lines += [f"{lb} |" for lb in labels] + _cells(vals)
                pad = APP_WIDTH - len(labels) - len(vals)
                if pad > 0:
                    lines.append("|" * pad)
        elif no == "四":
            lines += ["行政复议 |", "行政诉讼 |", "|" * 13]
            lines += [f"{m.label} |" for m in reg.review_metrics] + ["未经复议直接起诉 |", "复议后起诉 |", "|" * 8]
            lines += [f"{m.label} |" for m in reg.review_metrics] * 2 + ["|" * 5]
            lines += _cells([spec.reviews.get((g.id, m.id), "") for g in reg.review_groups for m in reg.review_metrics])
        elif no == "五":
            lines.append(spec.problems)
        elif no == "六":
            lines.append(spec.other_matters)
    lines.append(spec.publisher)
    if spec.published_at:
        d = spec.published_at
        lines.append(f"{d.year}年{d.month}月{d.day}日")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- PDF text
_KANGXI = str.maketrans({"一": "⼀", "二": "⼆", "人": "⼈", "行": "⾏", "文": "⽂", "方": "⽅", "法": "法"})


def _wrap(label: str, width: int = 14) -> list[str]:
    return [label[i:i + width] for i in range(0, len(label), width)] or [""]


def pdf_row_line(label: str, values: list[str]) -> str:
    """The line a PDF text layer shows for a table row: the label's last part, then the numbers."""
    return " ".join([_wrap(label, 16)[-1]] + [v for v in values if v != ""])


def render_pdftext(spec: ReportSpec, kangxi: bool = True) -> str:
    reg = registry()
    out = [spec.full_title()]
    for no in spec.sections:
        out.append(_heading(no))
        if no == "一":
            out += _wrap(spec.overview, 38)
        elif no == "二":
            for b in reg.blocks_for(spec.template):
                out.append(b.label)
                out.append("信息内容 " + " ".join(m.label for m in b.metrics))
                for r in b.rows:
                    vals = [spec.active.get((b.id, r.id, m.id), "") for m in b.metrics]
                    out.append(" ".join([r.label] + [v for v in vals if v != ""]))
        elif no == "三":
            out += ["申请⼈情况", "⾃然⼈", "法⼈或其他组织", "总计", "商业", "企业", "科研", "机构", "社会公益", "组织",
                    "法律服务", "机构", "其他"]
            for labels, r in _app_rows(spec.template):
                vals = [spec.applications.get((r.id, c.id), "") for c in reg.app_columns]
                for lb in labels[:-1]:
                    out += list(lb) if lb.startswith("三、") else _wrap(lb, 4)
                *head, _ = _wrap(labels[-1], 16)
                out += head
                out.append(pdf_row_line(labels[-1], vals))
            for label, vals in spec.extra_app_rows:
                out.append(" ".join([label] + [v for v in vals if v != ""]))
            out.append("（本列数据的勾稽关系为：第⼀项加第⼆项之和，等于第三项加第四项之和）")
        elif no == "四":
            out += ["⾏政复议 ⾏政诉讼", " ".join(m.label for m in reg.review_metrics), "未经复议直接起诉 复议后起诉",
                    " ".join(m.label for m in reg.review_metrics) * 1 + " " + " ".join(m.label for m in reg.review_metrics)]
            vals = [spec.reviews.get((g.id, m.id), "") for g in reg.review_groups for m in reg.review_metrics]
            out.append(" ".join(v for v in vals if v != ""))
        elif no == "五":
            out += _wrap(spec.problems, 38)
        elif no == "六":
            out += _wrap(spec.other_matters, 38)
    out.append(spec.publisher)
    if spec.published_at:
        d = spec.published_at
        out.append(f"{d.year}年{d.month}月{d.day}日")
    text = "\n".join(out) + "\n"
    return kangxi_text(text) if kangxi else text


def kangxi_text(text: str) -> str:
    """Replace some characters by the Kangxi-radical look-alikes PDF text layers carry."""
    return text.translate(_KANGXI)


# ---------------------------------------------------------------- HTML
def _td(text: str, rowspan: int = 1, colspan: int = 1) -> str:
    attrs = (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (f' colspan="{colspan}"' if colspan > 1 else "")
    body = htmllib.escape(text) if text != "" else "&nbsp;"
    return f"<td{attrs}>{body}</td>"


def _br(label: str) -> str:
    """Break a long heading label with <br /> as Word-exported pages do."""
    if len(label) >= 6 and label.startswith("本年"):
        return htmllib.escape(label[:3]) + "<br />" + htmllib.escape(label[3:])
    return htmllib.escape(label)


def render_html(spec: ReportSpec, encoding: str = "utf-8", declare: bool = True) -> bytes:
    reg = registry()
    title = spec.full_title()
    charset = f'<meta charset="{ "gbk" if encoding.lower() in ("gbk", "gb18030", "gb2312") else encoding}">' if declare else ""
    pub = spec.published_at.isoformat() if spec.published_at else ""
    h = [f"<!DOCTYPE html><html><head>{charset}<title>{htmllib.escape(title)}_{htmllib.escape(spec.publisher)}</title>",
         f'<meta name="ArticleTitle" content="{htmllib.escape(title)}">',
         f'<meta name="PubDate" content="{pub} 09:30">' if pub else "",
         f'<meta name="ContentSource" content="{htmllib.escape(spec.publisher)}">',
         "</head><body>",
         '<div class="nav"><a href="/">首页</a> &gt; <a href="/zwgk/">政府信息公开</a> &gt; 年报</div>',
         f"<h1>{htmllib.escape(title)}</h1>",
         f'<div class="info">发布时间：{pub} 来源：{htmllib.escape(spec.publisher)}</div>', '<div class="content">']
    for no in spec.sections:
        h.append(f"<p><strong>{htmllib.escape(_heading(no))}</strong></p>")
        if no == "一":
            h.append(f"<p>{htmllib.escape(spec.overview)}</p>")
        elif no == "二":
            h.append('<table border="1">')
            for b in reg.blocks_for(spec.template):
                h.append(f"<tr>{_td(b.label, colspan=4)}</tr>")
                hdr = "".join(f"<td>{_br(m.label)}</td>" for m in b.metrics)
                h.append(f"<tr><td>信息内容</td>{hdr}{'<td>&nbsp;</td>' * (3 - len(b.metrics))}</tr>")
                for r in b.rows:
                    vals = "".join(_td(spec.active.get((b.id, r.id, m.id), "")) for m in b.metrics)
                    h.append(f"<tr>{_td(r.label)}{vals}{'<td>&nbsp;</td>' * (3 - len(b.metrics))}</tr>")
            h.append("</table>")
        elif no == "三":
            h.append('<table border="1"><tbody>')
            h.append(f"<tr>{_td('（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）', 3, 3)}"
                     f"{_td('申请人情况', colspan=7)}</tr>")
            h.append(f"<tr>{_td('自然人', 2)}{_td('法人或其他组织', colspan=5)}{_td('总计', 2)}</tr>")
            h.append("<tr>" + "".join(_td(c.label) for c in reg.app_columns if c.group) + "</tr>")
            rows = _app_rows(spec.template)
            results = [r for _, r in rows if r.id not in ("new_received", "carried_over", "carried_forward")]
            group_size: dict[str, int] = {}
            for _, r in rows:
                if r.parent and r.parent != "三、本年度办理结果":
                    group_size[r.parent] = group_size.get(r.parent, 0) + 1
            for labels, r in rows:
                cells = []
                for lb in labels:
                    if lb == "三、本年度办理结果":
                        cells.append(_td(lb, rowspan=len(results)))
                    elif lb in group_size:
                        cells.append(_td(lb, rowspan=group_size[lb]))
                label_cols = 3 if not r.parent else (2 if r.parent == "三、本年度办理结果" else 1)
                if r.id in ("other_handling", "results_total") and r.parent is None:
                    label_cols = 2
                cells.append(_td(r.label, colspan=label_cols))
                cells += [_td(spec.applications.get((r.id, c.id), "")) for c in reg.app_columns]
                h.append("<tr>" + "".join(cells) + "</tr>")
            for label, vals in spec.extra_app_rows:
                h.append("<tr>" + _td(label, colspan=3) + "".join(_td(v) for v in vals) + "</tr>")
            h.append("</tbody></table>")
        elif no == "四":
            ms = reg.review_metrics
            h.append('<table border="1">')
            h.append(f"<tr>{_td('行政复议', colspan=5)}{_td('行政诉讼', colspan=10)}</tr>")
            h.append("<tr>" + "".join(_td(m.label, 2) for m in ms) + _td("未经复议直接起诉", colspan=5)
                     + _td("复议后起诉", colspan=5) + "</tr>")
            h.append("<tr>" + "".join(_td(m.label) for m in ms) * 2 + "</tr>")
            vals = [spec.reviews.get((g.id, m.id), "") for g in reg.review_groups for m in ms]
            h.append("<tr>" + "".join(_td(v) for v in vals) + "</tr></table>")
        elif no == "五":
            h.append(f"<p>{htmllib.escape(spec.problems)}</p>")
        elif no == "六":
            h.append(f"<p>{htmllib.escape(spec.other_matters)}</p>")
    h.append(f'<p style="text-align:right">{htmllib.escape(spec.publisher)}</p>')
    if spec.published_at:
        d = spec.published_at
        h.append(f'<p style="text-align:right">{d.year}年{d.month}月{d.day}日</p>')
    h.append('</div><div class="footer">主办：某某人民政府办公室 网站标识码：1234567890</div></body></html>')
    text = "\n".join(x for x in h if x)
    return text.encode("gb18030" if encoding.lower() in ("gbk", "gb18030", "gb2312") else encoding)


# ---------------------------------------------------------------- before 2019
LEGACY_HEADINGS = ("一、概述", "二、主动公开政府信息情况", "三、依申请公开政府信息情况", "四、政府信息公开的收费及减免情况",
                   "五、因政府信息公开申请行政复议、提起行政诉讼的情况", "六、存在的主要问题及改进措施", "七、其他需要报告的事项")


def render_legacy(spec: ReportSpec) -> str:
    """A free-form report of the years before the 2019 template (no fixed tables)."""
    lines = [f"- 名 称:{spec.full_title()}"]
    if spec.published_at:
        lines.append(f"- 发布日期:{spec.published_at.isoformat()}")
    lines.append(spec.full_title())
    for h in LEGACY_HEADINGS:
        lines += [h, "本年度相关工作按照条例要求开展，具体情况如下：共主动公开政府信息若干条，受理申请若干件。"]
    lines.append(spec.publisher)
    return "\n".join(lines) + "\n"
