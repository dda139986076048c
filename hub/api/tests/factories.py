"""Small builders for API tests: plain ORM creates with sensible defaults."""

import datetime
import itertools

from django.core.files.base import ContentFile
from django.utils import timezone

from hub.campaigns.models import Campaign, ReportingChannel, Resource

MINIMAL_PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"

_numbers = itertools.count(1)


def campaign_make(*, published: bool = True, **fields) -> Campaign:
    """A campaign running from three days ago to three days ahead, published unless asked."""
    number = next(_numbers)
    today = timezone.localdate()
    values = {
        "name": f"Awareness campaign {number}",
        "slug": f"api-campaign-{number}",
        "summary": "Spotting the signs of child sexual exploitation.",
        "starts_on": today - datetime.timedelta(days=3),
        "ends_on": today + datetime.timedelta(days=3),
        "theme": "Working together to inform, educate and prevent.",
        "about_cse": "Child sexual exploitation is a form of child sexual abuse.",
        "warning_signs": "Going missing\n\n  Unexplained gifts  \n",
        "contact_name": "Campaigns team",
        "contact_email": "campaigns@partnership.example.org",
        "hashtags": ["CSEDay26"],
        "status": Campaign.Status.PUBLISHED if published else Campaign.Status.DRAFT,
        "published_at": timezone.now() if published else None,
    }
    values.update(fields)
    return Campaign.objects.create(**values)


def channel_make(campaign: Campaign, **fields) -> ReportingChannel:
    values = {"label": "Police: non-emergency", "when_to_use": "To report a concern.", "phone": "101"}
    values.update(fields)
    return ReportingChannel.objects.create(campaign=campaign, **values)


def link_resource_make(campaign: Campaign, **fields) -> Resource:
    number = next(_numbers)
    values = {"title": f"Guide {number}", "url": f"https://www.example.org/guide-{number}"}
    values.update(fields)
    return Resource.objects.create(campaign=campaign, **values)


def file_resource_make(campaign: Campaign, **fields) -> Resource:
    number = next(_numbers)
    values = {
        "title": f"Flow chart {number}",
        "file_name": "flow-chart.pdf",
        "file_type": "pdf",
        "file_size": len(MINIMAL_PDF),
    }
    values.update(fields)
    resource = Resource(campaign=campaign, **values)
    resource.file.save(f"flow-chart-{number}.pdf", ContentFile(MINIMAL_PDF), save=False)
    resource.save()
    return resource
