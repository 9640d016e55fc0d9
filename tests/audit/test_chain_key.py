"""The chain key: in the key file beside the key-encryption keys, never in the database."""

import os
import subprocess
import sys

import pytest

from trm.audit.log import record
from trm.audit.models import AuditEvent
from trm.audit.verify import Break, verify_chain
from trm.cli import main
from trm.crypto.keyring import (
    KeyFileError,
    chain_key,
    chain_key_lines,
    key_lines,
    new_key_line,
    parse_chain_key,
)
from trm.crypto.rotation import retire_old_keys, rotate

pytestmark = pytest.mark.django_db


@pytest.fixture
def key_file(settings, tmp_path):
    settings.KEY_FILE = tmp_path / "keys" / "kek.key"
    return settings.KEY_FILE


def test_trm_keys_create_writes_a_chain_key_beside_the_first_key(tmp_path):
    path = tmp_path / "node.key"
    main(["keys", "create", "--out", str(path)])
    assert len(key_lines(path)) == 1
    assert len(chain_key_lines(path)) == 1
    assert len(parse_chain_key(path)) == 32


def test_a_development_key_file_made_before_chain_keys_gets_one(key_file):
    key_file.parent.mkdir()
    key_file.write_text(new_key_line() + "\n")
    first = chain_key()
    assert chain_key_lines(key_file)
    assert chain_key() == first
    assert len(key_lines(key_file)) == 1, "the key-encryption key is kept"


def test_a_production_node_without_a_chain_key_refuses_to_audit(key_file, settings):
    settings.PRODUCTION = True
    key_file.parent.mkdir()
    key_file.write_text(new_key_line() + "\n")
    with pytest.raises(KeyFileError, match=f"the key file {key_file} holds no audit chain key"):
        record("trm.case.viewed")
    assert key_file.read_text().count("\n") == 1, "production never writes the key file"
    assert not AuditEvent.objects.exists()


def test_a_malformed_chain_key_is_named(key_file):
    key_file.parent.mkdir()
    key_file.write_text(new_key_line() + "\naudit-chain:short\n")
    with pytest.raises(KeyFileError, match="the audit chain key in the key file .* is not"):
        chain_key()


def test_rotating_the_key_encryption_keys_keeps_the_chain_key(key_file):
    record("trm.case.viewed", object_id="1")
    before = chain_key()
    rotate()
    retire_old_keys()
    assert chain_key() == before
    record("trm.case.viewed", object_id="2")
    assert verify_chain().ok


def test_events_hashed_with_another_chain_key_do_not_verify(key_file, tmp_path, settings):
    for number in range(3):
        record("trm.case.viewed", object_id=str(number))
    settings.KEY_FILE = tmp_path / "other" / "kek.key"
    result = verify_chain()
    assert (result.kind, result.broken_sequence) == (Break.REWRITTEN_TAIL, 1)
    assert "the key file is not the one the chain was written with" in result.problem


def test_a_production_node_whose_key_file_has_no_chain_key_does_not_start(tmp_path):
    key_file = tmp_path / "kek.key"
    key_file.write_text(new_key_line() + "\n")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TRM_", "DJANGO_"))}
    env = {
        **clean,
        "TRM_HOME": str(tmp_path),
        "TRM_PRODUCTION": "1",
        "TRM_SECRET_KEY": "s" * 60,
        "TRM_KEY_FILE": str(key_file),
    }
    checked = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "trm.cli", "manage", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert checked.returncode != 0
    assert f"the key file {key_file} holds no audit chain key" in checked.stderr
