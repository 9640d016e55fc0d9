"""The key file, key rotation and the errors an administrator may meet."""

import pytest

from trm.cases.models import Person
from trm.cli import main
from trm.crypto import envelope
from trm.crypto.keyring import KeyFileError, key_lines, keyring, new_key_line
from trm.crypto.models import DataKey
from trm.crypto.rotation import retire_old_keys, rotate

pytestmark = pytest.mark.django_db


@pytest.fixture
def key_file(settings, tmp_path):
    path = tmp_path / "kek.key"
    path.write_text(new_key_line() + "\n")
    settings.KEY_FILE = path
    return path


def people(count):
    made = []
    for number in range(count):
        person = Person(given_name=f"Name {number}", birth_date="1990-01-01")
        person.save()
        made.append(person.pk)
    return made


def test_rotation_rewraps_every_key_and_preserves_every_value(key_file):
    ids = people(7)
    old_id = keyring().current_id
    result = rotate(batch_size=3)
    assert result.new_key
    assert result.rewrapped == 8, "seven people and the blind-index key"
    assert result.current_id != old_id
    assert set(DataKey.objects.values_list("kek_id", flat=True)) == {result.current_id}
    assert [Person.objects.get(pk=pk).given_name for pk in ids] == [
        f"Name {number}" for number in range(7)
    ]


def test_an_interrupted_rotation_resumes_when_run_again(key_file, monkeypatch):
    ids = people(6)
    calls = {"batches": 0}

    def interrupt(done):
        calls["batches"] += 1
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        rotate(batch_size=2, progress=interrupt)
    current = keyring(reload=True).current_id
    assert DataKey.objects.exclude(kek_id=current).count() == 5, "one batch was committed"

    result = rotate(batch_size=2)
    assert not result.new_key, "it resumes instead of adding yet another key"
    assert result.rewrapped == 5
    assert len(key_lines(key_file)) == 2
    assert all(Person.objects.get(pk=pk).given_name.startswith("Name") for pk in ids)


def test_old_keys_are_retired_only_when_no_data_key_needs_them(key_file):
    people(2)
    first_id = keyring().current_id
    with pytest.raises(KeyboardInterrupt):
        rotate(batch_size=1, progress=lambda done: (_ for _ in ()).throw(KeyboardInterrupt))
    assert retire_old_keys() == [], "one data key still needs the old key"
    rotate()
    assert retire_old_keys() == [first_id]
    assert [key_id for key_id, _key, _line in key_lines(key_file)] == [keyring().current_id]


def test_a_running_node_picks_up_the_rotated_key_without_restarting(key_file):
    person_id = people(1)[0]
    keyring()  # a running process has the old key file cached
    rotate()
    assert Person.objects.get(pk=person_id).given_name == "Name 0"


def test_trm_keys_rotate_reports_what_it_did(key_file, capsys):
    people(3)
    main(["keys", "rotate"])
    assert "added a new key and re-wrapped 4 data keys" in capsys.readouterr().out


def test_a_missing_key_file_in_production_is_named(settings, tmp_path):
    settings.PRODUCTION = True
    settings.KEY_FILE = tmp_path / "nowhere.key"
    with pytest.raises(KeyFileError, match="nowhere.key does not exist"):
        keyring(reload=True)


def test_a_malformed_key_file_is_named_with_its_line(settings, tmp_path):
    path = tmp_path / "bad.key"
    path.write_text(new_key_line() + "\nnot a key\n")
    settings.KEY_FILE = path
    with pytest.raises(KeyFileError, match="line 2 of the key file .*bad.key"):
        keyring(reload=True)


def test_data_wrapped_by_a_key_that_is_gone_says_so(key_file, tmp_path, settings):
    person_id = people(1)[0]
    other = tmp_path / "other.key"
    other.write_text(new_key_line() + "\n")
    settings.KEY_FILE = other
    with pytest.raises(envelope.DecryptionError, match="not in the key file"):
        Person.objects.get(pk=person_id).given_name  # noqa: B018
