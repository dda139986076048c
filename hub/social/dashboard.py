"""The reach dashboard of one campaign: supporters and estimated reach over time,
pledges, and posts published per network. Each table feeds a chart and a CSV."""

import csv
import datetime
import io
from dataclasses import dataclass

from django.db.models import Count
from django.utils import timezone

from hub.campaigns.models import Campaign
from hub.core.exports import csv_cell
from hub.social.models import Moment, Network, Pledge, ScheduledPost
from hub.social.moments import moment_progress

MAX_DAYS = 90


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    columns: tuple[str, ...]  # the label column first, then one per value
    rows: list[tuple]  # (label, value, ...)

    @property
    def max_value(self) -> int:
        return max((row[1] for row in self.rows), default=0) or 1

    def chart_rows(self, column: int = 1) -> list[tuple[str, int]]:
        return [(row[0], row[column]) for row in self.rows]


def supporters_over_time(campaign: Campaign, *, today: datetime.date | None = None) -> Table:
    """Supporters and estimated reach at the end of each day since the first sign-up."""
    moment = Moment.objects.filter(campaign=campaign).first()
    rows = []
    if moment is not None and moment.supporters.exists():
        today = today or timezone.localdate()
        first = timezone.localtime(moment.supporters.earliest("created_at").created_at).date()
        last = min(today, timezone.localtime(moment.moment_at).date())
        first = max(first, last - datetime.timedelta(days=MAX_DAYS - 1))
        day = first
        while day <= last:
            end_of_day = timezone.make_aware(
                datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
            )
            progress = moment_progress(moment, at=end_of_day)
            rows.append((f"{day:%-d %b %Y}", progress.supporters, progress.estimated_reach))
            day += datetime.timedelta(days=1)
    return Table("supporters", "Supporters and estimated reach by day", ("Day", "Supporters", "Estimated reach"), rows)


def pledge_counts(campaign: Campaign) -> Table:
    pledges = campaign.pledges.all()
    by_status = dict(pledges.values_list("status").annotate(n=Count("pk")))
    rows = [
        ("Received", pledges.count()),
        ("Approved", by_status.get(Pledge.Status.APPROVED, 0)),
        ("Waiting for moderation", by_status.get(Pledge.Status.PENDING, 0)),
        ("Rejected", by_status.get(Pledge.Status.REJECTED, 0)),
        ("Hidden after a report", pledges.filter(hidden_by_report=True).count()),
    ]
    return Table("pledges", "Pledges", ("Pledges", "Number"), rows)


def posts_published_by_network(campaign: Campaign) -> Table:
    counts = dict(
        campaign.scheduled_posts.filter(status=ScheduledPost.Status.PUBLISHED)
        .values_list("account__network")
        .annotate(n=Count("pk"))
    )
    rows = [(Network(network).label, counts.get(network, 0)) for network in (Network.MASTODON, Network.BLUESKY)]
    return Table("posts", "Posts published on our accounts, by network", ("Network", "Posts published"), rows)


def dashboard_tables(campaign: Campaign) -> list[Table]:
    return [supporters_over_time(campaign), pledge_counts(campaign), posts_published_by_network(campaign)]


def table_csv(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow([csv_cell(row[0]), *row[1:]])
    return out.getvalue()
