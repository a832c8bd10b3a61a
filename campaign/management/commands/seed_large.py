import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from accounts.models import Unit
from campaign.large import LARGE_PASSWORD, MAX_SCALE, Plan, build


class Command(BaseCommand):
    help = ("Build the large district of the benchmark (per district: 30 squads, 600 people, 20,000 tasks with "
            "100,000 updates, 50,000 findings over 26 weeks; --scale 5 builds five in one campaign) with bulk "
            "inserts, in an empty PostgreSQL database.")

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0,
                            help="How many districts' worth to build in one campaign: 1 is one district, 5 is five "
                                 "(150 squads, 100,000 tasks); tests use 0.002.")
        parser.add_argument("--seed", type=int, default=7, help="Random seed: the same seed builds the same data.")
        parser.add_argument("--force", action="store_true",
                            help="Run even on SQLite or with DEBUG off.")

    def handle(self, *args, scale: float, seed: int, force: bool, **options):
        if not 0 < scale <= MAX_SCALE:
            raise CommandError(f"--scale is a number between 0 (exclusive) and {MAX_SCALE}.")
        if connection.vendor != "postgresql" and not force:
            raise CommandError("seed_large is meant for PostgreSQL (DATABASE_URL); pass --force to fill "
                               f"this {connection.vendor} database anyway.")
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG is off: this looks like a real site, and these people share a known "
                               "password. Refusing; pass --force if you really mean it.")
        if Unit.objects.exists():
            raise CommandError("This database already has units: seed_large fills an empty database "
                               "(create one, run migrate, then seed_large).")
        plan = Plan.for_scale(scale)
        self.stdout.write(f"Building {plan.squads} squads, {plan.people} people, {plan.tasks} tasks with "
                          f"{plan.updates} updates and {plan.findings} findings…")
        started = time.monotonic()
        built = build(scale=scale, seed=seed, log=lambda m: self.stdout.write(
            f"  {time.monotonic() - started:6.1f} s  {m}"))
        counts = ", ".join(f"{k} {v}" for k, v in built.counts.items())
        self.stdout.write(self.style.SUCCESS(
            f"Large district ready in {time.monotonic() - started:.1f} s: {counts}. "
            f"Logins admin, leader, squad1…, member1…, inspector1… (password {LARGE_PASSWORD})."))
