"""The README matches the code: every shipped model is listed, the CLI synopsis names the real choices."""
from __future__ import annotations

import itertools
import json
import re
import subprocess
from pathlib import PurePosixPath

from browser_utils import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _expand(pattern: str) -> list[str]:
    """Shell-style brace expansion of one name: ``a{1,2}b`` -> ``a1b``, ``a2b``."""
    parts = re.split(r"\{([^}]*)\}", pattern)
    choices = [[p] if i % 2 == 0 else p.split(",") for i, p in enumerate(parts)]
    return ["".join(c) for c in itertools.product(*choices)]


def _section(title: str) -> str:
    return README.split(f"## {title}", 1)[1].split("\n## ", 1)[0]


def test_every_shipped_model_is_listed_and_every_listed_model_is_shipped():
    names = re.findall(r"`((?:fashion-mnist|mnist|sprites|digits)-[\w.{},-]+)`", _section("Shipped models"))
    listed = {name for code in names for name in _expand(code)}
    shipped = {p.name for p in (ROOT / "pretrained").iterdir() if p.is_dir() and not p.name.startswith("_")}
    assert shipped == listed, f"not in README: {sorted(shipped - listed)}; not shipped: {sorted(listed - shipped)}"


def test_cli_synopsis_lists_the_real_choices():
    from vae.__main__ import _parser

    train = _parser()._subparsers._group_actions[0].choices["train"]
    synopsis = _section("Command line")
    for action in train._actions:
        if action.choices and action.option_strings and action.dest != "device":
            shown = re.search(re.escape(action.option_strings[0]) + r" \{([^}]*)\}", synopsis)
            assert shown, f"{action.option_strings[0]} missing from the README's synopsis"
            assert shown.group(1).split(",") == list(action.choices), action.option_strings[0]


# -- the README's bench figures come from bench/results/ --------------------------------------------------------
RESULTS = ROOT / "bench" / "results"
_NUMBER = re.compile(r"(?<![\w.])[−-]?\d[\d,]*(?:\.\d+)?")
_FILE = re.compile(r"`([\w.-]+\.json)`")


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _tables() -> list[list[list[str]]]:
    """Every markdown table of the README, as rows of cells (the header first, the --- line left out)."""
    tables, rows = [], []
    for line in README.splitlines() + [""]:
        if line.startswith("|"):
            if not re.fullmatch(r"\|(\s*-+\s*\|)+", line.strip()):
                rows.append(_cells(line))
        elif rows:
            tables.append(rows)
            rows = []
    return tables


def _lookup(record: dict, path: str) -> float:
    """``a.b.0`` in the file's ``result`` (else in the whole record); ``x.length`` is the length of a list."""
    for root in (record["result"], record):
        node = root
        try:
            for part in path.split("."):
                if part == "length" and isinstance(node, list):
                    node = len(node)
                else:
                    node = node[int(part)] if isinstance(node, list) else node[part]
        except (KeyError, IndexError, ValueError, TypeError):
            continue
        return float(node)
    raise AssertionError(f"{path} is not in the file")


def _evaluate(record: dict, expression: str) -> float:
    """A key of the file, or keys and numbers joined by `` + - * / `` (spaces around each operator)."""
    words = expression.split()
    text = " ".join(w if w in "+-*/" or re.fullmatch(r"\d+(\.\d+)?", w) else repr(_lookup(record, w))
                    for w in words)
    assert re.fullmatch(r"[\d.e+\-*/ ()]+", text), text
    return eval(text)  # only numbers and operators


def _quoted(cell: str) -> list[tuple[float, int]]:
    """The numbers of a cell, each with its number of decimals."""
    out = []
    for raw in _NUMBER.findall(cell):
        raw = raw.replace("−", "-").replace(",", "")
        out.append((float(raw), len(raw.split(".")[1]) if "." in raw else 0))
    return out


def bench_figures() -> list[tuple[str, str, str, float, int]]:
    """(file, key expression, where, quoted value, decimals) for every figure of every table with a source column.

    A row's file is the ``*.json`` named in its source cell (then its "value" column is checked), or, when the
    table's header names files, each such column is checked against its own file. The source cell's other
    backticked words are the keys, in the order of the numbers in each checked cell."""
    figures = []
    for table in _tables():
        header = table[0]
        if header[-1] != "source":
            continue
        file_columns = {i: _FILE.search(h).group(1) for i, h in enumerate(header[:-1]) if _FILE.search(h)}
        for row in table[1:]:
            source = row[-1]
            keys = [k for k in re.findall(r"`([^`]+)`", source) if not k.endswith(".json")]
            row_file = _FILE.search(source)
            if row_file:
                columns = {header.index("value"): row_file.group(1)}
            else:
                columns = file_columns
            assert columns, f"no results file for the row {row[0]!r}"
            for i, name in columns.items():
                if not row[i]:
                    continue
                numbers = _quoted(row[i])
                where = f"{row[0]!r} ({name})"
                assert len(numbers) == len(keys), f"{where}: {len(numbers)} figures for the keys {keys}"
                figures += [(name, key, where, q, d) for key, (q, d) in zip(keys, numbers)]
    return figures


def test_every_bench_figure_is_in_its_results_file():
    figures = bench_figures()
    assert len(figures) > 100, "the README's sourced tables were not found"
    wrong = []
    for name, key, where, quoted, decimals in figures:
        record = json.loads((RESULTS / name).read_text(encoding="utf-8"))
        value = _evaluate(record, key)
        if abs(value - quoted) > 0.5 * 10 ** -decimals + 1e-9:
            wrong.append(f"{where}: {key} = {value:g} in the file, {quoted:g} in the README")
    assert not wrong, "\n".join(wrong)


def test_every_results_file_the_readme_names_exists():
    named = set(_FILE.findall(README)) - {"config.json", "metrics.json"}
    missing = sorted(n for n in named if not (RESULTS / n).is_file())
    assert not missing, f"named in the README, not in bench/results/: {missing}"


def test_benchmark_prose_quotes_no_measurement():
    """Outside the sourced tables and the commands, the Benchmarks section quotes no timing, size or ratio."""
    prose = [line for line in re.sub(r"```.*?```", "", _section("Benchmarks"), flags=re.S).splitlines()
             if not line.startswith("|")]
    unit = re.compile(r"\d\s*(ms|s|KB|MB|GB|GiB|%|×)(?!\w)|×\s*\d")
    assert not [line for line in prose if unit.search(line)]


# -- the layout lists every folder -------------------------------------------------------------------------------
def _tracked_folders() -> set[str]:
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    folders = {str(PurePosixPath(f).parent) for f in files}
    top = {f.split("/")[0] for f in folders if f != "."}
    package = {f for f in folders if f == "vae" or f.startswith("vae/")}
    return top | package


def test_layout_lists_every_folder():
    listed = set(re.findall(r"^\| `([^`]+?)/?` \|", _section("Layout"), flags=re.M))
    missing = sorted(_tracked_folders() - listed)
    assert not missing, f"folders the README's Layout does not describe: {missing}"
    stale = sorted(f for f in listed if not (ROOT / f).is_dir())
    assert not stale, f"listed in the Layout, not in the repository: {stale}"
