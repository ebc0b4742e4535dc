"""Charts drawn into the page as inline SVG: nothing to fetch, works offline and from file://.

Every text that reaches a chart is escaped; numbers are formatted here.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from gkqc.outputs.data import percent as as_percent

COLORS = ("#3b6ea5", "#c62828", "#1a7f37", "#b58100", "#6a3d9a", "#00838f", "#8d6e63", "#546e7a")


def _num(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def _label(v: float | None, percent: bool) -> str:
    if v is None:
        return "无数据"
    return as_percent(v) if percent else _num(v)


def line_chart(title: str, xs: list, series: list[tuple[str, list[float | None]]], *, y_max: float,
               percent: bool = False, width: int = 560, height: int = 230) -> Markup:
    """One line per series over `xs` (years); a gap where a value is None; a point per value with its tooltip."""
    left, right, top, bottom = 46, 14, 28, 30
    legend_h = 18 * ((len(series) + 2) // 3) if len(series) > 1 else 0
    h = height + legend_h
    pw, ph = width - left - right, height - top - bottom
    y_max = y_max or 1
    step = pw / max(1, len(xs) - 1)

    def x(i: int) -> float:
        return left + (i * step if len(xs) > 1 else pw / 2)

    def y(v: float) -> float:
        return top + ph - (max(0.0, min(v, y_max)) / y_max) * ph

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {h}" '
           f'width="{width}" height="{h}" aria-label="{escape(title)}"><title>{escape(title)}</title>',
           f'<text x="{left}" y="16" class="ct">{escape(title)}</text>']
    for k in range(5):
        v = y_max * k / 4
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y(v):.1f}" y2="{y(v):.1f}" class="grid"/>'
                   f'<text x="{left - 6}" y="{y(v) + 4:.1f}" class="ax" text-anchor="end">{_label(v, percent)}</text>')
    for i, xv in enumerate(xs):
        out.append(f'<text x="{x(i):.1f}" y="{top + ph + 18}" class="ax" text-anchor="middle">{escape(xv)}</text>')
    for n, (name, values) in enumerate(series):
        color = COLORS[n % len(COLORS)]
        runs: list[list[str]] = [[]]
        for i, v in enumerate(values):
            if v is None:
                runs.append([])
                continue
            runs[-1].append(f"{x(i):.1f},{y(v):.1f}")
        for run in runs:
            if len(run) > 1:
                out.append(f'<polyline class="series" fill="none" stroke="{color}" stroke-width="2" points="{" ".join(run)}"/>')
        for i, v in enumerate(values):
            if v is not None:
                out.append(f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3.5" fill="{color}" class="pt">'
                           f'<title>{escape(name)} {escape(xs[i])}：{_label(v, percent)}</title></circle>')
        if len(series) > 1:
            lx, ly = left + (n % 3) * (pw / 3), height + 4 + 18 * (n // 3)
            out.append(f'<rect x="{lx:.1f}" y="{ly}" width="12" height="12" fill="{color}"/>'
                       f'<text x="{lx + 16:.1f}" y="{ly + 11}" class="ax">{escape(name)}</text>')
    out.append("</svg>")
    return Markup("".join(out))


def bar_chart(title: str, items: list[tuple[str, float, str]], *, width: int = 560, bar: int = 18) -> Markup:
    """Horizontal bars: (label, value, tooltip) each; the longest bar is the largest value."""
    left, right, top = 200, 50, 28
    h = top + bar * len(items) + 10
    pw = width - left - right
    top_value = max((v for _, v, _ in items), default=0) or 1
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {h}" '
           f'width="{width}" height="{h}" aria-label="{escape(title)}"><title>{escape(title)}</title>',
           f'<text x="4" y="16" class="ct">{escape(title)}</text>']
    for i, (label, v, tip) in enumerate(items):
        yy = top + i * bar
        w = pw * v / top_value
        short = label if len(label) <= 14 else label[:13] + "…"
        out.append(f'<text x="{left - 6}" y="{yy + bar - 5}" class="ax" text-anchor="end">{escape(short)}</text>'
                   f'<rect class="bar" x="{left}" y="{yy + 2}" width="{w:.1f}" height="{bar - 4}" fill="{COLORS[0]}">'
                   f'<title>{escape(tip)}</title></rect>'
                   f'<text x="{left + w + 4:.1f}" y="{yy + bar - 5}" class="ax">{_num(v)}</text>')
    if not items:
        out.append(f'<text x="{left}" y="{top + 12}" class="ax">无</text>')
    out.append("</svg>")
    return Markup("".join(out))
