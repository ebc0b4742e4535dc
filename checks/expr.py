"""Rule expressions over template ids, compiled to polars expressions.

Grammar (a safe subset of Python): ids, `prev.id`, numbers, + - *, one comparison
(== >= <= > <), `and`, `whole(x)`, `abs(x)`, and `prefix_*` which expands to the
sum of every id starting with `prefix_` (per template).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

import polars as pl

PREV = "prev__"  # prefix of last year's columns beside this year's (`prev.x` in a rule)
TOLERANCE = 1e-6  # counts are whole numbers; amounts are compared to a millionth of 万元

_WILDCARD = re.compile(r"\b([a-z][a-z0-9_]*_)\*")
_CMP = {ast.Eq: "==", ast.GtE: ">=", ast.LtE: "<=", ast.Gt: ">", ast.Lt: "<"}


class RuleError(ValueError):
    pass


def expand(rule: str, ids: set[str]) -> str:
    def repl(m: re.Match) -> str:
        hits = sorted(i for i in ids if i.startswith(m.group(1)))
        if not hits:
            raise RuleError(f"'{m.group(0)}' 不匹配任何标识 (matches no id)")
        return "(" + " + ".join(hits) + ")"

    return _WILDCARD.sub(repl, rule)


def compile_rule(rule: str, ids: set[str]) -> pl.Expr:
    """`rule` compiled against the allowed ids to its condition: True holds, False fails, null not
    assessable; RuleError naming what is wrong."""
    text = expand(rule, ids)
    try:
        tree = ast.parse(text, mode="eval").body
    except SyntaxError as e:
        raise RuleError(f"规则语法错误 (syntax error): {e.msg}") from None
    def name(n: str) -> str:
        if n not in ids:
            raise RuleError(f"未知标识 '{n}'（模板中没有这一行或列） (unknown id)")
        return n

    def ev(node: ast.AST) -> pl.Expr:
        if isinstance(node, ast.Name):
            return pl.col(name(node.id))
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "prev":
            return pl.col(PREV + name(node.attr))
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            return pl.lit(float(node.value))
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub | ast.Mult):
            a, b = ev(node.left), ev(node.right)
            return a + b if isinstance(node.op, ast.Add) else a - b if isinstance(node.op, ast.Sub) else a * b
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -ev(node.operand)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("whole", "abs") \
                and len(node.args) == 1:
            x = ev(node.args[0])
            return (x == x.floor()) if node.func.id == "whole" else x.abs()
        raise RuleError(f"不支持的写法 (unsupported): {ast.unparse(node)}")

    if isinstance(tree, ast.BoolOp) and isinstance(tree.op, ast.And):
        parts = [compile_part(v, ev) for v in tree.values]
        cond = parts[0]
        for p in parts[1:]:
            cond = cond & p
        return cond
    return compile_part(tree, ev)


def compile_part(node: ast.AST, ev) -> pl.Expr:
    if isinstance(node, ast.Compare):
        if len(node.ops) != 1 or type(node.ops[0]) not in _CMP:
            raise RuleError("每条规则只能有一个比较（== >= <= > <） (exactly one comparison)")
        diff = ev(node.left) - ev(node.comparators[0])  # compared with a tolerance: amounts print decimals
        return {ast.Eq: diff.abs() < TOLERANCE, ast.GtE: diff > -TOLERANCE, ast.LtE: diff < TOLERANCE,
                ast.Gt: diff > TOLERANCE, ast.Lt: diff < -TOLERANCE}[type(node.ops[0])]
    if isinstance(node, ast.Call):
        return ev(node)
    raise RuleError("规则必须是比较或 whole(…) (a rule must be a comparison)")


@dataclass(frozen=True)
class Linear:
    """A rule as `Σ lhs[id]·value  op  Σ rhs[id]·value` (constants under the key '')."""

    lhs: dict[str, float]
    rhs: dict[str, float]
    op: str

    @property
    def ids(self) -> list[str]:
        return sorted({k for k in (*self.lhs, *self.rhs) if k})


def linear(rule: str, ids: set[str]) -> Linear:
    """The rule's linear form; RuleError when it is not a linear comparison over ids."""
    compile_rule(rule, ids)  # reports unknown ids and syntax first
    tree = ast.parse(expand(rule, ids), mode="eval").body
    if not isinstance(tree, ast.Compare) or len(tree.ops) != 1:
        raise RuleError("方程类检查须为一个线性比较（如 a + b == c） (an equation must be one linear comparison)")

    def terms(node: ast.AST, sign: float, out: dict[str, float]) -> None:
        if isinstance(node, ast.Name):
            out[node.id] = out.get(node.id, 0.0) + sign
        elif isinstance(node, ast.Attribute):
            key = PREV + node.attr
            out[key] = out.get(key, 0.0) + sign
        elif isinstance(node, ast.Constant):
            out[""] = out.get("", 0.0) + sign * float(node.value)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            terms(node.operand, -sign, out)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub):
            terms(node.left, sign, out)
            terms(node.right, sign if isinstance(node.op, ast.Add) else -sign, out)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult) and isinstance(node.left, ast.Constant):
            terms(node.right, sign * float(node.left.value), out)
        else:
            raise RuleError(f"方程类检查须为线性表达式 (not linear): {ast.unparse(node)}")

    lhs: dict[str, float] = {}
    rhs: dict[str, float] = {}
    terms(tree.left, 1.0, lhs)
    terms(tree.comparators[0], 1.0, rhs)
    return Linear(lhs, rhs, _CMP[type(tree.ops[0])])
