"""Districts at full scale for the benchmark: per district 30 squads, 600 people, 20,000 tasks, 50,000 findings.

``scale`` 1 is one district; 5 is five in one campaign (150 squads, 3,000 people, 100,000
tasks, 500,000 history rows, 250,000 findings). Rows are built in memory and written with
``bulk_create`` in batches, or COPY for the large tables whose keys nothing reads back
(``campaign.core.bulk``), so one district takes under a minute on PostgreSQL and five under six.

This package builds the district itself: the units (their materialised path from
``accounts.services.unit_save``, 33 rows: the real rule, no copy of it), the people and the
sites, and the campaign. Every app that adds rows to it registers its own step
(``campaign.core.seeding``): ``tasks.seeding`` the responsibility list and its history,
``inspections.seeding`` the findings round the closed loop. Bulk inserts skip ``save()`` and
the services, so each step keeps the services' invariants, by applying the domain's own rules
to the rows it builds; each module says which.

Everyone's password is one hash computed once (hashing 600 passwords would take minutes).
"""


from __future__ import annotations

import datetime
import random

from django.db import connection, transaction
from django.utils import timezone

from campaign import loader
from campaign.core import cache, seeding
from campaign.large.base import CAMPAIGN_NAME, LARGE_PASSWORD, MAX_SCALE, Built, Plan
from campaign.large.organisation import _organisation, _sites
from campaign.models import Framework

__all__ = ["CAMPAIGN_NAME", "LARGE_PASSWORD", "MAX_SCALE", "Built", "Plan", "build"]


def build(*, scale: float = 1.0, seed: int = 7, now: datetime.datetime | None = None,
          log=lambda message: None) -> Built:
    """Build the large district in the current (empty) database. Returns what was built, with counts."""
    plan = Plan.for_scale(scale)
    now = now or timezone.now()
    with transaction.atomic():
        if not Framework.objects.exists():
            loader.load_all()
        built = _organisation(plan, random.Random(seed), now)
        _sites(built)
        log(f"units, {built.counts['people']} people and the sites")
        for app_label, step in seeding.large_steps():
            # Each step draws from its own stream: one app's rows stay the same when another app's seeding changes.
            built.rng = random.Random(f"{seed}:{app_label}")
            before = set(built.counts)
            step(built)
            log(f"{app_label}: " + ", ".join(f"{n} {name}" for name, n in built.counts.items() if name not in before))
        # Bulk inserts send no signals: the cached reference data must not outlive them.
        cache.flush(cache.campaigns_key(), cache.unit_paths_key())
    if connection.vendor == "postgresql":
        # What autovacuum would do soon after a bulk load: planner statistics, and the visibility map that
        # lets a count be answered from an index alone. VACUUM cannot run inside a transaction (a test's).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")
        log("vacuumed and analyzed")
    return built
