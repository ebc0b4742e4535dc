"""Building one-line crawls for tests: what a crawler keeping only a page's textContent writes."""

from __future__ import annotations

from lxml import etree

HEAD = "当前位置：首页 > 政务公开 > 政府信息公开年度报告"
TAIL = "【字体：大 中 小】 打印本页 关闭窗口 扫一扫在手机打开当前页"


def text_content(html: bytes | str, between_cells: str = "") -> str:
    """The <body>'s textContent; `between_cells`: what the page source has between two <td>."""
    text = html.decode("utf-8") if isinstance(html, bytes) else html
    if between_cells:
        text = text.replace("</td>", "</td>" + between_cells)
    body = etree.HTML(text).find("body")
    return "".join(body.itertext())


def crawl_of_html(html: bytes | str, glue: str = "", between_cells: str = "") -> str:
    """A page as one line: chrome, the body's text; the page's line breaks become `glue`."""
    body = text_content(html, between_cells)
    return glue.join([HEAD, body.replace("\n", glue), TAIL]) + "\n"


def crawl_of_pagetext(text: str, glue: str = "") -> str:
    """A flattened page text (cells ending in ` |`) as one line: cells and lines joined by `glue`,
    metadata lines without their list marks, padding cells gone."""
    parts: list[str] = []
    for line in text.splitlines():
        if "|" in line:
            parts += [c.strip() for c in line.split("|") if c.strip()]
        elif line.strip():
            parts.append(line.strip().removeprefix("- "))
    return glue.join([HEAD, *parts, TAIL]) + "\n"
