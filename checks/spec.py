"""Loading the check suite: YAML entries -> CheckSpec, rejected at start-up with file and line."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from checks.expr import RuleError, compile_rule, linear
from gkqc import yamlfile
from gkqc.templates import TEMPLATES, registry

SUITE_DIR = Path(__file__).with_name("suite")
SETTINGS = Path(__file__).with_name("settings.yaml")
KINDS = {"equation", "cell", "cross_year", "procedural"}
SEVERITIES = {"error", "warning", "info"}
TABLES = {"applications", "reviews", "active_disclosure"}
SCOPES = {"applications": {"per_column", "per_row"}, "reviews": {"per_group"}, "active_disclosure": {"per_row"}}
FIELDS = {"id", "title", "severity", "templates", "kind", "table", "scope", "rule", "message", "subjects", "block",
          "exclude_metrics", "function"}


class SuiteError(ValueError):
    """A check file cannot be used; the message names file, line and reason."""


@dataclass(frozen=True)
class CheckSpec:
    id: str
    title: str
    severity: str
    kind: str
    templates: tuple[str, ...] = TEMPLATES
    table: str | None = None
    scope: str | None = None
    rule: str | None = None
    message: str | None = None
    subjects: tuple[str, ...] = ()
    block: str | None = None
    exclude_metrics: tuple[str, ...] = ()
    function: str | None = None
    source: str = ""
    line: int = 0
    extra: dict = field(default_factory=dict, compare=False)


def scope_ids(table: str, scope: str | None, template: str, block: str | None = None) -> tuple[set[str], set[str]]:
    """(ids a rule may name, ids that are subjects) for one table, scope and template."""
    reg = registry()
    if table == "applications":
        rows, cols = reg.ids("app_row", template), reg.ids("app_column")
        return (rows, cols) if scope == "per_column" else (cols, rows)
    if table == "reviews":
        return reg.ids("review_metric"), reg.ids("review_group")
    blocks = [b for b in reg.blocks_for(template) if block is None or b.id == block]
    return {m.id for b in blocks for m in b.metrics}, {r.id for b in blocks for r in b.rows}


def _lines_of(text: str) -> list[int]:
    node = yamlfile.compose(text)
    if node is None:
        return []
    if not isinstance(node, yaml.SequenceNode):
        return [node.start_mark.line + 1]
    return [item.start_mark.line + 1 for item in node.value]


def load_file(path: Path, known_functions: set[str]) -> list[CheckSpec]:
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
    return [_spec(entry, path, line, known_functions) for entry, line in zip(data, lines, strict=True)]


def _spec(d: dict, path: Path, line: int, known_functions: set[str]) -> CheckSpec:
    def bad(reason: str) -> SuiteError:
        return SuiteError(f"{path}:{line}: 检查 {d.get('id', '?') if isinstance(d, dict) else '?'}: {reason}")

    if not isinstance(d, dict):
        raise bad("条目应为键值对 (an entry is a mapping)")
    unknown = set(d) - FIELDS
    if unknown:
        raise bad(f"未知字段 {sorted(unknown)} (unknown fields)")
    for req in ("id", "title", "severity", "kind"):
        if req not in d:
            raise bad(f"缺少字段 {req} (missing field)")
    if d["severity"] not in SEVERITIES:
        raise bad(f"严重程度 '{d['severity']}' 无效，应为 {sorted(SEVERITIES)}")
    if d["kind"] not in KINDS:
        raise bad(f"类别 '{d['kind']}' 无效，应为 {sorted(KINDS)}")
    templates = tuple(d.get("templates", TEMPLATES))
    if set(templates) - set(TEMPLATES):
        raise bad(f"未知模板 {sorted(set(templates) - set(TEMPLATES))}")
    spec = CheckSpec(
        id=str(d["id"]), title=d["title"], severity=d["severity"], kind=d["kind"], templates=templates,
        table=d.get("table"), scope=d.get("scope"), rule=d.get("rule"), message=d.get("message"),
        subjects=tuple(d.get("subjects", ())), block=d.get("block"),
        exclude_metrics=tuple(d.get("exclude_metrics", ())), function=d.get("function"),
        source=str(path), line=line)
    if spec.kind == "procedural":
        if spec.function not in known_functions:
            raise bad(f"未注册的程序性检查函数 '{spec.function}' (unknown function)")
        return spec
    if spec.table not in TABLES:
        raise bad(f"表 '{spec.table}' 无效，应为 {sorted(TABLES)}")
    if not spec.rule:
        raise bad("缺少规则 rule (missing rule)")
    for t in spec.templates:
        if spec.kind == "cell":
            ids = {"value"}
        else:
            if spec.scope not in SCOPES[spec.table]:
                raise bad(f"范围 '{spec.scope}' 对表 {spec.table} 无效，应为 {sorted(SCOPES[spec.table])}")
            if spec.block and spec.block not in registry().ids("block", t):
                raise bad(f"模板 {t} 中没有表块 '{spec.block}'")
            ids, subjects = scope_ids(spec.table, spec.scope, t, spec.block)
            if set(spec.subjects) - subjects:
                raise bad(f"模板 {t} 中没有对象 {sorted(set(spec.subjects) - subjects)}")
        try:
            linear(spec.rule, ids) if spec.kind in ("equation", "cross_year") else compile_rule(spec.rule, ids)
        except RuleError as e:
            raise bad(f"模板 {t}：{e}") from None
    return spec


def load_suite(suite_dir: Path = SUITE_DIR) -> list[CheckSpec]:
    """Every check of every file in the suite folder; ids unique per template."""
    from checks.procedural import FUNCTIONS

    specs: list[CheckSpec] = []
    for path in sorted(Path(suite_dir).glob("*.y*ml")):
        specs += load_file(path, set(FUNCTIONS))
    seen: dict[tuple[str, str], CheckSpec] = {}
    for s in specs:
        for t in s.templates:
            if (s.id, t) in seen:
                first = seen[(s.id, t)]
                raise SuiteError(f"{s.source}:{s.line}: 检查 {s.id}: 与 {first.source}:{first.line} 重复 (duplicate id)")
            seen[(s.id, t)] = s
    return specs


def load_settings(path: Path = SETTINGS) -> dict:
    return yamlfile.load(path.read_text(encoding="utf-8"))


def suite_fingerprint(suite_dir: Path = SUITE_DIR, settings: Path = SETTINGS) -> str:
    """Changes when any check or setting changes (then every report is re-checked)."""
    h = hashlib.sha256()
    for p in [*sorted(Path(suite_dir).glob("*.y*ml")), settings, *sorted(Path(__file__).parent.glob("*.py"))]:
        h.update(p.read_bytes())
    return h.hexdigest()[:16]
