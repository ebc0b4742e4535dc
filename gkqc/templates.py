"""Template registry: the templates, their ids, printed labels and how a printed report tells them.

Everything that needs a template id, a row, column, block, group or metric id, or a label reads
it from here (loaded from ``templates.yaml``, or the file named by ``GKQC_REGISTRY``); nothing
else spells one. Adding a template or a label variant is a change to that file.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache, wraps
from pathlib import Path

from gkqc import yamlfile
from gkqc.limits import cached_when_short

REGISTRY_PATH = Path(__file__).with_name("templates.yaml")
REGISTRY_ENV = "GKQC_REGISTRY"  # another registry file (tests, a province's own variants)
_SUB_NO = re.compile(r"\d[.、]")  # a sub-row's number before its label


@cached_when_short(maxsize=131072)
def norm_label(text: str) -> str:
    """Normalise printed label text for matching: NFKC, no whitespace."""
    return "".join(unicodedata.normalize("NFKC", text).split())


@dataclass(frozen=True, eq=False)  # registry singletons: identity equality, cheap hashing
class Item:
    id: str
    label: str
    variants: tuple[str, ...] = ()
    templates: tuple[str, ...] = ()  # the templates that print it (empty: every template with tables)
    parent: str | None = None
    unit: str | None = None
    signed: bool = False
    group: str | None = None
    no: str | None = None
    sums: tuple[str, ...] = ()  # a total printed in the row: the ids of the cells of that row it adds up


@dataclass(frozen=True)
class Block:
    id: str
    label: str
    rows: tuple[Item, ...]
    metrics: tuple[Item, ...]


@dataclass(frozen=True)
class Template:
    id: str
    title: str
    years: tuple[int, int]
    tables: bool = True  # False: a free-form template with no national tables
    default: bool = False
    states_fee: bool = False  # its section 六 must state the 信息处理费 collected


@dataclass(frozen=True)
class Cue:
    """Printed text that tells a template: any of `texts` in section `section`."""

    section: str
    template: str
    texts: tuple[str, ...]
    how: str


@dataclass(frozen=True)
class Variant:
    """A template as some reports print it (see templates.yaml `variants`)."""

    id: str
    template: str
    title: str
    section: str
    any: tuple[str, ...]
    none: tuple[str, ...]
    drop: tuple[str, ...]
    add: tuple[str, ...]

    def printed_in(self, text: str) -> bool:
        return any(v in text for v in self.any) and not any(v in text for v in self.none)


@dataclass(frozen=True)
class Registry:
    sections: tuple[Item, ...]
    app_columns: tuple[Item, ...]
    app_rows: tuple[Item, ...]
    active: dict[str, tuple[Block, ...]]
    review_groups: tuple[Item, ...]
    review_metrics: tuple[Item, ...]
    template_defs: tuple[Template, ...] = ()
    cues: tuple[Cue, ...] = ()
    variants: tuple[Variant, ...] = ()
    section_ids: dict[str, str] = field(default_factory=dict)  # a section's name in templates.yaml -> its numeral
    tables: tuple[str, ...] = ()  # the sections that print a national table, by name (= the table kinds)
    row_headings: dict[str, str] = field(default_factory=dict)  # table kind -> printed over its row labels
    cache: dict = field(default_factory=dict, compare=False, repr=False)

    @cached_property
    def templates(self) -> tuple[str, ...]:
        """The templates with national tables (those read and checked)."""
        return tuple(t.id for t in self.template_defs if t.tables)

    @cached_property
    def all_templates(self) -> tuple[str, ...]:
        return tuple(t.id for t in self.template_defs)

    @cached_property
    def printed(self) -> tuple[str, ...]:
        """Every form a report's tables are read and checked in: the templates and their variants."""
        return self.templates + tuple(v.id for v in self.variants)

    def base_of(self, template: str | None) -> str | None:
        """The template a variant is of (a template is its own)."""
        return next((v.template for v in self.variants if v.id == template), template)

    def variants_of(self, templates: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(v.id for v in self.variants if v.template in templates)

    def variant_for(self, template: str | None, text: dict[str, str]) -> Variant | None:
        """The variant of `template` a report prints, from its normalised section texts (or None)."""
        return next((v for v in self.variants if v.template == template and v.printed_in(text.get(v.section, ""))),
                    None)

    @property
    def default_template(self) -> str:
        return next((t.id for t in self.template_defs if t.default), self.templates[-1])

    def section_no(self, name: str) -> str:
        """The numeral of the section named `name` in templates.yaml (the table kinds active,
        applications and reviews are the names of the sections printing them): 'applications' -> '三'."""
        return self.section_ids[name]

    @cached_property
    def _block_words(self) -> tuple[str, str] | None:
        """Regexes of the words block labels of section 二 print before and after their numerals
        ('第二十条第', '项'): each label's own, any template's (a template citing another article adds its
        words, and the others' still find their blocks)."""
        labels = sorted({norm_label(b.label) for bs in self.active.values() for b in bs})
        if not labels:
            return None
        before = {x.split("(")[0] for x in labels}  # up to the bracketed numeral
        after = {x.split(")")[-1] for x in labels}
        return tuple("|".join(re.escape(w) for w in sorted(ws, key=lambda w: (-len(w), w))) for ws in (before, after))

    @cached_property
    def block_heading(self) -> str:
        """A regex of a block heading of section 二 ('第二十条第(x)项'), its item numeral the first group."""
        if self._block_words is None:
            return r"(?!)"
        before, after = self._block_words
        return rf"(?:{before})\(?([一二三四五六七八九十]+)\)?(?:{after})"

    @cached_property
    def block_lead(self) -> str:
        """A regex of the start of a block heading ('第二十条第'), for a heading split across lines."""
        return f"(?:{self._block_words[0]})" if self._block_words else r"(?!)"

    @cached_property
    def numerals(self) -> str:
        """The sections' numerals in their printed order: '一二三四五六'."""
        return "".join(s.no for s in self.sections)

    def section_title(self, no: str) -> str:
        """A section as printed in a heading: '三、收到和处理政府信息公开申请情况'."""
        return next(f"{s.no}、{s.label}" for s in self.sections if s.no == no)

    def title_of(self, template: str) -> str:
        titles = {**{t.id: t.title for t in self.template_defs}, **{v.id: v.title for v in self.variants}}
        return titles.get(template, template)

    def states_fee(self, template: str | None) -> bool:
        """Whether the template's (or variant's template's) section 六 must state the 信息处理费 collected."""
        base = self.base_of(template)
        return any(t.states_fee for t in self.template_defs if t.id == base)

    def has_tables(self, template: str | None) -> bool:
        return template in self.printed

    def app_rows_for(self, template: str | None) -> tuple[Item, ...]:
        if ("app_rows", template) not in self.cache:
            self.cache[("app_rows", template)] = self._app_rows_for(template)
        return self.cache[("app_rows", template)]

    def _app_rows_for(self, template: str | None) -> tuple[Item, ...]:
        if template not in self.printed:
            return self.app_rows
        base = self.base_of(template)
        variant = next((v for v in self.variants if v.id == template), None)
        drop, add = (variant.drop, variant.add) if variant else ((), ())
        return tuple(r for r in self.app_rows
                     if ((not r.templates or base in r.templates) and r.id not in drop) or r.id in add)

    def blocks_for(self, template: str) -> tuple[Block, ...]:
        return self.active[self.base_of(template)]

    def template_for_year(self, year: int | None) -> str | None:
        if year is None:
            return None
        return next((t.id for t in self.template_defs if t.years[0] <= year <= t.years[1]), None)

    # the id kinds of a cell key's parts, per table kind: a leading third part (a block) groups the
    # table's rows and metrics; the last two are the axes a rule runs along
    AXES = {"applications": ("app_row", "app_column"), "reviews": ("review_group", "review_metric"),
            "active": ("block", "active_row", "active_metric")}

    @staticmethod
    def table_kind(table: str) -> str:
        """The table kind of a table kind or its lake table ('active_disclosure' -> 'active')."""
        return "active" if table == "active_disclosure" else table

    def axes(self, table: str) -> tuple[str, ...]:
        """The id kinds a cell key of `table` joins, in order."""
        return self.AXES.get(self.table_kind(table), ())

    def cell_keys(self, table: str, template: str) -> tuple[tuple[str, ...], ...]:
        """Every cell of `table` in a printed template, as its key's parts, in printed order."""
        kind = self.table_kind(table)
        if ("cell_keys", kind, template) not in self.cache:
            if kind == "applications":
                keys = [(r.id, c.id) for r in self.app_rows_for(template) for c in self.app_columns]
            elif kind == "reviews":
                keys = [(g.id, m.id) for g in self.review_groups for m in self.review_metrics]
            else:
                keys = [(b.id, r.id, m.id) for b in self.blocks_for(template) for r in b.rows for m in b.metrics]
            self.cache[("cell_keys", kind, template)] = tuple(keys)
        return self.cache[("cell_keys", kind, template)]

    def printed_words(self, table: str) -> set[str]:
        """Every word a line of `table` may print as a label (any template, every variant; a
        compound heading 'a/b' as its parts): the blocks' rows and metrics and their heading in
        section 二 (a block's rows: under their heading), the rows in 三, the groups and metrics in 四."""
        kind = self.table_kind(table)
        if kind == "active":
            items = [it for blocks in self.active.values() for b in blocks for it in (*b.rows, *b.metrics)]
            return ({w for w in (self.row_headings.get(kind),) if w}
                    | {w for it in items for w in (*it.variants, norm_label(it.label))})
        if kind == "applications":
            return {w for r in self.app_rows for w in r.variants}
        if kind == "reviews":
            items = (*self.review_groups, *self.review_metrics)
            return {w for it in items for w in (*norm_label(it.label).split("/"), *it.variants)}
        return set()

    def numbered(self, table: str) -> bool:
        """Whether some row of `table` prints a sub-row number before its label (1.属于国家秘密)."""
        kind = self.table_kind(table)
        rows = {"active": [r for bs in self.active.values() for b in bs for r in b.rows],
                "applications": self.app_rows, "reviews": self.review_groups}.get(kind, ())
        return any(_SUB_NO.match(norm_label(r.label)) for r in rows)

    def signed(self, table: str) -> bool:
        """Whether some column of `table` (in any template) may be negative (本年增/减)."""
        kind = self.table_kind(table)
        cols = {"active": [m for bs in self.active.values() for b in bs for m in b.metrics],
                "applications": self.app_columns, "reviews": self.review_metrics}.get(kind, ())
        return any(c.signed for c in cols)

    def amount_cells(self, table: str) -> dict[str, str]:
        """The cell ids of `table` (in any template) whose value is an amount, each with its unit
        (an amount's metric carries one)."""
        if self.table_kind(table) != "active":
            return {}
        return {f"{b.id}.{r.id}.{m.id}": m.unit for t in self.templates for b in self.blocks_for(t)
                for r in b.rows for m in b.metrics if m.unit}

    def ids(self, kind: str, template: str | None = None) -> set[str]:
        """All ids of one kind: section, app_row, app_column, block, active_row,
        active_metric, review_group, review_metric."""
        if kind == "section":
            return {s.no for s in self.sections}
        if kind == "app_row":
            return {r.id for r in self.app_rows_for(template)}
        if kind == "app_column":
            return {c.id for c in self.app_columns}
        if kind == "review_group":
            return {g.id for g in self.review_groups}
        if kind == "review_metric":
            return {m.id for m in self.review_metrics}
        tids = [template] if template in self.printed else list(self.templates)
        blocks = [b for t in tids for b in self.blocks_for(t)]
        if kind == "block":
            return {b.id for b in blocks}
        if kind == "active_row":
            return {r.id for b in blocks for r in b.rows}
        if kind == "active_metric":
            return {m.id for b in blocks for m in b.metrics}
        raise KeyError(kind)

    def labels(self) -> list[dict[str, str]]:
        """One record per (template, table, id) with its printed label, for SQL joins."""
        out: list[dict[str, str]] = []
        for t in self.printed:
            out += [dict(template=t, table="section", id=s.no, label=s.label) for s in self.sections]
            out += [dict(template=t, table="app_row", id=r.id, label=r.label) for r in self.app_rows_for(t)]
            out += [dict(template=t, table="app_column", id=c.id, label=c.label) for c in self.app_columns]
            out += [dict(template=t, table="review_group", id=g.id, label=g.label) for g in self.review_groups]
            out += [dict(template=t, table="review_metric", id=m.id, label=m.label) for m in self.review_metrics]
            for b in self.blocks_for(t):
                out.append(dict(template=t, table="block", id=b.id, label=b.label))
                out += [dict(template=t, table="active_row", id=f"{b.id}.{r.id}", label=r.label) for r in b.rows]
                out += [dict(template=t, table="active_metric", id=f"{b.id}.{m.id}", label=m.label) for m in b.metrics]
        return out

    def label_of(self, kind: str, id_: str, template: str | None = None) -> str:
        """The printed label of an id (the default template's; the id itself when unknown)."""
        return self._label_index().get((template or self.default_template, kind, id_), id_)

    def cell_label(self, table: str, key: str, template: str | None = None) -> str:
        """'row label / column label' of a cell of `table` (a table kind or its lake table), by its key
        ('row.column', 'group.metric', 'block.row.metric'), in `template`'s words; the key when unknown.
        Within a block, its rows' and metrics' labels are keyed 'block.id'."""
        parts, axes = key.split("."), self.axes(table)
        if len(parts) != len(axes):
            return key
        ids = [parts[0], *(f"{parts[0]}.{p}" for p in parts[1:])] if len(axes) == 3 else parts
        return " / ".join(self.label_of(kind, id_, template) for kind, id_ in zip(axes, ids, strict=True))

    def _label_index(self) -> dict[tuple[str, str, str], str]:
        if "labels" not in self.cache:
            self.cache["labels"] = {(r["template"], r["table"], r["id"]): r["label"] for r in self.labels()}
        return self.cache["labels"]

def match_label(context: str, rows: Sequence[Item]) -> Item | None:
    """The item whose label variant ends last in `context` (longest wins a tie)."""
    return _match_label(context, tuple(rows))


@lru_cache(maxsize=65536)
def _match_label(context: str, rows: tuple[Item, ...]) -> Item | None:
    """The item whose label variant ends last in `context` (longest wins a tie)."""
    best, best_key = None, (-1, -1)
    for row in rows:
        for v in row.variants:
            i = context.rfind(v)
            if i >= 0 and (i + len(v), len(v)) > best_key:
                best, best_key = row, (i + len(v), len(v))
    return best


def _item(d: dict) -> Item:
    variants = tuple(norm_label(v) for v in d.get("variants", []))
    return Item(
        id=str(d["id"]),
        label=str(d["label"]),
        variants=variants or (norm_label(d["label"]),),
        templates=tuple(d.get("templates", ())),
        parent=d.get("parent"),
        unit=d.get("unit"),
        signed=bool(d.get("signed", False)),
        group=d.get("group"),
        no=d.get("no"),
        sums=tuple(d.get("sums", ())),
    )


def registry_digest() -> str:
    """Of the registry file in force: what was read, checked and drawn under it changes with it."""
    return hashlib.sha256(Path(os.environ.get(REGISTRY_ENV) or REGISTRY_PATH).read_bytes()).hexdigest()[:16]


_DRAWN: list = []  # caches of what functions draw from the registry (`drawn_from_registry`)
_in_force: list[Registry] = []


def registry() -> Registry:
    """The registry in force: `GKQC_REGISTRY` if set, else the bundled templates.yaml (loaded once).
    When another one comes in force, what was drawn from the last one is forgotten."""
    reg = _load(os.environ.get(REGISTRY_ENV) or "")
    if not _in_force or _in_force[0] is not reg:
        for drawn in _DRAWN:
            drawn.cache_clear()
        _in_force[:] = [reg]
    return reg


def drawn_from_registry(maxsize: int | None = None):
    """`lru_cache` for a function whose result depends on the registry in force (besides its
    arguments): forgotten when another registry comes in force (a test's temporary one)."""
    def wrap(fn):
        cached = lru_cache(maxsize=maxsize)(fn)
        _DRAWN.append(cached)

        @wraps(fn)
        def call(*args):
            registry()  # another registry in force: the caches are emptied first
            return cached(*args)
        call.cache_clear = cached.cache_clear
        return call
    return wrap


@cache
def _load(path: str) -> Registry:
    raw = yamlfile.load(Path(path or REGISTRY_PATH).read_text(encoding="utf-8"))
    defs = tuple(Template(id=k, title=v.get("title", k), years=tuple(v["years"]), tables=v.get("tables", True),
                          default=v.get("default", False), states_fee=v.get("states_fee", False))
                 for k, v in raw["templates"].items())
    sections = tuple(_item({**s, "id": s["num"], "no": s["num"]}) for s in raw["sections"])
    active = {
        t.id: tuple(
            Block(b["id"], b["label"], tuple(map(_item, b["rows"])), tuple(map(_item, b["metrics"])))
            for b in raw["active"][t.id]
        )
        for t in defs if t.tables
    }
    cues = tuple(Cue(c["section"], c["template"], tuple(norm_label(x) for x in c["any"]), c["how"])
                 for c in raw.get("detection", ()))
    variants = tuple(Variant(v["id"], v["template"], v.get("title", v["id"]), v["cue"]["section"],
                             tuple(norm_label(x) for x in v["cue"].get("any", ())),
                             tuple(norm_label(x) for x in v["cue"].get("none", ())),
                             tuple(v["app_rows"].get("drop", ())), tuple(v["app_rows"].get("add", ())))
                     for v in raw.get("variants", ()))
    return Registry(
        sections=sections,
        app_columns=tuple(map(_item, raw["applications"]["columns"])),
        app_rows=tuple(map(_item, raw["applications"]["rows"])),
        active=active,
        review_groups=tuple(map(_item, raw["reviews"]["groups"])),
        review_metrics=tuple(map(_item, raw["reviews"]["metrics"])),
        template_defs=defs,
        cues=cues,
        variants=variants,
        section_ids={s["id"]: s["num"] for s in raw["sections"]},
        tables=tuple(s["id"] for s in raw["sections"] if s["id"] in raw),
        row_headings={s["id"]: s["row_heading"] for s in raw["sections"] if s.get("row_heading")},
    )
