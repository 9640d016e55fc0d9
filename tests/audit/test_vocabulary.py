"""Every audit action name is a literal in one catalogue, with a sentence to show for it."""

import ast
import importlib
import importlib.util
import re
from pathlib import Path

import pytest
from django.utils.functional import Promise
from django.utils.translation import override

import trm
from trm.audit.actions import ACTIONS, sentence
from trm.audit.log import new_event, record
from trm.audit.models import AuditEvent

SOURCE = Path(trm.__file__).parent
CATALOGUE = SOURCE / "audit" / "actions.py"
# What writes an event: the log's functions (also imported as `audit`), the referrals' helper,
# and the synthetic writer's planned events.
WRITERS = {"record", "new_event", "audit", "audit_referral", "event", "referral_event"}
NAME = re.compile(r"^trm(\.[a-z_]+){2,}$")


def _is_code_path(name: str) -> bool:
    """A dotted path to a module or to something in one (settings, URL includes), not an action."""
    try:
        if importlib.util.find_spec(name) is not None:
            return True
    except ModuleNotFoundError:
        pass
    module, _dot, attribute = name.rpartition(".")
    try:
        return hasattr(importlib.import_module(module), attribute)
    except ImportError:
        return False


def source_files(root: Path = SOURCE):
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.parts or path == CATALOGUE:
            continue
        yield path, ast.parse(path.read_text(), filename=str(path))


def _callee(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def names_written(root: Path = SOURCE) -> dict[str, list[str]]:
    """Every action-like literal in the source, with where it is."""
    found: dict[str, list[str]] = {}
    for path, tree in source_files(root):
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if NAME.match(node.value) and not _is_code_path(node.value):
                    where = f"{path.relative_to(root)}:{node.lineno}"
                    found.setdefault(node.value, []).append(where)
    return found


def computed_names(root: Path = SOURCE) -> list[str]:
    """Calls that write an event whose name is pieced together (an f-string, a sum)."""
    found = []
    for path, tree in source_files(root):
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _callee(node) in WRITERS and node.args:
                first = node.args[0]
                if isinstance(first, ast.JoinedStr | ast.BinOp):
                    found.append(f"{path.relative_to(root)}:{node.lineno}")
    return found


def test_every_action_name_written_in_the_source_is_catalogued():
    written = names_written()
    missing = {name: where for name, where in written.items() if name not in ACTIONS}
    assert not missing, f"audit action names not in trm/audit/actions.py: {missing}"
    # The scan finds the names it should (a scan that finds nothing would pass too).
    assert {"trm.case.viewed", "trm.referral.sent", "trm.person.erased"} <= set(written)


def test_no_action_name_is_pieced_together():
    assert computed_names() == [], "write audit action names as whole literals"


def test_every_catalogued_name_has_a_translated_sentence():
    empty = [name for name, said in ACTIONS.items() if not isinstance(said, Promise) or not said]
    assert not empty, f"catalogued audit actions without a translatable sentence: {empty}"
    assert all(NAME.match(name) for name in ACTIONS)


def test_every_catalogued_name_is_written_somewhere():
    unused = set(ACTIONS) - set(names_written())
    assert not unused, f"catalogued but never written (remove, or write it): {unused}"


def test_a_sentence_is_shown_in_the_readers_language():
    with override("fr"):
        assert sentence("trm.case.viewed") == "Le dossier a été consulté"
    assert sentence("trm.cases.exported") == "trm.cases.exported", "an old name shows as it is"


@pytest.mark.django_db
def test_an_uncatalogued_name_is_refused_as_a_programming_error():
    with pytest.raises(ValueError, match="is not in the catalogue"):
        new_event("trm.case.frobbed")
    with pytest.raises(ValueError, match="is not in the catalogue"):
        record("trm.case.frobbed", object_id="1")
    assert not AuditEvent.objects.exists()


def test_the_scan_finds_an_uncatalogued_or_pieced_name(tmp_path):
    (tmp_path / "step.py").write_text(
        "from trm.audit.log import record\n"
        "def frob(case, what):\n"
        "    record('trm.case.frobbed', target=case)\n"
        "    record(f'trm.case.{what}', target=case)\n"
    )
    assert set(names_written(tmp_path)) == {"trm.case.frobbed"}
    assert computed_names(tmp_path) == ["step.py:4"]
