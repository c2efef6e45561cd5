"""Fill a Markdown template from measured figures.

A placeholder is ``{group.name}`` or ``{group.name:FORMAT}``, a figure of a group of
figures that one benchmark section measures. Literal braces are doubled (``{{``).

A template marks the part that a group's figures make with ``<!-- group: NAME -->`` …
``<!-- /group -->``. A group that nothing measured on this machine replaces its part with
one line saying which command measures it, and a placeholder elsewhere whose group is
missing says the same in place, so a page renders from whatever results there are and
never shows a number that was not measured.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from typing import Any

NA = "–"
GROUP = re.compile(r"^<!-- group: (\S+) -->\n(.*?)^<!-- /group -->\n?", re.M | re.S)


@dataclass
class Group:
    """The figures of one group, and where they come from."""

    command: str  # what measures them: `python -m bench perf`
    values: dict[str, Any] | None = None  # None: not measured here
    note: str = ""  # shown above the group's part, e.g. that the figures are recovered
    sources: list[str] = field(default_factory=list)
    optional: bool = False  # when not measured, its part is left out without a word


def not_measured(command: str) -> str:
    return f"Not measured on this machine yet: run `{command}`."


def fmt(x: Any, nd: int = 1) -> str:
    """A number as the tables show it: thousands separators, more digits when small."""
    if x is None or (isinstance(x, float) and x != x):
        return NA
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, float):
        if abs(x) < 1:
            nd = 3
        elif abs(x) < 10:
            nd = max(nd, 2)
        return f"{x:,.{nd}f}"
    if isinstance(x, int):
        return f"{x:,}"
    return str(x)


def table(headers: list[str], rows: list[list[Any]]) -> str:
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(c if isinstance(c, str) else fmt(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


class _Formatter(string.Formatter):
    def __init__(self, groups: dict[str, Group]):
        self.groups = groups

    def get_field(self, field_name: str, args: Any, kwargs: Any) -> tuple[Any, str]:
        group, _, name = field_name.partition(".")
        if group not in self.groups:
            raise KeyError(f"unknown group {group!r} in {{{field_name}}}")
        g = self.groups[group]
        if g.values is None:
            return _Missing(g.command), field_name
        if name not in g.values:
            raise KeyError(f"{{{field_name}}}: group {group!r} has no figure {name!r}")
        return g.values[name], field_name

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, _Missing):
            return f"(not measured yet: `{value.command}`)"
        if value is None:
            return NA
        if not format_spec and not isinstance(value, str):
            return fmt(value)
        return super().format_field(value, format_spec)


@dataclass
class _Missing:
    command: str


def fill(template: str, groups: dict[str, Group]) -> str:
    """The template with every placeholder filled (see the module docstring)."""
    formatter = _Formatter(groups)
    noted: set[str] = set()

    def part(m: re.Match[str]) -> str:
        name, body = m.group(1), m.group(2)
        if name not in groups:
            raise KeyError(f"unknown group {name!r} in a group marker")
        g = groups[name]
        if g.values is None:
            return "" if g.optional else not_measured(g.command) + "\n"
        note = f"*{g.note}*\n\n" if g.note and name not in noted else ""
        noted.add(name)
        return note + formatter.vformat(body, (), {})

    out, last = [], 0
    for m in GROUP.finditer(template):
        out.append(formatter.vformat(template[last : m.start()], (), {}))
        out.append(part(m))
        last = m.end()
    out.append(formatter.vformat(template[last:], (), {}))
    return "".join(out)


def placeholders(template: str) -> set[str]:
    """Every ``group.name`` the template asks for."""
    names = set()
    for _, field_name, _, _ in string.Formatter().parse(GROUP.sub(r"\2", template)):
        if field_name:
            names.add(field_name)
    return names
