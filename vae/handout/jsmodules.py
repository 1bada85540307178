"""The explorer's ES modules as ONE inline ``<script type="module">`` for the offline lecture file.

Why: the file must make no request at all, and an ES module's ``import … from "./core.js"`` is a request (from
``file://`` Chromium even refuses it). So each module becomes a function scope that returns its exports, run
once in dependency order, and each ``import`` becomes a read of the modules already run. The sources are the
explorer component's own files (``vae/ui/explorer/assets``) plus the handout's boot module, unchanged on disk.

The rewriting is deliberately narrow: it understands exactly the forms the explorer's modules use (named
imports of relative modules, ``export function | async function | class | const`` and one
``export default function``) and raises :class:`ModuleFormError` on anything else, so a new form is noticed
when the file is built instead of producing a broken page.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

_IMPORT = re.compile(r'^import\s*\{([^}]*)\}\s*from\s*"\./([\w.-]+\.js)";[ \t]*$', re.M)
_IMPORT_DEFAULT = re.compile(r'^import\s+([A-Za-z_$][\w$]*)\s+from\s*"\./([\w.-]+\.js)";[ \t]*$', re.M)
_EXPORT_DECL = re.compile(r"^export\s+(async\s+function\*?|function\*?|class|const)\s+([A-Za-z_$][\w$]*)", re.M)
_EXPORT_DEFAULT = re.compile(r"^export\s+default\s+(?=(async\s+)?function\b)", re.M)
_ANY_IMPORT_EXPORT = re.compile(r"^\s*(import|export)\b(?!\s*[(:.,])", re.M)
_NAME = re.compile(r"^[A-Za-z_$][\w$]*$")


class ModuleFormError(ValueError):
    """A module uses an import or export form the inliner does not rewrite."""


def _bindings(names: str, module: str) -> str:
    """``a, b as c`` -> ``a, b: c`` (a destructuring pattern)."""
    parts = []
    for item in (p.strip() for p in names.split(",")):
        if not item:
            continue
        pieces = item.split()
        if len(pieces) == 1 and _NAME.match(pieces[0]):
            parts.append(pieces[0])
        elif len(pieces) == 3 and pieces[1] == "as" and _NAME.match(pieces[0]) and _NAME.match(pieces[2]):
            parts.append(f"{pieces[0]}: {pieces[2]}")
        else:
            raise ModuleFormError(f"{module}: cannot rewrite the import of {item!r}")
    return ", ".join(parts)


def _rewrite(name: str, source: str) -> tuple[str, list[str], list[str]]:
    """(the module's body as a function body, the modules it imports, its exported names)."""
    deps: list[str] = []
    exports: list[str] = []

    def named_import(m: re.Match) -> str:
        deps.append(m.group(2))
        return f'const {{ {_bindings(m.group(1), name)} }} = __vxModules[{json.dumps(m.group(2))}];'

    def default_import(m: re.Match) -> str:
        deps.append(m.group(2))
        return f'const {m.group(1)} = __vxModules[{json.dumps(m.group(2))}].default;'

    def declaration(m: re.Match) -> str:
        exports.append(m.group(2))
        return f"{m.group(1)} {m.group(2)}"

    body = _IMPORT.sub(named_import, source)
    body = _IMPORT_DEFAULT.sub(default_import, body)
    body = _EXPORT_DECL.sub(declaration, body)
    body, n_default = _EXPORT_DEFAULT.subn("const __vxDefault = ", body)
    if n_default > 1:
        raise ModuleFormError(f"{name}: more than one default export")
    if n_default:
        exports.append("default: __vxDefault")
    left = _ANY_IMPORT_EXPORT.search(body)
    if left:
        line = body[left.start():body.find("\n", left.start())]
        raise ModuleFormError(f"{name}: cannot rewrite {line.strip()!r}")
    return body, deps, exports


def _order(entry: str, graph: dict[str, list[str]]) -> list[str]:
    """Modules reachable from ``entry``, each after the modules it imports; a cycle is an error."""
    done: list[str] = []
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name in done:
            return
        if name in visiting:
            raise ModuleFormError(f"import cycle through {name}")
        if name not in graph:
            raise ModuleFormError(f"module {name} is imported but not given")
        visiting.add(name)
        for dep in graph[name]:
            visit(dep)
        visiting.discard(name)
        done.append(name)

    visit(entry)
    return done


def inline_modules(sources: dict[str, str], entry: str) -> str:
    """One module script's text running ``entry`` and what it imports, from ``sources`` (file name -> ES module
    text). Every module body runs in its own function scope, once, before the modules that import it."""
    rewritten = {name: _rewrite(name, text) for name, text in sources.items()}
    order = _order(entry, {name: deps for name, (_, deps, _) in rewritten.items()})
    out = ["const __vxModules = Object.create(null);"]
    for name in order:
        body, _, exports = rewritten[name]
        out.append(f"// ---- {name}\n__vxModules[{json.dumps(name)}] = (() => {{\n{body}\n"
                   f"return {{ {', '.join(exports)} }};\n}})();")
    return "\n".join(out) + "\n"


def read_sources(*folders: Path) -> dict[str, str]:
    """Every ``*.js`` file of ``folders`` by file name (a later folder's file must not shadow an earlier one)."""
    sources: dict[str, str] = {}
    for folder in folders:
        for path in sorted(folder.glob("*.js")):
            if path.name in sources:
                raise ModuleFormError(f"two modules named {path.name}")
            sources[path.name] = path.read_text(encoding="utf-8")
    return sources
