import datetime
import io
import zipfile

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from hub.campaigns.models import Campaign, ReportingChannel, Resource

MINIMAL_PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
MINIMAL_PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
MINIMAL_JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def minimal_docx() -> bytes:
    """The parts that make a zip a Word document."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a word document")
    return buffer.getvalue()


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    name = factory.Sequence(lambda n: f"Awareness campaign {n}")
    slug = factory.Sequence(lambda n: f"campaign-{n}")
    summary = "Spotting the signs of child sexual exploitation."
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=3))
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=3))
    theme = "Working together to inform, educate and prevent."
    about_cse = "Child sexual exploitation is a form of child sexual abuse."
    warning_signs = "Going missing\nUnexplained gifts"
    contact_name = "Campaigns team"
    contact_email = "campaigns@partnership.example.org"
    hashtags = factory.LazyFunction(lambda: ["CSEDay26"])

    class Params:
        published = factory.Trait(status=Campaign.Status.PUBLISHED, published_at=factory.LazyFunction(timezone.now))


class ChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportingChannel

    campaign = factory.SubFactory(CampaignFactory)
    label = "Police: non-emergency"
    when_to_use = "To report a concern."
    phone = "101"


class LinkResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resource

    campaign = factory.SubFactory(CampaignFactory)
    title = factory.Sequence(lambda n: f"Guide {n}")
    url = "https://www.example.org/guide"


class FileResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resource

    campaign = factory.SubFactory(CampaignFactory)
    title = factory.Sequence(lambda n: f"Flow chart {n}")
    file = factory.LazyFunction(lambda: ContentFile(MINIMAL_PDF, name="stored-name.pdf"))
    file_name = "flow-chart.pdf"
    file_type = "pdf"
    file_size = len(MINIMAL_PDF)
