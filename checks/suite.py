"""Loading the check suite: YAML entries -> CheckSpec, each validated by its kind, rejected at
start-up with file, line and reason before any data is touched."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

import yaml

from checks.blanks import blank_policy
from checks.kinds import KINDS
from checks.kinds.procedural import check_deadlines
from checks.spec import COMMON_FIELDS, CheckSpec, SuiteError
from gkqc import yamlfile
from gkqc.templates import registry, registry_digest
from schemas.lake import SEVERITIES

SUITE_DIR = Path(__file__).with_name("suite")
SETTINGS = Path(__file__).with_name("settings.yaml")


def _lines_of(text: str) -> list[int]:
    node = yamlfile.compose(text)
    if node is None:
        return []
    if not isinstance(node, yaml.SequenceNode):
        return [node.start_mark.line + 1]
    return [item.start_mark.line + 1 for item in node.value]


def load_file(path: Path) -> list[CheckSpec]:
    text = path.read_text(encoding="utf-8")
    try:
        data = yamlfile.load(text)
        lines = _lines_of(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "context_mark", None) or getattr(e, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise SuiteError(f"{where}: YAML 语法错误 (syntax error): {getattr(e, 'problem', e)}") from None
    if data is None:
        return []
    if not isinstance(data, list):
        raise SuiteError(f"{path}:1: 检查文件应为条目列表 (a check file is a list of entries)")
    return [_spec(entry, path, line) for entry, line in zip(data, lines, strict=True)]


def _spec(d: dict, path: Path, line: int) -> CheckSpec:
    def bad(reason: str) -> SuiteError:
        return SuiteError(f"{path}:{line}: 检查 {d.get('id', '?') if isinstance(d, dict) else '?'}: {reason}")

    if not isinstance(d, dict):
        raise bad("条目应为键值对 (an entry is a mapping)")
    for req in ("id", "title", "severity", "kind"):
        if req not in d:
            raise bad(f"缺少字段 {req} (missing field)")
    if d["severity"] not in SEVERITIES:
        raise bad(f"严重程度 '{d['severity']}' 无效，应为 {sorted(SEVERITIES)}")
    kind = KINDS.get(d["kind"])
    if kind is None:
        raise bad(f"类别 '{d['kind']}' 无效，应为 {sorted(KINDS)}")
    unknown = set(d) - COMMON_FIELDS - kind.fields
    if unknown:
        raise bad(f"未知字段 {sorted(unknown)} (unknown fields for kind {kind.name})")
    reg = registry()
    named = tuple(d.get("templates", reg.templates))
    if set(named) - set(reg.printed):
        raise bad(f"未知模板 {sorted(set(named) - set(reg.printed))}")
    spec = CheckSpec(
        id=str(d["id"]), title=d["title"], severity=d["severity"], kind=d["kind"], templates=named,
        table=d.get("table"), scope=d.get("scope"), rule=d.get("rule"), message=d.get("message"),
        subjects=tuple(d.get("subjects", ())), block=d.get("block"),
        exclude_metrics=tuple(d.get("exclude_metrics", ())), function=d.get("function"),
        source=str(path), line=line, extra={k: d[k] for k in kind.fields if k in d})
    # the printed forms it holds for: the templates named (every one by default) and their variants, each
    # where it prints what the rule names (P2: the 2021 template's 现行有效件数) or as its kind says (T2)
    forms = named + tuple(v for v in reg.variants_of(named) if v not in named)
    applying = tuple(t for t in forms if kind.applies(spec, t))
    if not applying or ("templates" in d and set(named) - set(applying)):
        kind.validate(replace(spec, templates=named), bad)  # names what a template lacks (a misspelt id)
    spec = replace(spec, templates=applying)  # () when none does (a registry whose templates state no fee: T2)
    kind.validate(spec, bad)
    return spec


def load_suite(suite_dir: Path = SUITE_DIR) -> list[CheckSpec]:
    """Every check of every file in the suite folder; ids unique in the suite (the catalog, the
    findings and the reviewers' decisions know a check by its id). The settings are checked too, so
    that a bad one stops a run before any data is touched."""
    load_settings()
    specs: list[CheckSpec] = []
    for path in sorted(Path(suite_dir).glob("*.y*ml")):
        specs += load_file(path)
    seen: dict[str, CheckSpec] = {}
    for s in specs:
        if s.id in seen:
            first = seen[s.id]
            raise SuiteError(f"{s.source}:{s.line}: 检查 {s.id}: 与 {first.source}:{first.line} 重复 (duplicate id)")
        seen[s.id] = s
    return specs


def load_settings(path: Path = SETTINGS) -> dict:
    """The suite's settings (deadlines, blank-cell policy), checked: a bad value stops the run."""
    settings = yamlfile.load(path.read_text(encoding="utf-8")) or {}
    try:
        blank_policy(settings)
        check_deadlines(settings)
        scoring(settings)
    except SuiteError as e:
        raise SuiteError(f"{path}: {e}") from None
    return settings


GRADES = ("A", "B", "C")  # graded by threshold; below the last is D, an office-year without a report F


def scoring(settings: dict) -> dict[str, int]:
    """The points a failing check costs by severity and the grades' thresholds (`scoring`), as the
    warehouse's `scoring` table holds them; SuiteError when they are not whole numbers 0–100 with
    A's threshold above B's above C's."""
    given = settings.get("scoring")
    if not isinstance(given, dict) or not isinstance(given.get("grades"), dict):
        raise SuiteError("scoring: 应含 error、warning 扣分与 grades 分数线 (missing scoring)")
    named = {"error": given.get("error"), "warning": given.get("warning"),
             **{f"grades.{g}": given["grades"].get(g) for g in GRADES}}
    bad = [k for k, v in named.items() if type(v) is not int or not 0 <= v <= 100]
    if bad:
        raise SuiteError(f"scoring.{bad[0]}: '{named[bad[0]]}' 应为 0–100 的整数 (a whole number 0-100)")
    if not named["grades.A"] > named["grades.B"] > named["grades.C"]:
        raise SuiteError("scoring.grades: 分数线应 A > B > C (thresholds must fall from A to C)")
    return {"error_points": named["error"], "warning_points": named["warning"],
            **{f"grade_{g.lower()}": named[f"grades.{g}"] for g in GRADES}}


def suite_fingerprint() -> str:
    """Changes when any check, setting or the template registry changes (then every report is re-checked)."""
    h = hashlib.sha256(registry_digest().encode())
    code = sorted(Path(__file__).parent.glob("**/*.py"))
    for p in [*sorted(SUITE_DIR.glob("*.y*ml")), SETTINGS, *code]:
        h.update(p.read_bytes())
    return h.hexdigest()[:16]
