import pytest

from tests.personas import Personas


@pytest.fixture
def directory(db):
    """The seed directory: eight countries with their organisations."""
    from trm.directory.seed import seed_directory

    seed_directory()


@pytest.fixture
def personas(directory):
    return Personas()


@pytest.fixture(autouse=True)
def _plain_static_files(settings):
    # Tests render pages without a collected static manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
