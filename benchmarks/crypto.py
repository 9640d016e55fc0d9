"""Figures for the encryption layer: field encryptions and decryptions per second, and the
cost of listing 1,000 cases with decrypted names.

    python -m benchmarks.crypto                      # SQLite in a temporary TRM_HOME
    TRM_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test python -m benchmarks.crypto

It creates its own throw-away database (a temporary SQLite file, or test_<name> on
PostgreSQL) and never touches a node's data.
"""

import os
import statistics
import sys
import tempfile
import time

os.environ.setdefault("TRM_HOME", tempfile.mkdtemp(prefix="trm-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trm.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import get_runner  # noqa: E402


def timed(function, repeat=5) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append(time.perf_counter() - started)
    return samples


def main() -> None:
    from django.conf import settings

    runner = get_runner(settings)(verbosity=0, interactive=False)
    old_config = runner.setup_databases()
    try:
        run()
    finally:
        runner.teardown_databases(old_config)


def run() -> None:
    from trm.cases.models import Case, Person
    from trm.crypto import envelope
    from trm.crypto.fields import plain_key_of
    from trm.directory.seed import seed_directory

    seed_directory()
    from trm.directory.models import Organisation

    organisation = Organisation.objects.filter(country__code="ES").first()
    print(f"database: {connection.vendor}   python {sys.version.split()[0]}")

    key = os.urandom(32)
    plaintext = "Olena Kovalenko, вул. Вигадана 10".encode()
    rounds = 20_000
    started = time.perf_counter()
    blobs = [
        envelope.encrypt(plaintext, key, f"cases.person.given_name:{n}") for n in range(rounds)
    ]
    encrypt_rate = rounds / (time.perf_counter() - started)
    started = time.perf_counter()
    for n, blob in enumerate(blobs):
        envelope.decrypt(blob, key, f"cases.person.given_name:{n}")
    decrypt_rate = rounds / (time.perf_counter() - started)
    print(f"AES-GCM field encryptions per second     {encrypt_rate:>12,.0f}")
    print(f"AES-GCM field decryptions per second     {decrypt_rate:>12,.0f}")

    started = time.perf_counter()
    for number in range(1000):
        person = Person(
            given_name=f"Олена {number}", family_name="Коваленко", given_name_latin="Olena",
            family_name_latin="Kovalenko", birth_date="1999-05-01",
        )  # fmt: skip
        person.save()
        Case.objects.create(person=person, owner=organisation)
    print(f"creating 1,000 people with cases (s)      {time.perf_counter() - started:>12.2f}")

    def list_names():
        cases = Case.objects.select_related("person__data_key").order_by("pk")[:1000]
        names = [case.person.full_name for case in cases]
        assert len(names) == 1000

    def list_without_decrypting():
        assert len(list(Case.objects.select_related("person__data_key").order_by("pk")[:1000]))

    with_names = timed(list_names)
    plain = timed(list_without_decrypting)
    print(f"list 1,000 cases with names, median (ms) {statistics.median(with_names) * 1000:>12.1f}")
    print(f"list 1,000 cases, no decryption (ms)     {statistics.median(plain) * 1000:>12.1f}")
    person = Person.objects.select_related("data_key").first()
    unwraps = timed(lambda: [plain_key_of(Person(data_key=person.data_key), "data_key")
                             for _ in range(1000)])  # fmt: skip
    print(f"data key unwraps per second              {1000 / statistics.median(unwraps):>12,.0f}")


if __name__ == "__main__":
    main()
