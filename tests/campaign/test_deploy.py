"""Production settings refuse to start without their secrets and pass check --deploy cleanly."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(args, **env):
    dropped = {"SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ENV", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env},
                          capture_output=True, text=True, timeout=120)


def test_production_refuses_to_start_without_secret_key_and_allowed_hosts():
    result = _run(["check"], DJANGO_ENV="production")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr and "ALLOWED_HOSTS" in result.stderr


def test_production_settings_pass_check_deploy_without_warnings():
    result = _run(["check", "--deploy", "--fail-level", "WARNING"], DJANGO_ENV="production",
                  SECRET_KEY="x" * 20 + "-a-long-and-random-enough-secret-for-the-check-9f8e7d6c5b4a",
                  ALLOWED_HOSTS="bairi.example.org", REDIS_URL="redis://127.0.0.1:6379/0")
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_shared_cache():
    # The broker, and the shared cache a flush must reach in every web process: per-process memory would go stale.
    result = _run(["check"], DJANGO_ENV="production", SECRET_KEY="x" * 60, ALLOWED_HOSTS="bairi.example.org",
                  REDIS_URL="")
    assert result.returncode != 0 and "REDIS_URL" in result.stderr


def test_the_web_process_asks_postgresql_for_no_parallel_workers_and_the_jobs_keep_its_setting():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        import pytest

        pytest.skip("PostgreSQL only")
    show = ("from django.db import connection; c = connection.cursor(); "
            "c.execute('SHOW max_parallel_workers_per_gather'); print(c.fetchone()[0])")
    # The server's own database: the one the suite names may exist only under its test_ name.
    clean = {**{k: v for k, v in os.environ.items() if k != "PG_PARALLEL_WORKERS"},
             "DATABASE_URL": url.rsplit("/", 1)[0] + "/postgres"}

    def setting(entry: str) -> str:
        result = subprocess.run([sys.executable, "-c", f"{entry}; {show}"], cwd=ROOT, env=clean,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    assert setting("import campaign.wsgi") == "0"
    server_default = setting("import os; os.environ['DJANGO_SETTINGS_MODULE'] = 'campaign.settings'; "
                             "import django; django.setup()")
    assert server_default != "0"
