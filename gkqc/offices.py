"""Office names as printed → the offices of the registry (offices.csv).

A printed name is the registry's office when it is printed exactly so, when its normal form
(`normalise`) is that of one office, or when it is one of an office's `aliases`. A name one
character away from a single office is *proposed*, never applied: the user confirms it by
adding the alias. A report that prints no office takes the office whose `paths` patterns match
one of its files, and so does a report whose printed name is none of the registry's and could be
several of its offices (城关镇人民政府, for 青山县城关镇人民政府 and 绿水县城关镇人民政府) or none; a name
the registry holds that may also be another of its offices with its place before it is that one where
the paths say so. Without a
registry, printings of one normal form are one office (`same_names`); with one, so are the printings
of a name it does not hold. A name that
could be several offices, and whose files' paths do not decide, is `ambiguous`: the report has no
office, rather than joining the other offices printed so into one that is none of them. Every report the registry does not name exactly gets a row in the lake table
`report_offices` (`resolve_lake`), which the cross-report checks (`checks.frames.paired_reports`)
and the warehouse (`reports`, `office_matches`) both read.
"""

from __future__ import annotations

import fnmatch
import hashlib
import re
import unicodedata
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import polars as pl

from gkqc.lake import Lake, frame_of
from gkqc.readers.metadata import EDITIONS, completes_place
from gkqc.storage import read_frame

TABLE = "report_offices"  # lake table: how each report's office was found, when not printed exactly
STATE = "report_offices"  # lake state: what the table was computed from, and its proposals
SEPARATORS = re.compile(r"[|｜；;]")  # between several aliases or path patterns in one cell
# a trailing (…) that names no other office: the office's own level, or which form of the report (（全文）)
QUALIFIERS = frozenset({"本级", "本部", "机关", "机关本级", "本机关", *EDITIONS})
MIN_SUBSTITUTE = 3  # normal forms this long or longer may differ in one character for a proposal
MIN_INDEL = 4  # …or by one character more or less
RULES = 3  # the matching rules' version: a change resolves every report again
_TAIL = re.compile(r"\(([^()]*)\)$")
_SPACE = re.compile(r"\s+")


def split_names(cell: str | None) -> list[str]:
    """The names (aliases, path patterns) of one cell, split at `|` or `；` (or their other widths),
    stripped, in order, once each."""
    out: list[str] = []
    for part in SEPARATORS.split(cell or ""):
        part = part.strip()
        if part and part not in out:
            out.append(part)
    return out


def join_names(names: Iterable[str]) -> str | None:
    """Names as one cell of offices.csv (`|` between them); None for none."""
    names = list(names)
    return "|".join(names) if names else None


def normalise(name: str) -> str:
    """The form two printings of one office share.

    NFKC (full-width letters, digits and brackets, Kangxi radicals of PDF text), no whitespace,
    a trailing (本级)-like qualifier dropped, 人民政府 read as 政府 and a final 政府 dropped (沭阳县,
    沭阳县政府 and 沭阳县人民政府 are one office). 办公室/办公厅 are kept: 某县人民政府办公室 is
    another office than 某县人民政府, and other bracketed text is kept (it may name a sub-unit). A
    province before a city's name is dropped (`_without_province`)."""
    s = _SPACE.sub("", unicodedata.normalize("NFKC", name))
    m = _TAIL.search(s)
    if m and m.group(1) in QUALIFIERS and m.start() > 0:
        s = s[:m.start()]
    s = _without_province(s.replace("人民政府", "政府"))
    return s[:-2] if s.endswith("政府") and len(s) > 2 else s


_PROVINCE = re.compile(r"^[\u4e00-\u9fff]{2,7}?(?:省|自治区)")
_PREFECTURE = re.compile(r"^(?:[\u4e00-\u9fff]{2,4}?(?:地区|市|州|盟)|[\u4e00-\u9fff]{2,9}?自治州)")  # (乌鲁木齐市; 恩施土家族苗族自治州)


def _without_province(s: str) -> str:
    """A name without the province printed before its city (江苏省青山市教育局 → 青山市教育局): a city's,
    prefecture's or league's name is the country's own. Kept before a county's or district's (another
    province may have one of that name) and before a province's own offices (江苏省教育厅)."""
    m = _PROVINCE.match(s)
    rest = s[m.end():] if m else ""
    return rest if rest and _PREFECTURE.match(rest) and completes_place(rest, s) else s


def variants(name: str) -> list[str]:
    """Printed forms of `name` the matcher takes for it without an alias (for simulated collections):
    政府 for 人民政府 or back, 某县 for 某县人民政府, full-width letters and digits, a space, a (本级) qualifier."""
    wide = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in name)
    swapped = name.replace("人民政府", "政府") if "人民政府" in name else name.replace("政府", "人民政府", 1)
    bare = name.removesuffix("人民政府") if len(name) > 5 else name
    out = [swapped, bare, wide, f"{name[:2]} {name[2:]}" if len(name) > 2 else name, f"{name}（本级）"]
    return [v for i, v in enumerate(out) if v != name and v not in out[:i] and normalise(v) == normalise(name)]


@dataclass(frozen=True, slots=True)
class Match:
    """What a printed name is: the registry's office (`office`), or a proposal, or nothing."""

    office: str | None
    how: str  # exact / normalised / alias / proposal / unmatched / ambiguous
    proposed: str | None = None
    note: str | None = None
    also: tuple[str, ...] = ()  # other registry offices the name may be, its place not printed in full


class Matcher:
    """The registry's names, aliases and normal forms, with indexes for near matches and path patterns."""

    def __init__(self, rows: Iterable[tuple[str, list[str], list[str]]]):
        """`rows`: (office, its aliases, its path patterns)."""
        self.names: set[str] = set()
        self.aliases: dict[str, str] = {}
        self.by_key: dict[str, dict[str, str]] = defaultdict(dict)  # normal form -> office -> 'normalised'/'alias'
        pats: dict[str, list[str]] = defaultdict(list)
        for office, aliases, paths in rows:
            self.names.add(office)
            self.by_key[normalise(office)][office] = "normalised"
            for a in aliases:
                if a != office:
                    self.aliases.setdefault(a, office)
                    self.by_key[normalise(a)].setdefault(office, "alias")
            pats[office] += paths
        self.patterns: dict[str, re.Pattern] = {o: re.compile("|".join(fnmatch.translate(p) for p in ps)) for o, ps in pats.items() if ps}
        self._index: dict[str, set[str]] | None = None  # near form -> registry forms (`_candidates`)

    @classmethod
    def from_frame(cls, offices: pl.DataFrame) -> Matcher:
        """From the registry as stored (columns office, aliases, paths)."""
        cols = [offices[c] if c in offices.columns else pl.Series([None] * offices.height, dtype=pl.Utf8)
                for c in ("office", "aliases", "paths")]
        return cls((o, split_names(a), split_names(p)) for o, a, p in zip(*cols, strict=True))

    def _unknown(self, printed: str, key: str) -> bool:
        """Whether a printed name (normal form `key`) is none of the registry's names or forms."""
        return printed not in self.names and printed not in self.aliases and key not in self.by_key

    def match(self, printed: str) -> Match:
        """What one printed name is (many names at once: `match_all`)."""
        key = normalise(printed)
        unknown = self._unknown(printed, key)
        return self._match(printed, key, self._candidates(key) if unknown else set(), self._placed([key]).get(key, set()))

    def match_all(self, printed: list[str]) -> list[Match]:
        """What each printed name is. Near matches are looked for only for the names that are none of
        the registry's, in one pass over the registry: no index of every registry name's near forms
        (at 200,000 offices one takes over a gigabyte)."""
        keys = [normalise(p) for p in printed]
        unknown = [k for p, k in zip(printed, keys, strict=True) if self._unknown(p, k)]
        near, placed = self._near(unknown), self._placed(keys)
        return [self._match(p, k, near.get(k, set()), placed.get(k, set())) for p, k in zip(printed, keys, strict=True)]

    def _match(self, printed: str, key: str, candidates: set[str], placed: set[str] = frozenset()) -> Match:
        if printed in self.names:
            return self._placing(Match(printed, "exact"), placed)
        if printed in self.aliases:
            return self._placing(Match(self.aliases[printed], "alias"), placed)
        found = self.by_key.get(key, {})
        if len(found) == 1:
            (office, how), = found.items()
            return self._placing(Match(office, how), placed)
        if found:
            return Match(None, "unmatched", note=f"规范化后与名录中多个机关相同：{'、'.join(sorted(found))}，"
                                                 "请在 offices.csv 中为其一加别名（ambiguous）")
        near = {o: k for k in candidates for o in self.by_key[k]}
        if len(near) == 1:
            (office, k), = near.items()
            return Match(None, "proposal", office,
                         f"与名录中的「{office}」{_difference(key, k)}，疑为同一机关（如识别错字），未合并；"
                         f"确认后在 offices.csv 中把「{printed}」加为其别名（near match, not applied）")
        if near:
            return Match(None, "unmatched", note=f"与名录中多个机关近似：{'、'.join(sorted(near))}（several near matches）")
        offices = sorted({o for k in placed for o in self.by_key[k]})
        if len(offices) > 1:
            return Match(None, AMBIGUOUS, note=f"所印名称未写全地名，可能是名录中的：{'、'.join(offices)}；未合并，机关留空，"
                                                 "可在 offices.csv 的 paths 列按文件夹指定（ambiguous）")
        return Match(None, "unmatched", note="名录中没有此机关，可在 offices.csv 中补充机关或别名（not in the registry）")

    def _placing(self, match: Match, placed: set[str]) -> Match:
        """A name the registry holds that also names other registry offices with their place before it
        (城关镇人民政府 beside 绿水县城关镇人民政府): the match, with those offices (`also`), for the files'
        paths to decide between them; the paths not deciding, it stands."""
        others = sorted({o for k in placed for o in self.by_key[k]} - {match.office})
        if not others:
            return match
        note = (f"所印名称未写全地名，也可能是名录中的：{'、'.join(others)}；按文件路径（offices.csv 的 paths）确定，"
                "路径不能确定时取名录中同名的机关（may be several offices）")
        return Match(match.office, match.how, note=note, also=(match.office, *others))

    def _near(self, keys: list[str]) -> dict[str, set[str]]:
        """key -> the registry normal forms one substitution (both ≥ MIN_SUBSTITUTE long) or one
        character more or less (the shorter ≥ MIN_INDEL long) away from it (`_near_enough`): the
        keys' near forms are indexed, and each registry form's are looked up there."""
        wanted: dict[str, list[str]] = defaultdict(list)
        for key in set(keys):
            for probe in _probes(key):
                wanted[probe].append(key)
        out: dict[str, set[str]] = defaultdict(set)
        if not wanted:
            return out
        for k in self.by_key:
            for probe in _probes(k):
                for key in wanted.get(probe, ()):
                    if _near_enough(key, k):
                        out[key].add(k)
        return out

    def _placed(self, keys: list[str]) -> dict[str, set[str]]:
        """key -> the registry normal forms that are `key` with (more of) its place before it
        (城关镇 → 青山县城关镇, 绿水县城关镇; `completes_place`), in one pass over the registry."""
        wanted = set(keys)
        out: dict[str, set[str]] = defaultdict(set)
        if not wanted:
            return out
        for k in self.by_key:
            for i in range(1, len(k)):
                if k[i:] in wanted and completes_place(k[i:], k):
                    out[k[i:]].add(k)
        return out

    def _candidates(self, key: str) -> set[str]:
        """The registry normal forms near `key` (as `_near`), from an index of every registry form's
        near forms, built at the first call: for matching names one at a time."""
        if self._index is None:
            self._index = defaultdict(set)
            for k in self.by_key:
                for probe in _probes(k):
                    self._index[probe].add(k)
        return {k for probe in _probes(key) for k in self._index.get(probe, ()) if _near_enough(key, k)}

    def office_of_path(self, path: str) -> list[str]:
        """The offices whose path patterns match an inbox-relative source path."""
        return sorted(o for o, rx in self.patterns.items() if rx.match(path))


MAX_NEAR = 64  # characters: a longer printed name is no office's, and is not looked up one edit apart


def _probes(key: str) -> list[str]:
    """`key` with each character replaced by a wildcard, with each left out, and itself: two keys one
    edit apart share a probe. None for a key over MAX_NEAR (its probes take its length squared)."""
    if len(key) > MAX_NEAR:
        return []
    subs = [f"{key[:i]}\x00{key[i + 1:]}" for i in range(len(key))]
    dels = [f"\x01{key[:i]}{key[i + 1:]}" for i in range(len(key))]
    return [*subs, *dels, f"\x01{key}"]


def _near_enough(a: str, b: str) -> bool:
    """Two normal forms a proposal may join: one edit apart, and long enough for it to mean a misreading."""
    return a != b and min(len(a), len(b)) >= (MIN_SUBSTITUTE if len(a) == len(b) else MIN_INDEL) and _one_apart(a, b)


def _one_apart(a: str, b: str) -> bool:
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long_ = sorted((a, b), key=len)
    return len(long_) - len(short) == 1 and any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def _difference(printed: str, key: str) -> str:
    if len(printed) == len(key):
        i = next(i for i, (x, y) in enumerate(zip(printed, key, strict=True)) if x != y)
        return f"仅差一字（{printed[i]}/{key[i]}）"
    return "多一字" if len(printed) > len(key) else "少一字"


# ------------------------------------------------------------------ the lake
class Listing:
    """The paths an inbox holds now (relative, as `source_path` names files): which of a report's
    paths still hold it, whatever night each was first seen."""

    def __init__(self, paths: Iterable[str]):
        self.paths = sorted(paths)
        self.digest = hashlib.sha256("\n".join(self.paths).encode()).hexdigest()[:24]

    def __contains__(self, source_path: str) -> bool:
        """Whether the file is in the inbox (an archive's member: whether its archive is)."""
        cut = [i for i, ch in enumerate(source_path) if ch == "!"]
        return any(self._listed(source_path[:i]) for i in (len(source_path), *cut))

    def _listed(self, path: str) -> bool:
        i = bisect_left(self.paths, path)
        return i < len(self.paths) and self.paths[i] == path


def _source_key(lake: Lake, with_documents: bool) -> str:
    parts = [RULES, lake.part_names("offices"), lake.part_names("reports")]
    if with_documents:
        parts.append(lake.part_names("documents"))
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:24]


def resolution_key(lake: Lake) -> str | None:
    """Identifies the `report_offices` in force (what the checks that pair reports were run with)."""
    return (lake.state.get(STATE) or {}).get("key")


def proposals(lake: Lake) -> int:
    """Printed names proposed as near matches of registry offices, not applied (for the run summary)."""
    return (lake.state.get(STATE) or {}).get("proposals", 0)


def resolve_names(matcher: Matcher, printed: pl.Series) -> pl.DataFrame:
    """One row per distinct printed name that is not exactly a registry office, or may be several: how
    it is matched, and the offices it may be (`office_also`, for the files' paths to decide)."""
    names = printed.drop_nulls().unique().sort().to_list()
    rows = [(p, m.office, m.how, m.proposed, m.note, list(m.also) or None)
            for p, m in zip(names, matcher.match_all(names), strict=True) if m.how != "exact" or m.also]
    return pl.DataFrame(rows, schema={"office_printed": pl.Utf8, "office": pl.Utf8, "office_match": pl.Utf8,
                                      "office_proposed": pl.Utf8, "office_note": pl.Utf8,
                                      "office_also": pl.List(pl.Utf8)}, orient="row")


def newest_paths(docs: pl.DataFrame) -> pl.DataFrame:
    """Each report's files under the path(s) it was last collected at (report_id, source_path,
    ingested_at: when that path was first seen): a file moved to another folder is where it is now,
    not also where it was."""
    return docs.filter(pl.col("ingested_at") == pl.col("ingested_at").max().over("report_id"))


def current_paths(docs: pl.DataFrame, asked: pl.DataFrame, listing: Listing | None) -> pl.DataFrame:
    """The files of the `asked` reports under the paths that hold them now (`docs`: every file's
    report_id, source_path, ingested_at): in the inbox (`listing`) and not since holding other
    content. A copy collected a night later is one more path, as in a run that found both at once;
    a report none of whose paths holds it now, where it was last collected (`newest_paths`)."""
    mine = docs.join(asked, on="report_id")
    if listing is None:
        return newest_paths(mine)
    paths = docs.join(mine.select("source_path").unique(), on="source_path")
    latest = paths.filter(pl.col("ingested_at") == pl.col("ingested_at").max().over("source_path"))
    held = mine.join(latest.select("source_path", "report_id"), on=["source_path", "report_id"], how="semi")
    held = held.filter(pl.col("source_path").map_elements(listing.__contains__, return_dtype=pl.Boolean))
    gone = mine.join(held.select("report_id").unique(), on="report_id", how="anti")
    return pl.concat([held, newest_paths(gone)])


def resolve_paths(matcher: Matcher, docs: pl.DataFrame) -> pl.DataFrame:
    """report_id, office, office_match, office_note for reports without a printed office, from the
    paths of their files (`docs`: report_id, source_path)."""
    paths = docs["source_path"].unique()
    found = pl.DataFrame({"source_path": paths, "hit": [matcher.office_of_path(p) for p in paths]},
                         schema={"source_path": pl.Utf8, "hit": pl.List(pl.Utf8)})
    hits = pl.col("hit").list.explode(keep_nulls=False, empty_as_null=False).unique().sort()
    per = docs.join(found, on="source_path").group_by("report_id").agg(hits)
    one = pl.col("hit").list.len() == 1
    return per.select(
        "report_id",
        pl.when(one).then(pl.col("hit").list.first()).alias("office"),
        pl.when(one).then(pl.lit("path")).otherwise(pl.lit("unknown")).alias("office_match"),
        pl.when(one).then(pl.lit("报告未印机关名称，按 offices.csv 的 paths 指定（by path）"))
        .when(pl.col("hit").list.len() > 1)
        .then(pl.lit("报告未印机关名称，文件路径同时符合多个机关的 paths：") + pl.col("hit").list.join("、"))
        .otherwise(pl.lit("报告未印机关名称，可在 offices.csv 的 paths 列按文件夹或文件名指定（no office printed）"))
        .alias("office_note"))


AMBIGUOUS = "ambiguous"  # a printed name that could be several registry offices: the report has none
UNDECIDED = ("unmatched", AMBIGUOUS)  # a printed name the registry does not settle: its files' paths may


def _by_path(named: pl.DataFrame, by_path: pl.DataFrame) -> pl.DataFrame:
    """The rows of printed names (`named`) with the offices their files' paths give (`by_path`: from
    `resolve_paths`) where the name left the office undecided, or may be several (`office_also`: the
    path's office one of them), and one office's paths match; and the rows of the reports that print no office."""
    decided = (by_path.filter(pl.col("office_match") == "path")
               .join(named.select("report_id", "office_printed", "office_also"), on="report_id")
               .filter(pl.col("office_also").is_null() | pl.col("office_also").list.contains(pl.col("office"))))
    note = (pl.when(pl.col("office_also").is_null())
            .then(pl.lit("所印名称不是名录中的机关名称，按 offices.csv 的 paths 指定（by path）"))
            .otherwise(pl.lit("所印名称未写全地名，可能是名录中的多个机关，按 offices.csv 的 paths 指定（by path）")))
    decided = decided.with_columns(pl.lit(None, dtype=pl.Utf8).alias("office_proposed"), note.alias("office_note")
                                   ).drop("office_also")
    unnamed = by_path.join(named.select("report_id"), on="report_id", how="anti")
    return pl.concat([named.join(decided.select("report_id"), on="report_id", how="anti"), decided, unnamed],
                     how="diagonal_relaxed")


def same_names(reports: pl.DataFrame, why: str = "无机关名录") -> pl.DataFrame:
    """The reports (report_id, office) whose printed office has the normal form of another printing
    (绿水县人民政府, 绿水县政府 and 绿水县; `青山市 审计局` and 青山市审计局), with the office they are: the
    printing most of that form's reports print, the first in sort order of those. For every name without
    a registry, and with one for the names it does not hold (`why` begins the note)."""
    printed = reports.filter(pl.col("office").is_not_null()).rename({"office": "office_printed"})
    names = printed["office_printed"].unique()
    forms = pl.DataFrame({"office_printed": names, "form": [normalise(n) for n in names]},
                         schema={"office_printed": pl.Utf8, "form": pl.Utf8})
    shown = (printed.group_by("office_printed").len().join(forms, on="office_printed")
             .sort(["form", "len", "office_printed"], descending=[False, True, False])
             .group_by("form", maintain_order=True).agg(pl.col("office_printed").first().alias("office")))
    note = pl.concat_str([pl.lit(f"{why}：与「"), pl.col("office"), pl.lit("」规范化后相同，视为同一机关（same normal form）")])
    return (printed.join(forms, on="office_printed").join(shown, on="form")
            .filter(pl.col("office_printed") != pl.col("office"))
            .select("report_id", "office_printed", "office", pl.lit("normalised").alias("office_match"),
                    pl.lit(None, dtype=pl.Utf8).alias("office_proposed"), note.alias("office_note"))
            .sort("report_id"))


def registry_of(lake: Lake) -> pl.DataFrame:
    """The lake's office registry (no rows without one)."""
    # parts written before aliases and paths existed lack those columns: read one by one
    return pl.concat([read_frame([u]) for u in lake.paths("offices")], how="diagonal_relaxed")


def registry_name(offices: pl.DataFrame, name: str) -> str:
    """The registry's office (`offices`: the registry as stored) for a name that is one of its
    names, aliases or their normal forms; else the name as given (near names are only proposed)."""
    return (Matcher.from_frame(offices).match(name).office or name) if offices.height else name


def resolve_lake(lake: Lake, inbox_paths: Callable[[], Iterable[str]] | None = None) -> int:
    """Resolve every report's office against the lake's registry into `report_offices` (when the
    registry, the reports or, with path patterns, the files or the paths the inbox holds changed:
    `inbox_paths`, asked only then); the number of printed names proposed and not applied. Its key
    (what the cross-report checks ran with) changes only when the offices do: a file removed that
    decided none keeps it."""
    offices = registry_of(lake)
    matcher = Matcher.from_frame(offices)
    listing = Listing(inbox_paths()) if matcher.patterns and inbox_paths is not None else None
    source = _source_key(lake, bool(matcher.patterns))
    seen = lake.state.get(STATE) or {}
    same_source = seen.get("source", seen.get("key")) == source  # (a lake resolved before the listing counted)
    if same_source and (listing is None or seen.get("listing") in (None, listing.digest)):
        return proposals(lake)
    rows = frame_of(TABLE, _resolved(lake, offices, matcher, listing))
    n = rows.filter(pl.col("office_match") == "proposal")["office_printed"].n_unique()
    digest = listing.digest if listing is not None else None
    if same_source and lake.paths(TABLE) and rows.equals(read_frame(lake.paths(TABLE)).sort("report_id")):
        lake.state[STATE] = {**seen, "source": source, "listing": digest}
        return n
    key = hashlib.sha256(f"{source}{digest}".encode()).hexdigest()[:24]
    lake.drop(TABLE, lake.part_names(TABLE))
    lake.write_frame(TABLE, rows, f"offices-{key[:12]}")
    lake.state[STATE] = {"key": key, "source": source, "listing": digest, "proposals": n}
    return n


def _resolved(lake: Lake, offices: pl.DataFrame, matcher: Matcher, listing: Listing | None) -> pl.DataFrame:
    """`report_offices`' rows, by report."""
    reports = read_frame(lake.paths("reports"), ["report_id", "office"])
    if not offices.height:  # no registry: the printings of one name are one office
        return same_names(reports)
    names = resolve_names(matcher, reports["office"])
    printed = reports.rename({"office": "office_printed"})
    named = printed.join(names, on="office_printed")
    unnamed = printed.filter(pl.col("office_printed").is_null()).select("report_id")
    asked = unnamed  # the reports whose files' paths are looked up
    if matcher.patterns:  # …and those printing a name that is none, or could be several, of the registry's offices
        undecided = pl.col("office_match").is_in(list(UNDECIDED)) | pl.col("office_also").is_not_null()
        asked = pl.concat([unnamed, named.filter(undecided).select("report_id")])
    if asked.height:
        docs = read_frame(lake.paths("documents"), ["source_path", "report_id", "ingested_at"])
        named = _by_path(named, resolve_paths(matcher, current_paths(docs, asked, listing)))
    return _unlisted_as_one(named).drop("office_also", strict=False).sort("report_id")


def _unlisted_as_one(named: pl.DataFrame) -> pl.DataFrame:
    """The rows of names the registry does not hold (unmatched, or only proposed) with the printings
    of one normal form as one office (`same_names`), as without a registry: 青山县人民政府 and 青山县政府
    are one office whether or not offices.csv lists others."""
    loose = named.filter(pl.col("office").is_null() & pl.col("office_match").is_in(["unmatched", "proposal"]))
    one = same_names(loose.select("report_id", pl.col("office_printed").alias("office")), "名录中没有此机关")
    if not one.height:
        return named
    one = one.select("report_id", pl.col("office").alias("same"), pl.col("office_note").alias("same_note"))
    return (named.join(one, on="report_id", how="left")
            .with_columns(pl.coalesce("same", "office").alias("office"),
                          pl.when(pl.col("same").is_not_null())
                          .then(pl.concat_str([pl.col("office_note"), pl.col("same_note")], separator="；", ignore_nulls=True))
                          .otherwise(pl.col("office_note")).alias("office_note"))
            .drop("same", "same_note"))
