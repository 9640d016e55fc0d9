"""The key-encryption keys (KEKs) of the node, read from the key file.

The file holds one base64 key per line; the first line is the current key, which wraps new data
keys. Older lines stay until no data key is wrapped by them any more (see rotation.py). A key
is named by its id: the first 16 hex digits of the SHA-256 of the key.

One more line, `audit-chain:<base64 key>`, holds the key of the audit chain's HMACs: kept
outside the database so that whoever writes to the database cannot forge or rewrite events.
It never rotates (the chain's old hashes are made with it) and rotation keeps the line.
"""

import base64
import hashlib
import os
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

KEY_BYTES = 32
CHAIN_KEY_PREFIX = "audit-chain:"


class KeyFileError(ImproperlyConfigured):
    """The key file is missing, unreadable or malformed."""


@dataclass(frozen=True)
class Keyring:
    current_id: str
    keys: dict[str, bytes]

    def key(self, key_id: str) -> bytes | None:
        return self.keys.get(key_id)


def key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:16]


def new_key_line() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode()


def key_lines(path: Path) -> list[tuple[str, bytes, str]]:
    """(key id, key, line) for every key in the file, in order; the first is current."""
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise KeyFileError(f"the key file {path} does not exist") from None
    except OSError as problem:
        raise KeyFileError(f"the key file {path} cannot be read: {problem.strerror}") from None
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith(("#", CHAIN_KEY_PREFIX)):
            continue
        key = _decoded(line)
        if len(key) != KEY_BYTES:
            raise KeyFileError(
                f"line {number} of the key file {path} is not a base64 key of {KEY_BYTES} bytes"
            )
        found.append((key_id(key), key, line))
    if not found:
        raise KeyFileError(f"the key file {path} holds no key")
    return found


def _decoded(line: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(line.encode())
    except ValueError:
        return b""


def chain_key_lines(path: Path) -> list[str]:
    """The file's audit chain key line (a list of one, or empty), for rewriting the file."""
    try:
        text = path.read_text()
    except OSError:
        return []
    return [line.strip() for line in text.splitlines() if line.strip().startswith(CHAIN_KEY_PREFIX)]


def new_chain_key_line() -> str:
    return CHAIN_KEY_PREFIX + new_key_line()


def parse_chain_key(path: Path) -> bytes:
    """The audit chain's key from the key file; KeyFileError if it is missing or malformed."""
    lines = chain_key_lines(path)
    if not lines:
        if not path.exists():
            raise KeyFileError(f"the key file {path} does not exist")
        raise KeyFileError(
            f"the key file {path} holds no audit chain key (a line '{CHAIN_KEY_PREFIX}' followed "
            "by a base64 key of 32 bytes): 'trm keys create' writes key files with one; add it to "
            "this file once, before the node records anything, and keep a copy offline"
        )
    if len(lines) > 1:
        raise KeyFileError(f"the key file {path} holds more than one audit chain key")
    key = _decoded(lines[0].removeprefix(CHAIN_KEY_PREFIX))
    if len(key) != KEY_BYTES:
        raise KeyFileError(
            f"the audit chain key in the key file {path} is not a base64 key of {KEY_BYTES} bytes"
        )
    return key


def parse_key_file(path: Path) -> Keyring:
    lines = key_lines(path)
    keys: dict[str, bytes] = {}
    for identifier, key, _line in lines:
        keys.setdefault(identifier, key)
    return Keyring(current_id=lines[0][0], keys=keys)


def write_key_file(path: Path, lines: list[str]) -> None:
    """Replace the key file atomically (a crash leaves the old or the new file, never half)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write("\n".join(lines) + "\n")
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)


_lock = threading.Lock()
_cache: dict[str, tuple[float, Keyring]] = {}


def keyring(*, reload: bool = False) -> Keyring:
    """The node's keys; re-read when the file changes, so a rotation needs no restart."""
    path = Path(settings.KEY_FILE)
    with _lock:
        if not path.exists() and not settings.PRODUCTION:
            # Development and demo nodes make their own key on first use.
            try:
                write_key_file_exclusive(path, new_key_line(), new_chain_key_line())
            except FileExistsError:
                pass
        try:
            modified = path.stat().st_mtime_ns
        except OSError:
            modified = -1
        cached = _cache.get(str(path))
        if cached and cached[0] == modified and not reload:
            return cached[1]
        ring = parse_key_file(path)
        _cache[str(path)] = (modified, ring)
        return ring


def write_key_file_exclusive(path: Path, *lines: str) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write("".join(line + "\n" for line in lines))


_chain_cache: dict[str, tuple[float, bytes]] = {}


def chain_key() -> bytes:
    """The audit chain's HMAC key from the key file. Outside production mode a key file made
    before chain keys existed gets one added; in production its absence is an error."""
    keyring()  # makes a development node's key file, with its chain key, on first use
    path = Path(settings.KEY_FILE)
    with _lock:
        try:
            modified = path.stat().st_mtime_ns
        except OSError:
            modified = -1
        cached = _chain_cache.get(str(path))
        if cached and cached[0] == modified:
            return cached[1]
        if not chain_key_lines(path) and path.exists() and not settings.PRODUCTION:
            kept = [line.strip() for line in path.read_text().splitlines() if line.strip()]
            write_key_file(path, [*kept, new_chain_key_line()])
            modified = path.stat().st_mtime_ns
        key = parse_chain_key(path)
        _chain_cache[str(path)] = (modified, key)
        return key
