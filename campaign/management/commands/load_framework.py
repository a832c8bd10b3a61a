from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from campaign import loader


class Command(BaseCommand):
    help = "Load the evaluation framework, point types with check lists, and event categories (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--framework", type=Path, default=loader.FRAMEWORK_FILE)
        parser.add_argument("--points", type=Path, default=loader.POINTS_FILE)
        parser.add_argument("--categories", type=Path, default=loader.CASES_FILE)

    def handle(self, *args, **options):
        try:
            framework, report = loader.load_all(options["framework"], options["points"], options["categories"])
        except loader.DataFileError as exc:
            raise CommandError(f"Nothing was loaded. {exc}") from exc
        created = ", ".join(f"{k} {v}" for k, v in sorted(report.created.items())) or "nothing new"
        existing = sum(report.existing.values())
        self.stdout.write(self.style.SUCCESS(
            f"{framework.name}: created {created}; {existing} rows were already there."
        ))
