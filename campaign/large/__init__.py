"""Districts at full scale for the benchmark: per district 30 squads, 600 people, 20,000 tasks, 50,000 findings.

``scale`` 1 is one district; 5 is five in one campaign (150 squads, 3,000 people, 100,000
tasks, 500,000 history rows, 250,000 findings). Rows are built in memory and written with
``bulk_create`` in batches, or COPY for the large tables whose keys nothing reads back, so one
district takes under a minute on PostgreSQL and five under six. Bulk inserts skip ``save()``
and the services, so this module keeps the invariants the services would keep, by construction:

* units get their materialised path from ``accounts.services.unit_save``
  (33 rows: the real rule, no copy of it);
* a task's level comes from ``Task.derive_level``; seq is 1…N in the campaign;
  a child's deadline never passes its parent's; a parent's status and progress
  are rolled up from its children as ``tasks.services._roll_up`` does;
* each task's history starts with its "create" row (version 1) and its
  versions run 1…n; ``done_at`` is set iff the task is done,
  ``first_response_at`` is the first status/note row by the responsible
  person, ``last_activity_at``/``updated_at`` the last row;
* a finding's deadline, ``clock_start`` and ``yellow_at`` (80 % of the
  current period) follow the closed loop: reported → rectified → closed, or
  returned for rework (counted, a new period and deadline) and rectified again;
  ``closed_at`` is set iff closed, ``closed_on_time`` compares the last
  rectification with the deadline in force;
* a finding is a rebound iff an earlier finding of the same category at the
  same site was closed within the campaign's window before it was reported
  (``inspections.services.find_rebound_source``), and then links to the most
  recent one.

Photos: one small generated JPEG is stored once; every finding has one
"before" photo row pointing at that file (the rows are real, the pixels shared).
Everyone's password is one hash computed once (hashing 600 passwords would take
minutes). Task evidence files are not generated.
"""


from __future__ import annotations

import datetime
import random

from django.db import connection, transaction
from django.utils import timezone

from campaign import loader
from campaign.core import cache
from campaign.large.base import CAMPAIGN_NAME, LARGE_PASSWORD, MAX_SCALE, YELLOW_SHARE, Built, Plan
from campaign.large.findings import _findings
from campaign.large.organisation import _organisation, _sites
from campaign.large.tasks import _tasks
from campaign.models import Framework

__all__ = ["CAMPAIGN_NAME", "LARGE_PASSWORD", "MAX_SCALE", "YELLOW_SHARE", "Plan", "build"]


def build(*, scale: float = 1.0, seed: int = 7, now: datetime.datetime | None = None,
          log=lambda message: None) -> Built:
    """Build the large district in the current (empty) database. Returns what was built, with counts."""
    plan = Plan.for_scale(scale)
    rng = random.Random(seed)
    now = now or timezone.now()
    with transaction.atomic():
        if not Framework.objects.exists():
            loader.load_all()
        built, people = _organisation(plan, rng, now)
        log(f"units and {sum(len(v) for v in people.values())} people")
        sites = _sites(built.squads, plan.sites_per_squad, rng)
        tasks = _tasks(built, people, rng, now)
        log(f"{len(tasks)} tasks, {built.counts['task_updates']} updates")
        _findings(built, people, sites, rng, now)
        log(f"{built.counts['findings']} findings")
        # Bulk inserts send no signals: the cached reference data must not outlive them.
        cache.flush(cache.campaigns_key(), cache.unit_paths_key())
    if connection.vendor == "postgresql":
        # Fresh planner statistics, as autovacuum would gather soon after a bulk load.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        log("analyzed")
    return built
