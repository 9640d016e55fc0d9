"""Key rotation: re-wrap every data key with a new key-encryption key, without downtime.

Rotation adds a new key at the head of the key file, then re-wraps data keys in small
transactions. Running processes re-read the key file when they meet a key id they do not
know, so they keep working throughout. Interrupted, it is simply run again: it resumes with
the data keys still wrapped by an older key. Old keys are removed from the file only by
`retire_old_keys`, once no data key needs them.
"""

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from . import envelope
from .keyring import chain_key_lines, key_lines, keyring, new_key_line, write_key_file
from .models import DataKey


@dataclass
class RotationResult:
    new_key: bool
    rewrapped: int
    current_id: str


def _stale(current_id: str):
    return DataKey.objects.filter(destroyed_at__isnull=True).exclude(kek_id=current_id)


def _add_new_key(path: Path) -> None:
    lines = [new_key_line(), *(line for _id, _key, line in key_lines(path))]
    write_key_file(path, [*lines, *chain_key_lines(path)])


def rotate(*, batch_size: int = 500, progress=None) -> RotationResult:
    """Re-wrap all data keys with the current key, adding a new one if none are left over."""
    path = Path(settings.KEY_FILE)
    ring = keyring(reload=True)
    new_key = not _stale(ring.current_id).exists()
    if new_key:
        _add_new_key(path)
        ring = keyring(reload=True)
    rewrapped = 0
    while True:
        with transaction.atomic():
            batch = list(_stale(ring.current_id).select_for_update()[:batch_size])
            for data_key in batch:
                envelope.wrap(data_key, envelope.unwrap(data_key))
                data_key.save(update_fields=["kek_id", "wrapped"])
        if not batch:
            return RotationResult(new_key=new_key, rewrapped=rewrapped, current_id=ring.current_id)
        rewrapped += len(batch)
        if progress:
            progress(rewrapped)


def retire_old_keys() -> list[str]:
    """Remove from the key file the keys no living data key is wrapped by; return their ids."""
    path = Path(settings.KEY_FILE)
    lines = key_lines(path)
    in_use = set(DataKey.objects.filter(destroyed_at__isnull=True).values_list("kek_id", flat=True))
    current_id = lines[0][0]
    keep = [line for key_id, _key, line in lines if key_id == current_id or key_id in in_use]
    retired = [key_id for key_id, _key, line in lines if line not in keep]
    if retired:
        write_key_file(path, [*keep, *chain_key_lines(path)])
        keyring(reload=True)
    return retired
