from django.conf import settings
from django.db import models
from django.db.models.functions import Lower


class Audience(models.TextChoices):
    """Who a resource is for; the public page groups resources by these."""

    PARENTS_CARERS = "parents_carers", "Parents and carers"
    YOUNG_PEOPLE = "young_people", "Young people"
    PROFESSIONALS = "professionals", "Professionals and frontline staff"
    SCHOOLS = "schools", "Schools"
    ELECTED_MEMBERS = "elected_members", "Elected members"
    BUSINESSES = "businesses", "Businesses and community"


class Campaign(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    summary = models.CharField(max_length=300, help_text="One sentence shown on the home page.")
    awareness_day = models.DateField(null=True, blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField()
    theme = models.TextField(help_text="The national theme of the campaign.")
    local_commitment = models.TextField(blank=True)
    # Stored without the leading '#', in the order the coordinator gave them.
    hashtags = models.JSONField(default=list, blank=True)
    about_cse = models.TextField("What child sexual exploitation is")
    warning_signs = models.TextField(help_text="One warning sign per line.")
    contact_name = models.CharField("Point of contact", max_length=200, help_text="A team or role, not a person.")
    contact_email = models.EmailField("Point of contact email", help_text="A team mailbox.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_on", "name"]
        permissions = [("publish_campaign", "Can publish a campaign")]
        constraints = [
            models.UniqueConstraint(Lower("slug"), name="campaign_slug_unique_ci"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="campaign_dates_in_order"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def warning_sign_list(self) -> list[str]:
        return [line.strip() for line in self.warning_signs.splitlines() if line.strip()]

    @property
    def hashtag_text(self) -> str:
        return " ".join(f"#{tag}" for tag in self.hashtags)


class ReportingChannel(models.Model):
    """A way to report a concern: the police, Missing People, the council."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="reporting_channels")
    label = models.CharField(max_length=200)
    when_to_use = models.TextField(help_text="When someone should use this channel.")
    phone = models.CharField(max_length=30, blank=True)
    text_number = models.CharField("Text number", max_length=30, blank=True)
    email = models.EmailField(blank=True)
    url = models.URLField("Web address", blank=True)
    is_emergency = models.BooleanField(default=False, help_text="For immediate danger (999).")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-is_emergency", "position", "pk"]

    def __str__(self) -> str:
        return self.label

    @property
    def phone_href(self) -> str:
        return "tel:" + "".join(ch for ch in self.phone if ch.isdigit() or ch == "+")

    @property
    def text_href(self) -> str:
        return "sms:" + "".join(ch for ch in self.text_number if ch.isdigit() or ch == "+")


def resource_upload_path(instance: "Resource", filename: str) -> str:
    return f"resources/{instance.campaign_id}/{filename}"


class Resource(models.Model):
    """A guide, toolkit or flow chart: a link or an uploaded file."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="resources")
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    url = models.URLField("Web address", blank=True)
    file = models.FileField(upload_to=resource_upload_path, blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    file_type = models.CharField(max_length=10, blank=True)
    file_size = models.PositiveIntegerField(null=True, blank=True)
    audiences = models.JSONField(default=list, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(url="") & ~models.Q(file="")) | (~models.Q(url="") & models.Q(file="")),
                name="resource_link_or_file",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def audience_labels(self) -> list[str]:
        labels = dict(Audience.choices)
        return [labels[value] for value in self.audiences if value in labels]
