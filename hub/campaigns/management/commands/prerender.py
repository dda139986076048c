from django.core.management.base import BaseCommand, CommandError

from hub.campaigns.prerender import FAILED, campaign_prerender
from hub.campaigns.selectors import campaigns_published


class Command(BaseCommand):
    help = (
        "Render the public pages of the named campaigns (or of every published one with --all) to "
        "PRERENDER_ROOT now. A campaign that is not published has its files removed."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("slugs", nargs="*", help="campaign web addresses (slugs)")
        parser.add_argument("--all", action="store_true", dest="all_published", help="every published campaign")

    def handle(self, *args, slugs: list[str], all_published: bool, **options) -> None:
        if all_published:
            slugs = [*slugs, *campaigns_published().order_by("slug").values_list("slug", flat=True)]
        if not slugs:
            raise CommandError("Name a campaign, or give --all.")
        failed = False
        for slug in dict.fromkeys(slugs):
            try:
                outcomes = campaign_prerender(slug)
            except ValueError as error:
                raise CommandError(str(error)) from error
            for path, outcome in outcomes.items():
                self.stdout.write(f"{path}: {outcome}")
                failed = failed or outcome == FAILED
        if failed:
            raise CommandError("Some pages failed to render; see the log.")
