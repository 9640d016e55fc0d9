"""The layers of design.md §1 point one way: down. Read from the source with `ast`, no import.

    views, pages, forms, urls, the API, the command line   (thin: parse, authorise, call an action)
        ↓
    actions: the write path (`*/actions`, and the other steps and what they compose, WRITE_PATH)
        ↓
    models, workflow, policy, crypto, audit                (data, tables, rules; no writes of steps)
        ↓
    lib                                                    (small pure helpers: nothing of trm)

Every import counts, at the top of a module or inside a function (an import moved into a body
to dodge a circle is still a circle). The rules:
- `trm.lib` imports nothing of trm;
- models, workflows, policies, crypto and audit import no action, view or API module;
- actions import no view or API module;
- no circle between apps (the first part after `trm.`), but for the few left, listed in
  KNOWN_CIRCLES with why: an import between apps added in the opposite direction fails, and
  so does a listed one that is gone (take it off the list).
"""

import ast
from collections import defaultdict
from pathlib import Path

import trm

SOURCE = Path(trm.__file__).parent

# Write paths that are not named `actions`: steps and the actions they compose.
WRITE_PATH = {
    "trm.accounts.members",
    "trm.accounts.two_factor",
    "trm.deadlines.effects",
    "trm.deadlines.sweep",
    "trm.referrals.notices",
    "trm.referrals.withdrawal",
    "trm.rights.erasure",
    "trm.rights.export",
    "trm.rights.retention",
}
VIEW_NAMES = {"views", "pages", "forms", "urls", "http", "admin", "middleware", "templatetags"}
BASE_NAMES = {"models", "workflow", "policy"}
BASE_APPS = {"crypto", "audit"}

# (app, app it imports): the imports that still close a circle between two apps, each with
# the reason it is there. Each is a debt: move the code so that it goes, then take it off.
KNOWN_CIRCLES = {
    # The policy decides who sees a case, so it reads cases; the cases' pages and actions ask
    # it. The circle is one of apps, not of layers (models ← policy ← actions).
    ("access", "cases"): "access.policy, access.reads and access.view read cases' models",
    ("access", "consent"): "access.view shows the consent records of the reader's view",
    ("access", "referrals"): "access.view shows the referrals of the reader's view",
    # core is both the node's top (its home page, the worker) and a base the apps use (the
    # task queue, the upload limit): split it in two and these go.
    ("cases", "core"): "cases.pages reads core.uploads",
    ("deadlines", "core"): "deadlines.outbox enqueues through core.tasks",
    ("federation", "core"): "federation.outbox enqueues through core.tasks",
}


def module_name(path: Path) -> str:
    parts = ["trm", *path.relative_to(SOURCE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {
        module_name(path): path
        for path in SOURCE.rglob("*.py")
        if "migrations" not in path.parts and "locale" not in path.parts
    }


def imports_of(name: str, path: Path, known: dict) -> set[str]:
    """The trm modules `name` imports anywhere in its text (packages and their modules)."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module
            found.add(module)
            found |= {f"{module}.{alias.name}" for alias in node.names} & set(known)
    return {module for module in found if module == "trm" or module.startswith("trm.")}


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports_of(name, path, known) for name, path in known.items()}


def app(name: str) -> str | None:
    """The app of a module (`trm.cases.models` → cases); None for the project's own top
    modules (settings, urls, the command line, the demo), which sit above every app."""
    parts = name.split(".")
    if len(parts) < 2 or not (SOURCE / parts[1]).is_dir():
        return None
    return parts[1]


def is_view(name: str) -> bool:
    parts = name.split(".")
    return app(name) == "api" or bool(VIEW_NAMES & set(parts[2:])) or app(name) is None


def is_action(name: str) -> bool:
    if name == "trm.audit.actions":  # the audit vocabulary: names of actions, not a write path
        return False
    return "actions" in name.split(".")[2:] or name in WRITE_PATH


def is_base(name: str) -> bool:
    parts = name.split(".")
    if is_view(name) or is_action(name):
        return False
    return app(name) in BASE_APPS or parts[-1] in BASE_NAMES


def upward_imports(imports: dict[str, set[str]]) -> list[str]:
    """Each import that points up a layer, as "importer → imported"."""
    wrong = []
    for name, targets in sorted(imports.items()):
        for target in sorted(targets):
            if app(name) == "lib" and app(target) != "lib":
                wrong.append(f"{name} → {target} (lib imports nothing of trm)")
            elif is_base(name) and (is_action(target) or is_view(target)):
                wrong.append(f"{name} → {target} (models, workflow, policy, crypto, audit)")
            elif is_action(name) and is_view(target) and app(target) is not None:
                wrong.append(f"{name} → {target} (an action imports no view or API)")
    return wrong


def app_imports(imports: dict[str, set[str]]) -> dict[tuple[str, str], set[str]]:
    """(app, app it imports) → the imports that make the edge."""
    edges = defaultdict(set)
    for name, targets in imports.items():
        for target in targets:
            if None not in (app(name), app(target)) and app(name) != app(target):
                edges[(app(name), app(target))].add(f"{name} → {target}")
    return edges


def circles(edges) -> list[set[str]]:
    """The groups of apps that reach each other (strongly connected, more than one)."""
    following = defaultdict(set)
    for source, target in edges:
        following[source].add(target)

    def reach(start):
        seen, todo = set(), [start]
        while todo:
            for target in following[todo.pop()] - seen:
                seen.add(target)
                todo.append(target)
        return seen

    reached = {name: reach(name) for name in list(following)}
    groups = []
    for name, found in reached.items():
        group = {name} | {other for other in found if name in reached.get(other, ())}
        if len(group) > 1 and group not in groups:
            groups.append(group)
    return groups


def test_no_layer_imports_one_above_it():
    assert upward_imports(graph()) == []


def test_apps_import_each_other_one_way_but_for_the_known_circles():
    edges = app_imports(graph())
    gone = sorted(edge for edge in KNOWN_CIRCLES if edge not in edges)
    assert gone == [], "no longer imported: take these off KNOWN_CIRCLES"
    remaining = {edge: why for edge, why in edges.items() if edge not in KNOWN_CIRCLES}
    found = circles(remaining)
    assert found == [], {
        " ↔ ".join(sorted(group)): sorted(
            why for (a, b), whys in remaining.items() if {a, b} <= group for why in whys
        )
        for group in found
    }


def test_the_circles_named_in_issue_11_are_gone():
    edges = app_imports(graph())
    for one, other in [("cases", "referrals"), ("cases", "consent"), ("cases", "deadlines")]:
        assert not ((one, other) in edges and (other, one) in edges), (one, other)
    imports = graph()
    assert "trm.cases.models" not in imports["trm.access.policy"] or (
        "trm.access.policy" not in imports["trm.cases.models"]
    )
    assert "trm.deadlines.messages" not in imports["trm.deadlines.models"]
