"""PostgreSQL restarted under load: requests fail cleanly with 503 and the same web process recovers.

The shared cluster on 5432 serves everyone's tests, so this starts a throwaway
cluster of its own (initdb into a temporary directory, a free port), migrates
a database there and serves the app with gunicorn (sync workers, persistent
connections so the restart really kills live connections). Threads keep
requesting a page, an API list and /healthz while the cluster is stopped and
started again. Skipped only where the PostgreSQL server binaries are missing
(and fails instead under REQUIRE_SERVICES=1).
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
REQUEST_TIMEOUT = 5.0  # "never a hang beyond a few seconds"


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_postgres(args: list) -> list:
    # initdb and the server refuse to run as root.
    return ["runuser", "-u", "postgres", "--", *map(str, args)] if os.geteuid() == 0 else list(map(str, args))


class Cluster:
    def __init__(self, bindir: Path, datadir: Path, port: int):
        self.bindir, self.datadir, self.port = bindir, datadir, port
        self.url = f"postgres://postgres@127.0.0.1:{port}/bairi_fault"

    def ctl(self, *args: str) -> None:
        subprocess.run(_as_postgres([self.bindir / "pg_ctl", "-D", self.datadir, "-l", self.datadir / "server.log",
                                     "-o", f"-p {self.port} -k {self.datadir} -c listen_addresses=127.0.0.1",
                                     *args]), check=True, capture_output=True, timeout=60)


@pytest.fixture
def cluster():
    bindir = _pg_bin()
    if bindir is None:
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("REQUIRE_SERVICES=1 but no PostgreSQL server binaries under /usr/lib/postgresql")
        pytest.skip("needs the PostgreSQL server binaries (initdb, pg_ctl) under /usr/lib/postgresql")
    # Not under pytest's tmp_path: that is private to root, and the server runs as postgres.
    home = Path(tempfile.mkdtemp(prefix="bairi-pg-"))
    datadir = home / "pgdata"
    datadir.mkdir()
    if os.geteuid() == 0:
        shutil.chown(home, "postgres")
        shutil.chown(datadir, "postgres")
    subprocess.run(_as_postgres([bindir / "initdb", "-D", datadir, "-U", "postgres", "-A", "trust", "-E", "UTF8",
                                 "--no-sync"]), check=True, capture_output=True, timeout=120)
    pg = Cluster(bindir, datadir, _free_port())
    pg.ctl("start", "-w")
    try:
        subprocess.run([bindir / "createdb", "-h", "127.0.0.1", "-p", str(pg.port), "-U", "postgres", "bairi_fault"],
                       check=True, capture_output=True, timeout=30)
        yield pg
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            pg.ctl("stop", "-m", "immediate", "-w")
        shutil.rmtree(home, ignore_errors=True)


def _app_env(pg: Cluster) -> dict:
    return {**os.environ, "DATABASE_URL": pg.url, "DEBUG": "0", "REDIS_URL": "", "CONN_MAX_AGE": "60",
            "DJANGO_SETTINGS_MODULE": "campaign.settings", "LOG_LEVEL": "WARNING"}


SETUP = """
from rest_framework.authtoken.models import Token
from campaign.demo import seed_district
district = seed_district(activity=False)
print(Token.objects.create(user=district.people["squad1"]).key)
"""


@pytest.fixture
def web(cluster, tmp_path):
    """gunicorn with two sync workers on the throwaway cluster; yields (base url, token, gunicorn process)."""
    env = _app_env(cluster)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True,
                   timeout=300)
    token = subprocess.run([sys.executable, "manage.py", "shell", "-c", SETUP], cwd=ROOT, env=env, check=True,
                           capture_output=True, text=True, timeout=120).stdout.strip().splitlines()[-1]
    port = _free_port()
    log = open(tmp_path / "gunicorn.log", "wb")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "campaign.wsgi:application", "-w", "2", "-k", "sync",
                             "-b", f"127.0.0.1:{port}", "--timeout", "30", "--graceful-timeout", "5"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(lambda: requests.get(f"{base}/healthz", timeout=2).status_code == 200, 30, proc)
        yield base, token, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        print((tmp_path / "gunicorn.log").read_text(errors="replace")[-4000:])


def _wait(predicate, timeout: float, proc=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            pytest.fail("the web server exited")
        try:
            if predicate():
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    pytest.fail("timed out")


def _children(pid: int) -> set[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return {int(p) for p in out.split()}


def _signed_in(base: str) -> requests.Session:
    session = requests.Session()
    session.get(f"{base}/accounts/login/", timeout=REQUEST_TIMEOUT)
    answer = session.post(f"{base}/accounts/login/", timeout=REQUEST_TIMEOUT, allow_redirects=False,
                          data={"username": "squad1", "password": "campaign100",
                                "csrfmiddlewaretoken": session.cookies["csrftoken"]},
                          headers={"Referer": f"{base}/accounts/login/"})
    assert answer.status_code == 302, answer.text[:500]
    return session


class Load:
    """Threads requesting a page (signed in), the API (token) and /healthz until stopped; every answer kept."""

    def __init__(self, base: str, token: str, page_session: requests.Session):
        self.base, self.token, self.page_session = base, token, page_session
        self.phase = "before"
        self.results: list[tuple[str, str, int | str, float, str]] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run, args=(kind,), daemon=True)
                         for kind in ("page", "api", "health", "page")]

    def _request(self, kind: str, client: requests.Session) -> requests.Response:
        if kind == "page":
            return client.get(f"{self.base}/", timeout=REQUEST_TIMEOUT, allow_redirects=False)
        if kind == "api":
            return client.get(f"{self.base}/api/v1/tasks/", timeout=REQUEST_TIMEOUT,
                              headers={"Authorization": f"Token {self.token}"})
        return client.get(f"{self.base}/healthz", timeout=REQUEST_TIMEOUT)

    def _run(self, kind: str) -> None:
        client = requests.Session()
        if kind == "page":
            client.cookies.update(self.page_session.cookies)
        while not self._stop.is_set():
            phase, started = self.phase, time.monotonic()
            try:
                answer = self._request(kind, client)
                status, body = answer.status_code, answer.text[:300]
            except requests.RequestException as exc:  # a hang or a dropped connection: both are failures here
                status, body = type(exc).__name__, str(exc)[:300]
            # a request that spans a phase change (started before the stop, answered after it) belongs to neither
            phase = phase if phase == self.phase else "between"
            with self._lock:
                self.results.append((phase, kind, status, time.monotonic() - started, body))
            time.sleep(0.05)

    def __enter__(self):
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=REQUEST_TIMEOUT + 2)

    def statuses(self, phase: str) -> set:
        return {r[2] for r in self.results if r[0] == phase}


def test_a_postgresql_restart_answers_503_and_the_same_web_process_recovers(cluster, web):
    base, token, gunicorn = web
    session = _signed_in(base)
    workers = _children(gunicorn.pid)
    assert len(workers) == 2

    with Load(base, token, session) as load:
        time.sleep(1.5)
        load.phase = "stopping"  # requests already under way may still finish with 200
        cluster.ctl("stop", "-m", "fast", "-w")
        load.phase = "down"
        time.sleep(2.5)
        # What a person and a client read while the database is down.
        page = session.get(f"{base}/", timeout=REQUEST_TIMEOUT, headers={"Accept-Language": "en"})
        api = requests.get(f"{base}/api/v1/tasks/", timeout=REQUEST_TIMEOUT,
                           headers={"Authorization": f"Token {token}"})
        health = requests.get(f"{base}/healthz", timeout=REQUEST_TIMEOUT)
        load.phase = "restarting"
        cluster.ctl("start", "-w")
        _wait(lambda: requests.get(f"{base}/api/v1/tasks/", timeout=REQUEST_TIMEOUT,
                                   headers={"Authorization": f"Token {token}"}).status_code == 200, 15)
        load.phase = "after"
        time.sleep(1.5)

    assert page.status_code == 503 and page.headers["Retry-After"]
    assert 'id="unavailable"' in page.text and "Temporarily unavailable" in page.text
    assert "Traceback" not in page.text
    assert api.status_code == 503 and api.json()["database"] == "unreachable"
    assert health.status_code == 503 and health.json()["database"] == "unreachable"

    failures = [r for r in load.results if r[2] not in (200, 503) or r[3] > REQUEST_TIMEOUT]
    assert not failures, failures[:5]
    assert load.statuses("before") == {200}
    assert load.statuses("down") == {503}
    assert load.statuses("after") == {200}
    assert sum(1 for r in load.results if r[0] == "after") >= 4
    # the same processes answered throughout: no worker died or was replaced
    assert gunicorn.poll() is None
    assert _children(gunicorn.pid) == workers
    # and the session made before the outage still works
    assert session.get(f"{base}/", timeout=REQUEST_TIMEOUT).status_code == 200
