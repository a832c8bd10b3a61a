from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from campaign.demo import DEMO_PASSWORD, seed_district


class Command(BaseCommand):
    help = "Create the demo district: units, about 40 people, about 30 sites and one campaign (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even though DEBUG is off.")

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "DEBUG is off: this looks like a real site, and demo people have a known password. "
                "Refusing to seed demo data; pass --force if you really mean it."
            )
        district = seed_district()
        self.stdout.write(self.style.SUCCESS(
            f"Demo district ready: {len(district.squads)} squads, {len(district.people)} people, "
            f"{len(district.sites)} sites, campaign “{district.campaign.name}”."
        ))
        self.stdout.write(f"Demo logins (password {DEMO_PASSWORD}):")
        squads = len(district.squads)
        members = sum(1 for name in district.people if name.startswith("member"))
        lines = [
            ("admin", "administrator (创建办)"),
            ("leader", "bureau leader (局领导)"),
            (f"squad1 … squad{squads}", "squad leaders of 第一中队 … 第八中队"),
            (f"member1 … member{members}", "squad members (member1, member4, … are tier-3 inspectors)"),
            ("inspector1, inspector2", "inspection squad (督察中队)"),
        ]
        for login, role in lines:
            self.stdout.write(f"  {login:<24} {role}")
