"""The README matches the code: every shipped model is listed, the CLI synopsis names the real choices."""
from __future__ import annotations

import itertools
import re

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
    names = re.findall(r"`((?:mnist|sprites|digits)-[\w.{},-]+)`", _section("Shipped models"))
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
