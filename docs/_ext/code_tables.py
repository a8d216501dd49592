"""Sphinx extension: reference tables read from the code at build time, so they cannot drift.

Directives:

``.. dataclass-fields:: module.Class``
    One row per field of a dataclass: its key, type, default and the comment beside it in the
    source (a trailing ``# ...`` or ``#:`` lines above it); ``key: text`` lines in the body
    describe fields the source leaves uncommented (a key that is not a field is an error);
    ``:exclude: a, b`` leaves fields out.
``.. docstring-section:: module Title``
    The section called ``Title`` (an RST heading underlined with ``-``) of a module's docstring.
``.. activation-ids::``
    The WANN activation ids, names and formulas
    (:data:`scratchnn.wann.networks.activations.ACTIVATIONS_BY_ID`).
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import re
import textwrap
from typing import ClassVar

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective


def _object(path: str) -> object:
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


def _comments(cls: type) -> dict[str, str]:
    """``{field: comment}`` from the class's source: ``name: type = x  # comment`` or ``#:``
    lines just above the field."""
    found: dict[str, str] = {}
    above: list[str] = []
    for line in textwrap.dedent(inspect.getsource(cls)).splitlines()[1:]:
        s = line.strip()
        if s.startswith("#:"):
            above.append(s[2:].strip())
            continue
        m = re.match(r"(\w+)\s*:\s*[^=#]+(?:=[^#]*)?(?:#\s*(.*))?$", s)
        if m and line.startswith("    ") and not line.startswith("     "):
            text = " ".join([*above, m.group(2) or ""]).strip()
            found[m.group(1)] = text
        above = [] if not s.startswith("#") else above
    return found


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


class DataclassFields(SphinxDirective):
    required_arguments = 1
    option_spec: ClassVar[dict] = {
        "prefix": lambda s: s.strip(),
        "exclude": lambda s: {name.strip() for name in s.split(",") if name.strip()},
    }

    has_content = True

    def run(self) -> list[nodes.Node]:
        cls = _object(self.arguments[0])
        notes = _comments(cls)
        names = {f.name for f in dataclasses.fields(cls)}
        for line in self.content:  # "key: meaning" for fields the source does not comment
            key, _, text = line.partition(":")
            if key.strip() not in names:
                raise self.error(f"{self.arguments[0]} has no field {key.strip()!r}")
            notes[key.strip()] = notes.get(key.strip()) or text.strip()
        prefix = self.options.get("prefix", "")
        excluded = self.options.get("exclude", set())
        if excluded - names:
            raise self.error(f"{self.arguments[0]} has no field {sorted(excluded - names)[0]!r}")
        rows = ["| key | type | default | meaning |", "|---|---|---|---|"]
        for f in dataclasses.fields(cls):
            if f.name in excluded:
                continue
            if f.default is not dataclasses.MISSING:
                default = repr(f.default)
            elif f.default_factory is not dataclasses.MISSING:
                default = repr(f.default_factory())
            else:
                default = "(required)"
            kind = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", str(f.type))
            rows.append(
                f"| `{prefix}{f.name}` | `{_cell(kind)}` | `{_cell(default)}` | "
                f"{_cell(notes.get(f.name, ''))} |"
            )
        return self.parse_text_to_nodes("\n".join(rows))


class DocstringSection(SphinxDirective):
    required_arguments = 2
    final_argument_whitespace = True

    def run(self) -> list[nodes.Node]:
        module, title = self.arguments
        doc = inspect.getdoc(importlib.import_module(module)) or ""
        lines = doc.splitlines()
        for i in range(len(lines) - 1):
            if lines[i].strip() == title and set(lines[i + 1].strip()) == {"-"}:
                body = []
                for line in lines[i + 2 :]:
                    if body and set(line.strip()) == {"-"} and len(line.strip()) > 3:
                        body.pop()  # the next section's title
                        break
                    body.append(line)
                break
        else:
            raise self.error(f"{module}'s docstring has no section {title!r}")
        node = nodes.container()
        self.state.nested_parse(StringList(body, source=module), self.content_offset, node)
        return node.children


class ActivationIds(SphinxDirective):
    def run(self) -> list[nodes.Node]:
        from scratchnn.wann.networks.activations import ACTIVATIONS_BY_ID

        rows = ["| id | activation | f(x) |", "|---|---|---|"]
        rows += [f"| {i} | {a.name} | `{a.formula}` |" for i, a in ACTIVATIONS_BY_ID.items()]
        return self.parse_text_to_nodes("\n".join(rows))


def setup(app: Sphinx) -> dict[str, object]:
    app.add_directive("dataclass-fields", DataclassFields)
    app.add_directive("docstring-section", DocstringSection)
    app.add_directive("activation-ids", ActivationIds)
    setup_resolver(app)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


# --- relative names in docstrings ---------------------------------------------------------------
# Docstrings name objects as their module imports them (:class:`ConfigError` in
# scratchnn.config, which imports it from scratchnn.errors). Resolve such a name to the one
# documented object whose full name ends with it; a private or undocumented scratchnn name stays
# plain code text. Anything else is left to Sphinx (and reported under -n).


def _resolve_short_name(app: Sphinx, env, node, contnode):
    if node.get("refdomain") != "py":
        return None
    target = node["reftarget"].lstrip("~.")
    domain = env.get_domain("py")
    suffix = "." + target
    module = node.get("py:module") or ""
    hits = [
        (name, obj)
        for name, obj in domain.objects.items()
        if name.endswith(suffix) and name.startswith("scratchnn.")
    ]
    if len(hits) > 1:  # prefer the one in the referring module's package
        near = [h for h in hits if h[0].startswith(module.rpartition(".")[0] + ".")]
        hits = near or hits
    if len(hits) == 1 or (hits and len({obj.docname for _, obj in hits}) == 1):
        name, obj = hits[0]
        from sphinx.util.nodes import make_refnode

        return make_refnode(app.builder, node["refdoc"], obj.docname, obj.node_id, contnode, name)
    last = target.rpartition(".")[2]
    internal = target.startswith("scratchnn.") or "." not in target
    if internal and (last.startswith("_") or last.isupper() or last == last.lower() or hits == []):
        return contnode
    return None


def _skip_foreign(
    app: Sphinx, what: str, name: str, obj: object, skip: bool, options
) -> bool | None:
    """Leave out members that only scikit-learn generates (``set_fit_request``, ...)."""
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return None


def setup_resolver(app: Sphinx) -> None:
    app.connect("missing-reference", _resolve_short_name)
    app.connect("autodoc-skip-member", _skip_foreign)
