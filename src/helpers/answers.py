"""Helpers for assessed notebooks: plain messages at the slips students typically make.

Three tools, for the test cells and hints of an assessed notebook (``docs/assessed-notebook-
template.md`` shows them in place):

* :func:`expect_name` fetches the variable an answer cell should have made. If it is missing it
  says so in words, and when the student defined a name that looks close (``mhsds_chnage`` for
  ``mhsds_change``) it names it: "the name may be misspelt".
* :func:`value_for` picks one value out of a table by its labels, e.g.
  ``value_for(rates, "rate_per_100k", year="2022-23", ethnic_group="White")``. A mistyped label
  gets an error that lists the labels there are, instead of pandas' "can only convert an array
  of size 1 to a Python scalar".
* :func:`plain_test_messages` (called once in the setup cell) makes a failed check show its
  plain-English message alone, in red, instead of a traceback with the helpful sentence last.

A failed check raises :class:`CheckFailed`, an ``AssertionError``: nbgrader counts it as a
failed test exactly like a failed ``assert``.
"""

from __future__ import annotations

import difflib
import inspect
import types
from typing import Any

__all__ = ["CheckFailed", "expect_name", "plain_test_messages", "value_for"]

_MISSING = object()


class CheckFailed(AssertionError):
    """A check did not pass; the message says, in plain English, what to do next."""


# --------------------------------------------------------------------------- expect_name


def _user_names(namespace: dict[str, Any]) -> list[str]:
    """Names the student made: no modules, no imported functions, no IPython bookkeeping."""
    ipython = {"In", "Out", "exit", "quit", "get_ipython"}
    names = []
    for name, value in namespace.items():
        if name.startswith("_") or name in ipython:
            continue
        if isinstance(value, types.ModuleType | types.FunctionType | type):
            continue
        names.append(name)
    return names


def _caller_namespace() -> dict[str, Any]:
    try:
        from IPython import get_ipython

        shell = get_ipython()
        if shell is not None:
            return shell.user_ns
    except ImportError:  # pragma: no cover - IPython comes with Jupyter
        pass
    frame = inspect.currentframe()
    # two frames up: the caller of expect_name (or of value_for)
    caller = frame.f_back.f_back if frame and frame.f_back else None
    return dict(caller.f_globals) if caller else {}


def expect_name(name: str, namespace: dict[str, Any] | None = None) -> Any:
    """The value of the variable ``name`` that an answer cell should have created.

    Raises :class:`CheckFailed` with a plain message if it does not exist (naming the close
    spellings the student did define) or if it still holds the placeholder ``...``.

    Example, in a test cell::

        mhsds_change = expect_name("mhsds_change")
        assert abs(mhsds_change) < 10_000, "That looks too big: ..."
    """
    space = _caller_namespace() if namespace is None else namespace
    value = space.get(name, _MISSING)
    if value is _MISSING:
        close = difflib.get_close_matches(name, _user_names(space), n=3, cutoff=0.6)
        if close:
            listed = " or ".join(f"'{other}'" for other in close)
            raise CheckFailed(
                f"There is no variable called '{name}', but you have {listed}: the name may be "
                f"misspelt. Change your answer cell so it stores the answer in '{name}' (exactly "
                "that spelling), run it, then run this cell again."
            )
        raise CheckFailed(
            f"There is no variable called '{name}' yet. Run your answer cell above first; if "
            f"you did, check that it stores the answer in '{name}' (exactly that spelling)."
        )
    if value is Ellipsis:
        raise CheckFailed(
            f"'{name}' still holds the placeholder '...'. Replace the ... in your answer cell "
            "with your calculation, run it, then run this cell again."
        )
    return value


# --------------------------------------------------------------------------- value_for


def _shown(values: list[Any], limit: int = 12) -> str:
    labels = [str(v) for v in values]
    more = f" and {len(labels) - limit} more" if len(labels) > limit else ""
    return ", ".join(labels[:limit]) + more


def value_for(table: Any, column: str, **where: Any) -> Any:
    """The one value in ``column`` on the row that matches every label in ``where``.

    Example: ``value_for(rates, "rate_per_100k", year="2022-23", ethnic_group="White")``.
    A label that is not in the table, or a choice that matches no row or several rows, raises
    :class:`CheckFailed` saying which labels there are.
    """
    if column not in table.columns:
        raise CheckFailed(
            f"The table has no column '{column}'. Its columns are: {_shown(list(table.columns))}."
        )
    rows = table
    for field, wanted in where.items():
        if field not in table.columns:
            raise CheckFailed(
                f"The table has no column '{field}'. Its columns are: "
                f"{_shown(list(table.columns))}."
            )
        present = list(dict.fromkeys(table[field].dropna().tolist()))
        if wanted not in present:
            close = difflib.get_close_matches(str(wanted), [str(p) for p in present], n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            raise CheckFailed(
                f"There is no {field} '{wanted}' in this table.{hint} The {field} values are: "
                f"{_shown(present)}."
            )
        rows = rows[rows[field] == wanted]
    chosen = ", ".join(f"{field} '{wanted}'" for field, wanted in where.items()) or "no labels"
    if len(rows) == 0:
        raise CheckFailed(f"No row has {chosen} together: check each label against the table.")
    if len(rows) > 1:
        others = [c for c in table.columns if c not in where and c != column]
        raise CheckFailed(
            f"{len(rows)} rows have {chosen}, so there is more than one {column}. Add a label "
            f"to choose one row, for example one of: {_shown(others, 6)}."
        )
    value = rows[column].iloc[0]
    return value.item() if hasattr(value, "item") else value


# --------------------------------------------------------------------------- plain messages


def _plain_message(shell, etype, value, tb, tb_offset=None) -> list[str]:
    """IPython's handler for a failed check: show the message alone, as the cell's error."""
    message = str(value).strip()
    if not message:  # a bare ``assert`` has nothing to say: show the usual traceback
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
        return []
    red, bold, reset = "\x1b[0;31m", "\x1b[1m", "\x1b[0m"
    shown = [f"{red}{bold}✘ This check did not pass.{reset}", f"{red}{message}{reset}"]
    # Sent as the cell's error (ename, evalue, these lines), so nbgrader still sees a failure.
    shell._showtraceback(etype, value, shown)
    return shown


def plain_test_messages() -> None:
    """Show failed checks (``assert`` with a message, :class:`CheckFailed`) as their message only.

    Call it once in the setup cell of an assessed notebook. The cell still fails (nbgrader still
    counts the test as failed); only the display changes. Outside IPython it does nothing.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return
    shell = get_ipython()
    if shell is not None:
        shell.set_custom_exc((AssertionError,), _plain_message)
