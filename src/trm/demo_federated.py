"""`trm demo --federated`: three national nodes on this machine, Greece, Albania and Morocco,
each its own `trm serve` and `trm worker` processes, data directory, SQLite database and keys,
pinned to each other with `trm peer add` and the fingerprints each node shows. Staff of its own
country on each; on the Greek node, cases referred to Albanian and Moroccan organisations,
through the real actions, crossing as signed, encrypted envelopes by the nodes' workers.

The parent only runs commands: each step on a node's data is taken in a process of that node
(`python -m trm.demo_federated step NAME DETAILS`, in its environment), as its people would.
`LocalNode` is also what benchmarks/federation.py starts its two nodes with.

Every person here is invented.
"""

import contextlib
import ctypes
import ctypes.util
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

# (country, node name, what the parent calls it); the first one refers the demo's cases.
COUNTRIES = [("GR", "gr", "Greece"), ("AL", "al", "Albania"), ("MA", "ma", "Morocco")]

# (receiving country, child, what the receiving side does, the invented person). `--cases N`
# makes the first N: the first one only crosses, so that one case is quick.
DEMO_REFERRALS = [
    ("AL", False, "", {
        "given_name": "Ermal", "family_name": "Leka", "sex": "male", "birth_date": "1994-11-30",
        "citizenship": "AL"}),
    ("AL", True, "accept", {
        "given_name": "Anila", "family_name": "Krasniqi", "given_name_latin": "Anila",
        "family_name_latin": "Krasniqi", "birth_date": "2010-06-02", "sex": "female",
        "citizenship": "AL", "document_number": "DEMO-AL-0002"}),
    ("MA", False, "ask", {
        "given_name": "يوسف", "family_name": "العمراني", "given_name_latin": "Youssef",
        "family_name_latin": "El Amrani", "birth_date": "1998-04-17", "sex": "male",
        "citizenship": "MA"}),
    ("MA", False, "decline", {
        "given_name": "فاطمة", "family_name": "الإدريسي", "given_name_latin": "Fatima",
        "family_name_latin": "El Idrissi", "birth_date": "1990-08-08", "sex": "female",
        "citizenship": "MA"}),
]  # fmt: skip

# How long a step waits for what another node sends (a loaded machine, three nodes).
CROSSING_SECONDS = 180


# --- the nodes, as processes of this machine ------------------------------------------------


def _die_with_parent() -> None:
    """In a child before it runs: end it if the parent dies, however (Linux), so that no node
    outlives a demo killed without its Ctrl+C. (Linux's "parent" is the thread that started
    the child: nodes are started from the main thread.)"""
    libc_name = ctypes.util.find_library("c")
    if libc_name and sys.platform.startswith("linux"):
        ctypes.CDLL(libc_name).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@dataclass
class LocalNode:
    """A node of this machine: its home (data, keys, logs), its port, and its processes."""

    country: str
    name: str
    home: Path
    port: int
    host: str = "127.0.0.1"
    database_url: str = ""  # empty: SQLite in its home
    demo: bool = True
    processes: list = field(default_factory=list)

    @property
    def address(self) -> str:
        return f"http://{self.host}:{self.port}"

    def environment(self) -> dict:
        # Nothing of this process's node: only its own home, database and name.
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("TRM_", "DJANGO_"))}
        own = {"TRM_HOME": str(self.home), "TRM_NODE_NAME": self.name}
        if self.database_url:
            own["TRM_DATABASE_URL"] = self.database_url
        if self.demo:
            own["TRM_DEMO"] = "1"
        return {**clean, **own}

    def trm(self, *arguments: str) -> str:
        """Run a `trm` command on this node; its output, or RuntimeError with its message."""
        done = subprocess.run(  # noqa: S603 (our own interpreter and module)
            [sys.executable, "-m", "trm.cli", *arguments],
            env=self.environment(), capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"{self.name}: trm {' '.join(arguments)}: {done.stderr[-2000:]}")
        return done.stdout

    def step(self, name: str, module: str = "trm.demo_federated", **details) -> dict:
        """Take a step in a process of this node (see `STEPS`); what it returns."""
        done = subprocess.run(  # noqa: S603 (our own interpreter and module)
            [sys.executable, "-m", module, "step", name, json.dumps(details)],
            env=self.environment(), capture_output=True, text=True, check=False,
            timeout=CROSSING_SECONDS + 300,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"{self.name}: step {name}: {done.stderr[-3000:]}")
        return json.loads(done.stdout.splitlines()[-1])

    def init(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        self.trm("node", "init", "--name", self.name, "--countries", self.country,
                 "--address", self.address)  # fmt: skip

    def start(self, *, workers: int = 1, threads: int = 4, worker_interval: float = 1.0) -> None:
        """`trm serve` and `trm worker` of this node, logging to its home (`wait_until_serving`
        then). From the main thread: a child ends with the thread that started it."""
        serve = ["serve", "--host", self.host, "--port", str(self.port), "--workers",
                 str(workers), "--threads", str(threads)]  # fmt: skip
        self._start(serve, "serve.log")
        self._start(["worker", "--interval", str(worker_interval)], "worker.log")

    def _start(self, arguments: list[str], log_name: str) -> None:
        with (self.home / log_name).open("ab") as log:
            self.processes.append(
                subprocess.Popen(  # noqa: S603 (our own interpreter and module)
                    [sys.executable, "-m", "trm.cli", *arguments],
                    env=self.environment(),
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    # Its own process group: stopped (with gunicorn's workers) by the parent,
                    # not by a Ctrl+C that reaches it before the parent could stop the rest.
                    start_new_session=True,
                    preexec_fn=_die_with_parent,  # noqa: PLW1509
                )  # fmt: skip
            )

    def wait_until_serving(self, seconds: float = 180) -> None:
        deadline = time.monotonic() + seconds
        while True:
            for process in self.processes:
                if process.poll() is not None:
                    raise RuntimeError(f"{self.name} stopped: see the logs in {self.home}")
            try:
                with urllib.request.urlopen(f"{self.address}/healthz", timeout=5):  # noqa: S310
                    return
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{self.name} did not answer at {self.address}") from None
                time.sleep(0.3)

    def exited(self) -> bool:
        return any(process.poll() is not None for process in self.processes)

    def fingerprint(self) -> str:
        """The fingerprint its operators read out, as `trm node show` prints it."""
        shown = self.trm("node", "show").splitlines()
        return next(line for line in shown if line.startswith("read out: ")).removeprefix(
            "read out: "
        )

    def pin(self, other: "LocalNode", fingerprint: str) -> None:
        """`trm peer add` of `other` here, unless it is pinned already (a demo started again)."""
        for line in self.trm("peer", "list").splitlines():
            if line.startswith(f"{other.name}\t") and line.endswith("\tactive"):
                return
        self.trm("peer", "add", other.address, "--fingerprint", fingerprint)

    def stop(self, seconds: float = 20) -> None:
        """SIGTERM to each process group (gunicorn stops its workers), then SIGKILL to what is
        left after `seconds`."""
        for process in self.processes:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + seconds
        for process in self.processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.processes.clear()


def on_each(nodes, work):
    """`work(node)` on every node at once (each waits on its own processes); the results."""
    with ThreadPoolExecutor(len(nodes)) as pool:
        return list(pool.map(work, nodes))


def peer_all(nodes: list[LocalNode]) -> None:
    """Each node pins every other with the fingerprint read from that node, and copies its
    directory."""
    fingerprints = {node.name: fingerprint for node, fingerprint in
                    zip(nodes, on_each(nodes, LocalNode.fingerprint), strict=True)}  # fmt: skip
    on_each(nodes, lambda node: [node.pin(other, fingerprints[other.name])
                                 for other in nodes if other is not node])  # fmt: skip
    # Once both sides have pinned each other, each copies the other's signed directory.
    on_each(nodes, lambda node: [node.trm("peer", "refresh", other.name)
                                 for other in nodes if other is not node])  # fmt: skip


# --- `trm demo --federated` ------------------------------------------------------------------


def run(args) -> None:
    base = Path(os.environ.get("TRM_HOME", "var")).resolve() / "demo-federated"
    nodes = [
        LocalNode(country, name, base / name, args.port + index, host=args.host)
        for index, (country, name, _called) in enumerate(COUNTRIES)
    ]
    called = {name: country_name for _code, name, country_name in COUNTRIES}
    stopping = lambda *_: sys.exit(0)  # noqa: E731 (SIGTERM stops the nodes as Ctrl+C does)
    signal.signal(signal.SIGTERM, stopping)
    try:
        print(f"Starting three nodes in {base} (each its own processes, database and keys)...",
              flush=True)  # fmt: skip
        on_each(nodes, LocalNode.init)
        on_each(nodes, lambda node: node.step("prepare"))
        for node in nodes:
            node.start(workers=args.workers, threads=args.threads)
        on_each(nodes, LocalNode.wait_until_serving)
        peer_all(nodes)
        print("Each node has pinned the other two (trm peer add with their fingerprints).",
              flush=True)  # fmt: skip
        crossed = walk(nodes, args.cases)
        for line in crossed:
            print(line, flush=True)
        print("", flush=True)
        for node, logins in zip(nodes, on_each(nodes, lambda n: n.step("logins")), strict=True):
            print(f"{called[node.name]} ({node.name}): {node.address}/  data in {node.home}")
            print(logins["table"], flush=True)
        if args.no_serve:
            return
        print(
            "trm demo --federated is serving the three nodes above (Ctrl+C stops them all)",
            flush=True,
        )
        while not any(node.exited() for node in nodes):
            time.sleep(1)
        stopped = [node.name for node in nodes if node.exited()]
        print(f"node {', '.join(stopped)} stopped: stopping the others", flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl+C must not leave orphans
        on_each(nodes, LocalNode.stop)
        print("All three nodes stopped.", flush=True)


def walk(nodes: list[LocalNode], cases: int) -> list[str]:
    """The demo's referrals, each side's step on its own node; once each node's outbox is
    empty, what crossed."""
    greece, *others = nodes
    asked = DEMO_REFERRALS[: max(0, cases)]
    sent = greece.step("refer", referrals=[[to, child, person] for to, child, _, person in asked])
    if not sent["referrals"]:
        return ["The Greek node has its cases already (remove its data to start afresh)."]
    done = list(zip(asked, sent["referrals"], strict=True))
    responses = {node.country: [] for node in others}
    for (to, _child, then, _person), referral in done:
        responses[to].append([referral, then])
    on_each(others, lambda node: node.step("respond", responses=responses[node.country]))
    questions = [referral for (_, _, then, _), referral in done if then == "ask"]
    if questions:
        greece.step("answer", referrals=questions)
    on_each(nodes, lambda node: node.step("settle"))
    seen = {node.country: node.step("referrals") for node in others}
    lines = [f"Referrals made on the Greek node ({greece.address}) crossed to the others:"]
    for (to, _, then, person), referral in done:
        state = seen[to]["states"].get(referral, "not arrived")
        name = person.get("given_name_latin", person["given_name"])
        how = {"ask": ", after a question from there answered here"}.get(then, "")
        lines.append(f"  {sent['references'][referral]} ({name}) to {to}: {state} there{how}")
    return lines


# --- the steps, each in a process of one node ------------------------------------------------


def _prepare(details) -> dict:
    """Migrate and seed the node's database, its country's demo staff, its first checkpoint."""
    from trm.audit.verify import AuditChainBroken, make_checkpoint
    from trm.cli import _prepare_database
    from trm.demo import create_demo_data
    from trm.federation.identity import this_node

    _prepare_database()
    create_demo_data(countries=this_node().countries)
    with contextlib.suppress(AuditChainBroken):  # its warning is `trm demo`'s to print
        make_checkpoint()
    return {}


def _greek_team(receiver_country: str):
    from trm.accounts.models import User
    from trm.demo import _organisation_for
    from trm.demo_journeys import ScriptedJourney
    from trm.directory.models import Country
    from trm.federation.identity import this_node

    [country] = this_node().countries
    return ScriptedJourney(
        _organisation_for(Country.objects.get(code=country), "services"),
        _organisation_for(Country.objects.get(code=receiver_country), "services", here=False),
        User.objects.get(username=f"{country.lower()}.caseworker"),
        User.objects.get(username=f"{country.lower()}.supervisor"),
        None,
    )


def _refer(details) -> dict:
    """Cases brought to the referral and referred, once: none if the node has cases."""
    from trm.cases.models import Case

    if Case.objects.exists():
        return {"referrals": [], "references": {}}
    referrals, references = [], {}
    for receiver, child, person in details["referrals"]:
        team = _greek_team(receiver)
        case = team.to_referral(person=person, child=child, escort_needed=child)
        referral = team.send(case)
        referrals.append(str(referral.pk))
        references[str(referral.pk)] = case.reference
    return {"referrals": referrals, "references": references}


def _arrived(referral_id: str, until=lambda referral: True):
    """The referral `referral_id` once it is here and `until` holds, waiting for it."""
    from trm.referrals.models import Referral

    deadline = time.monotonic() + CROSSING_SECONDS
    while True:
        referral = Referral.objects.filter(pk=referral_id).first()
        if referral is not None and until(referral):
            return referral
        if time.monotonic() > deadline:
            raise RuntimeError(f"referral {referral_id} did not arrive in time")
        time.sleep(0.5)


def _respond(details) -> dict:
    """The receiving side's steps, once each referral has arrived: its own caseworker's."""
    import datetime

    from django.utils import timezone

    from trm.accounts.models import User
    from trm.demo_journeys import CITIES
    from trm.federation.identity import this_node
    from trm.referrals import actions

    [country] = this_node().countries
    worker = User.objects.get(username=f"{country.lower()}.caseworker")
    for referral_id, then in details["responses"]:
        referral = _arrived(referral_id)
        if then == "accept":
            actions.accept_referral(
                worker,
                referral,
                met_by="Elira, social worker",
                place=f"{CITIES.get(country, 'The capital')} airport, arrivals hall",
                meeting_at=timezone.now() + datetime.timedelta(days=20),
            )
        elif then == "ask":
            actions.ask_for_information(worker, referral, "Does he have a passport or an ID card?")
        elif then == "decline":
            actions.decline_referral(worker, referral, "We have no shelter place this month.")
    return {}


def _answer(details) -> dict:
    """The Greek caseworker answers each referral's question once it has crossed."""
    from trm.accounts.models import User
    from trm.referrals import actions
    from trm.referrals.models import MessageKind

    worker = User.objects.get(username="gr.caseworker")
    for referral_id in details["referrals"]:
        asked = lambda found: found.messages.filter(kind=MessageKind.ASK_INFORMATION).exists()  # noqa: E731
        referral = _arrived(referral_id, until=asked)
        question = referral.messages.get(kind=MessageKind.ASK_INFORMATION)
        actions.answer(worker, referral, question, "His passport is with the police in Athens.")
    return {}


def _settle(details) -> dict:
    """Wait until nothing waits in this node's outbox."""
    from trm.federation.models import OutgoingEnvelope

    deadline = time.monotonic() + CROSSING_SECONDS
    while OutgoingEnvelope.objects.filter(state=OutgoingEnvelope.State.QUEUED).exists():
        if time.monotonic() > deadline:
            raise RuntimeError("the outbox did not empty in time")
        time.sleep(0.5)
    return {}


def _referrals(details) -> dict:
    from trm.referrals.models import Referral

    return {"states": {str(pk): state for pk, state in Referral.objects.values_list("pk", "state")}}


def _logins(details) -> dict:
    from trm.demo import demo_logins

    return {"table": demo_logins()}


# Each step in a process of its node: the steps of its people, and what the parent asks of it.
STEPS = {
    "prepare": _prepare,
    "refer": _refer,
    "respond": _respond,
    "answer": _answer,
    "settle": _settle,
    "referrals": _referrals,
    "logins": _logins,
}


def take_step(steps: dict, arguments: list[str]) -> None:
    """`step NAME DETAILS`: set Django up on this process's node, take the step, and print
    what it returns as the last line."""
    _word, name, details = arguments
    from trm.cli import _setup_django

    _setup_django(database="" if name == "prepare" else "set up")
    from django.test import override_settings

    # Staff of an empty demo node would get the e-mails of every step at once: keep them in.
    kept_in = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    with override_settings(MAILERS=kept_in):
        done = steps[name](json.loads(details))
    print(json.dumps(done), flush=True)


if __name__ == "__main__":
    take_step(STEPS, sys.argv[1:])
