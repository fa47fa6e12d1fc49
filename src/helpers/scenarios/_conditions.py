"""Conditions (`when:`) over scenario state, read safely.

A condition is parsed with Python's ``ast`` module and accepted only if every part is on a short
whitelist: state names, ``not``, ``and``, ``or``, comparisons with whole numbers or
``true``/``false``, and brackets. It is then evaluated by walking the tree here; nothing is ever
passed to ``eval``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

ALLOWED_HELP = (
    "use state names, not, and, or, brackets and comparisons with whole numbers, "
    "e.g. `nr_consulted and rapport >= 2`"
)

_COMPARE = {
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
}
_LITERAL_NAMES = {"true": True, "false": False, "True": True, "False": False}
RESERVED_NAMES = frozenset({"and", "or", "not", "true", "false", "none", "in", "is"})


class ConditionError(ValueError):
    """A condition that is not allowed; the message says what to write instead."""


@dataclass(frozen=True)
class Condition:
    """A parsed condition: its source text, the state names it reads, and its tree."""

    source: str
    names: frozenset[str]
    tree: ast.expr
    compared: frozenset[str]  # names used in a comparison with a number
    bare: frozenset[str]  # names used on their own as true/false

    def evaluate(self, state: dict[str, Any]) -> bool:
        return bool(_evaluate(self.tree, state))


@lru_cache(maxsize=512)
def parse_condition(source: str) -> Condition:
    """Parse ``source`` or raise :class:`ConditionError` with a plain-English reason."""
    if not isinstance(source, str) or not source.strip():
        raise ConditionError("is empty")
    try:
        tree = ast.parse(source.strip(), mode="eval").body
    except SyntaxError:
        raise ConditionError(f"'{source}' cannot be read as a condition") from None
    names: set[str] = set()
    compared: set[str] = set()
    bare: set[str] = set()
    _check(tree, source, names, compared, bare, in_compare=False)
    return Condition(source, frozenset(names), tree, frozenset(compared), frozenset(bare))


def _check(node, source, names, compared, bare, in_compare) -> None:
    if isinstance(node, ast.BoolOp) and isinstance(node.op, (ast.And, ast.Or)):
        for value in node.values:
            _check(value, source, names, compared, bare, False)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        _check(node.operand, source, names, compared, bare, False)
    elif isinstance(node, ast.Compare):
        if not all(type(op) in _COMPARE for op in node.ops):
            raise ConditionError(
                f"'{source}' uses a comparison that is not allowed (use ==, !=, <, <=, >, >=)"
            )
        operands = [node.left, *node.comparators]
        for operand in operands:
            if _is_int(operand):
                continue
            if isinstance(operand, (ast.BoolOp, ast.UnaryOp, ast.Compare)):
                raise ConditionError(f"'{source}': put brackets around each comparison")
            _check(operand, source, names, compared, bare, True)
        has_number = any(_is_int(o) for o in operands)
        for operand in operands:
            if isinstance(operand, ast.Name) and operand.id not in _LITERAL_NAMES:
                (compared if has_number else bare).add(operand.id)
    elif isinstance(node, ast.Name):
        if node.id in _LITERAL_NAMES:
            return
        names.add(node.id)
        if not in_compare:
            bare.add(node.id)
    elif isinstance(node, ast.Constant) and _is_int(node):
        if not in_compare:
            raise ConditionError(f"'{source}': a number on its own is not a condition")
    elif isinstance(node, ast.Constant) and isinstance(node.value, bool):
        return
    else:
        raise ConditionError(f"'{source}' contains something that is not allowed in a condition")


def _is_int(node: ast.AST) -> bool:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        node = node.operand
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, int)
        and not isinstance(node.value, bool)
    )


def _evaluate(node: ast.AST, state: dict[str, Any]) -> Any:
    if isinstance(node, ast.BoolOp):
        values = (_evaluate(v, state) for v in node.values)
        return all(values) if isinstance(node.op, ast.And) else any(values)
    if isinstance(node, ast.UnaryOp):
        value = _evaluate(node.operand, state)
        return (not value) if isinstance(node.op, ast.Not) else -value
    if isinstance(node, ast.Compare):
        left = _evaluate(node.left, state)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = _evaluate(right_node, state)
            if not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.Name):
        if node.id in _LITERAL_NAMES:
            return _LITERAL_NAMES[node.id]
        return state[node.id]
    if isinstance(node, ast.Constant):
        return node.value
    raise ConditionError("condition contains something that is not allowed")  # pragma: no cover


def to_harlowe(condition: Condition) -> str:
    """The condition in Harlowe 3 syntax (state names become ``$name``), fully bracketed."""
    return _harlowe(condition.tree)


def _harlowe(node: ast.AST) -> str:
    if isinstance(node, ast.BoolOp):
        joiner = " and " if isinstance(node.op, ast.And) else " or "
        return "(" + joiner.join(_harlowe(v) for v in node.values) + ")"
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return f"(not {_harlowe(node.operand)})"
    if isinstance(node, ast.UnaryOp):
        return f"-{_harlowe(node.operand)}"
    if isinstance(node, ast.Compare):
        words = {ast.Eq: "is", ast.NotEq: "is not"}
        parts = []
        left = node.left
        for op, right in zip(node.ops, node.comparators, strict=True):
            symbol = (
                words.get(type(op))
                or {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}[type(op)]
            )
            parts.append(f"({_harlowe(left)} {symbol} {_harlowe(right)})")
            left = right
        return parts[0] if len(parts) == 1 else "(" + " and ".join(parts) + ")"
    if isinstance(node, ast.Name):
        if node.id in _LITERAL_NAMES:
            return "true" if _LITERAL_NAMES[node.id] else "false"
        return f"${node.id}"
    if isinstance(node, ast.Constant):
        return (
            ("true" if node.value else "false") if isinstance(node.value, bool) else str(node.value)
        )
    raise ConditionError("condition contains something that is not allowed")  # pragma: no cover
