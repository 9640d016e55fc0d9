import os
import shutil
from pathlib import Path

import pytest
from django.apps import apps
from django.db import transaction
from django.test import override_settings
from django.utils import translation
from pytest_django.plugin import blocking_manager_key

from tests.append_only import empty_append_only_tables
from tests.personas import Personas
from trm.directory import seed
from trm.directory.models import Country

# The test database is that of a node on its own, every country's organisations hosted here,
# whatever identity (`trm node init`) the developer's TRM_HOME may hold: the seed reads it.
NO_IDENTITY = Path("/nonexistent/trm-test-home")


def seed_directory():
    with override_settings(TRM_HOME=NO_IDENTITY):
        seed.seed_directory()


def _transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    return "live_server" in getattr(item, "fixturenames", ()) or (
        marker is not None and bool(marker.kwargs.get("transaction"))
    )


@pytest.fixture(autouse=True)
def _empty_append_only_tables_after_transactional_tests(request):
    # The flush after a transactional test cannot delete append-only rows; empty them first.
    if not _transactional(request.node):
        yield
        return
    request.getfixturevalue("transactional_db")
    yield
    empty_append_only_tables()


class _SeedRows:
    """The rows `seed_directory` writes into a flushed database, kept after its first run
    there. Put back with one bulk insert a table (the same rows, the same ids), they cost a
    tenth of seeding again row by row (update_or_create and full_clean of every country,
    organisation, service and holiday): 0.85 s after each transactional test on PostgreSQL."""

    rows: dict | None = None

    @classmethod
    def put_back(cls) -> None:
        if cls.rows is None:
            models = [
                model
                for model in apps.get_models(include_auto_created=True)
                if model._meta.managed and not model._meta.proxy
            ]
            before = {model: model._base_manager.count() for model in models}
            seed_directory()
            # Only the tables the seed filled: the flush's post_migrate rows (content types,
            # permissions) are made again by every flush.
            cls.rows = {
                model: list(model._base_manager.order_by("pk"))
                for model in models
                if model._base_manager.count() != before[model]
            }
            return
        # Django's foreign keys are deferred to the commit, so the tables' order is free.
        with transaction.atomic():
            for model, rows in cls.rows.items():
                model._base_manager.bulk_create(rows)


_SKIPPED_AT_SETUP = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "setup":
        item.stash[_SKIPPED_AT_SETUP] = report.skipped
    return report


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    # A transactional test ends with a flush: the seed directory goes too. Put it back at once,
    # so that whichever test this worker runs next (module fixtures, TestCase classes) finds it.
    # After the last test the session's fixtures, the test database with them, are gone.
    # Not after a test skipped before its fixtures ran: the worker may not have set up the test
    # database yet, and there is nothing to put back.
    result = yield
    skipped = item.stash.get(_SKIPPED_AT_SETUP, False)
    if _transactional(item) and not skipped and nextitem is not None:
        with item.config.stash[blocking_manager_key].unblock():
            _SeedRows.put_back()
    return result


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    # The seed directory once for the run; tests roll back to it.
    with django_db_blocker.unblock():
        seed_directory()


@pytest.fixture
def directory(db):
    """The seed directory: eight countries with their organisations."""
    if not Country.objects.exists():  # a transactional test flushed it
        seed_directory()


@pytest.fixture(autouse=True)
def _each_test_in_the_default_language():
    # A request or a test that activated another language leaves it on the thread; the next
    # test in the same worker must not read French where it expects English.
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # argon2 is deliberately slow; production settings keep it (tested in tests/core).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def personas(directory):
    return Personas()


@pytest.fixture(scope="session")
def _key_folder(tmp_path_factory):
    return tmp_path_factory.mktemp("keys")


@pytest.fixture(autouse=True)
def _keys_of_the_test_run(settings, _key_folder):
    # Tests never read or write the keys of a developer's node in TRM_HOME.
    settings.KEY_FILE = _key_folder / "kek.key"
    settings.NODE_KEY_FILE = _key_folder / "node_ed25519.pem"


@pytest.fixture(autouse=True)
def _audit_head_file_of_the_test(settings, tmp_path):
    # The head file follows the checkpoints of the test's own database, which rolls back.
    settings.AUDIT_HEAD_FILE = tmp_path / "audit-head.json"


@pytest.fixture(autouse=True)
def _plain_static_files(settings):
    # Tests render pages without a collected static manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


# Playwright's sync API runs an event loop in this thread; the test thread's database calls
# are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium():
    executable = shutil.which("chromium")
    if executable is None:
        message = "Debian's chromium is not installed (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()
