"""Turns a page's code blocks into cells a learner works with, not a dump of the page.

On the page, a block that shows a function (``def unroll``) is often followed by a block that
imports the package's copy of it (``from lesson_code.day03.cells import unroll``), so that the page
and its tests exercise the tested code. In a notebook that silently throws the learner's own
definition away: edit ``RNNCell`` and nothing that follows changes. So, cell by cell and in order:

* an import of a name the notebook itself defined (a ``def`` or ``class`` in an earlier cell) is
  dropped, with a comment saying the notebook's definition is used; a page can keep the package's
  copy of a name, with its reason, in its front matter (``notebook: {package_names: {name: why}}``),
  and the cell then says so and why;
* a cell that defines something and uses a name no earlier cell defines (a constant or helper of
  the module the snippet comes from, which the page does not show) imports that name from the
  package, saying so, so that the cell runs where it stands;
* a cell that took a while when the notebook was last timed (``notebooks/cell-times.json``) starts
  with its expected time and sets torch to one thread (torch's default thread count is many
  times slower on a busy machine with few cores; one thread also makes a rerun repeat the same sums).
"""
from __future__ import annotations

import ast
import builtins
import importlib
import inspect
import re
from dataclasses import dataclass, field

#: A cell slower than this (seconds, as last timed) states its time and sets torch's threads.
LONG_CELL_SECONDS = 5.0
SNIPPET_LINE = re.compile(r'--8<--\s+"(?P<path>[^":]+)(?::[^"]*)?"')
BUILTINS = set(dir(builtins)) | {"__file__", "__name__", "get_ipython", "display"}


def module_of(path: str) -> str | None:
    """'lesson_code/day03/cells.py' -> 'lesson_code.day03.cells'; None for a file outside lesson_code."""
    if not (path.startswith("lesson_code/") and path.endswith(".py")):
        return None
    return path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")


def bound_names(tree: ast.AST) -> set[str]:
    """Every name the code binds anywhere (assignments, defs, arguments, imports, loop targets...)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
    return names


def top_level_names(tree: ast.Module) -> set[str]:
    """Names a cell leaves in the notebook's namespace (its top-level bindings)."""
    names: set[str] = set()
    for node in tree.body:
        names |= bound_names(node) if not isinstance(node, (ast.FunctionDef, ast.ClassDef)) else {node.name}
    return names


def definitions(tree: ast.Module) -> set[str]:
    """The functions and classes a cell defines at top level: the learner's own definitions."""
    return {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}


def loaded_names(tree: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


@dataclass
class Learner:
    """Rewrites a notebook's page cells in order; remembers what earlier cells defined."""
    package_names: dict[str, str] = field(default_factory=dict)   # name -> why the package's copy is kept
    times: dict[str, float] = field(default_factory=dict)         # cell key -> seconds when last timed
    defined: set[str] = field(default_factory=set)                # learner's defs and classes so far
    namespace: set[str] = field(default_factory=set)              # every top-level name so far

    def cell(self, code: str, snippet_files: list[str], key: str, runs: bool = True) -> str:
        """The learner's version of one cell (``key``: its entry in the timings). A cell that does not
        run (tagged to skip) defines nothing for the cells after it."""
        try:
            tree = ast.parse(code)
        except SyntaxError:
            return code
        lines = code.split("\n")
        lines = self._own_definitions_first(tree, lines)
        header = self._missing_names(tree, snippet_files) + self._time_header(key)
        if runs:
            self.namespace |= top_level_names(tree)
            self.defined |= definitions(tree)
        return "\n".join(header + lines)

    def _own_definitions_first(self, tree: ast.Module, lines: list[str]) -> list[str]:
        """Drop package imports of names the notebook defined (unless the page keeps them, saying why)."""
        edits = []
        for node in tree.body:
            if not (isinstance(node, ast.ImportFrom) and (node.module or "").startswith("lesson_code")):
                continue
            mine = [a for a in node.names if (a.asname or a.name) in self.defined and (a.asname or a.name)
                    not in self.package_names]
            kept_why = [(a.asname or a.name) for a in node.names
                        if (a.asname or a.name) in self.package_names and (a.asname or a.name) in self.defined]
            if not mine and not kept_why:
                continue
            rest = [a for a in node.names if a not in mine]
            indent = " " * node.col_offset
            new = []
            if mine:
                names = ", ".join(a.asname or a.name for a in mine)
                new.append(f"{indent}# {names}: your definition{'s' if len(mine) > 1 else ''} above, not the package's copy")
            for name in kept_why:
                new.append(f"{indent}# {name}: the package's copy on purpose: {self.package_names[name]}")
            if rest:
                spelled = ", ".join(a.name + (f" as {a.asname}" if a.asname else "") for a in rest)
                new.append(f"{indent}from {node.module} import {spelled}")
            edits.append((node.lineno - 1, node.end_lineno, new))
        for start, end, new in reversed(edits):
            lines[start:end] = new
        return lines

    def _missing_names(self, tree: ast.Module, snippet_files: list[str]) -> list[str]:
        """For a defining cell: imports of the names it uses that nothing before it defines."""
        if not definitions(tree):
            return []
        missing = sorted(loaded_names(tree) - bound_names(tree) - self.namespace - BUILTINS)
        header = []
        for name in missing:
            for module in filter(None, map(module_of, snippet_files)):
                value = getattr(importlib.import_module(module), name, None)
                if inspect.ismodule(value):                 # e.g. torch, or nn for torch.nn
                    header.append(f"import {value.__name__}" + (f" as {name}" if name != value.__name__ else ""))
                elif value is not None:
                    header.append(f"from {module} import {name}   # not shown on the page: the package's {name}")
                else:
                    continue
                break
        return header

    def _time_header(self, key: str) -> list[str]:
        seconds = self.times.get(key)
        if seconds is None or seconds < LONG_CELL_SECONDS:
            return []
        return [f"# Takes about {about(seconds)} (one thread; timed on a shared 2-core machine).",
                "import torch",
                "torch.set_num_threads(1)   # torch's default thread count is far slower on a busy machine",
                ""]


def about(seconds: float) -> str:
    """A rounded duration: '10 s', '40 s', '2 min'."""
    if seconds < 60:
        return f"{max(5, int(round(seconds / 5.0)) * 5)} s"
    return f"{round(seconds / 60.0 * 2) / 2:g} min"


def snippet_files(page_lines: list[str], block_page_lines: list[int], from_page: list[bool]) -> list[str]:
    """The files a block's snippet lines include (``--8<-- "path:section"``), in order."""
    files = []
    for line_no, own in zip(block_page_lines, from_page):
        if own:
            continue
        m = SNIPPET_LINE.search(page_lines[line_no - 1]) if 0 < line_no <= len(page_lines) else None
        if m and m["path"] not in files:
            files.append(m["path"])
    return files
