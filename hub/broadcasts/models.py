"""Broadcasts: partner contacts in audiences, bulletin series (a topic a day),
one delivery row per recipient, and the suppression list every send respects."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

from hub.accounts.models import Sector


class LawfulBasis(models.TextChoices):
    """UK GDPR Article 6 bases a partnership mailing list can rest on."""

    PUBLIC_TASK = "public_task", "Public task"
    LEGITIMATE_INTERESTS = "legitimate_interests", "Legitimate interests"
    CONSENT = "consent", "Consent"
    CONTRACT = "contract", "Contract"


class Audience(models.Model):
    """A group of partner contacts a bulletin goes to (Schools, CSPs and JAGs, ...)."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    name = models.CharField(max_length=200)
    email = models.EmailField(unique=True)  # stored lower-case
    organisation = models.CharField(max_length=200, blank=True)
    sector = models.CharField(max_length=30, choices=Sector.choices, blank=True)
    role = models.CharField(max_length=200, blank=True)
    lawful_basis = models.CharField(max_length=30, choices=LawfulBasis.choices)
    audiences = models.ManyToManyField(Audience, related_name="contacts", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return f"Contact {self.pk}"


class Suppression(models.Model):
    """An address that must not be sent to: from one audience or (no audience) from everything."""

    class Reason(models.TextChoices):
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
        HARD_BOUNCE = "hard_bounce", "Hard bounce"
        MANUAL = "manual", "Removed by staff"

    email = models.EmailField()
    audience = models.ForeignKey(Audience, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["email", "audience"], name="suppression_once_per_audience"),
            models.UniqueConstraint(
                fields=["email"], condition=Q(audience__isnull=True), name="suppression_once_for_everything"
            ),
        ]
        indexes = [models.Index(fields=["email"])]

    def __str__(self) -> str:
        return f"Suppression {self.pk}"


class Series(models.Model):
    """A run of bulletins, one a day (e.g. "CSE Awareness Week")."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    campaign = models.ForeignKey(
        "campaigns.Campaign", null=True, blank=True, on_delete=models.SET_NULL, related_name="bulletin_series"
    )
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name_plural = "series"

    def __str__(self) -> str:
        return self.name


class Bulletin(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        SENDING = "sending", "Sending"
        PAUSED = "paused", "Paused"
        SENT = "sent", "Sent"

    # Once sending has started the bulletin is what people received: no more edits.
    LOCKED = (Status.SENDING, Status.PAUSED, Status.SENT)

    series = models.ForeignKey(Series, on_delete=models.PROTECT, related_name="bulletins")
    day = models.DateField(help_text="The day of the series it belongs to.")
    topic = models.CharField(max_length=200)
    subject = models.CharField(max_length=200)
    body_markdown = models.TextField()
    resources = models.ManyToManyField("campaigns.Resource", blank=True, related_name="+")
    audiences = models.ManyToManyField(Audience, blank=True, related_name="bulletins")
    send_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    sending_started_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["series", "day", "pk"]
        permissions = [("send_bulletin", "Can send, pause and resume bulletins")]

    def __str__(self) -> str:
        return f"{self.series}: {self.topic}"


def delivery_token() -> str:
    return secrets.token_urlsafe(32)


class Delivery(models.Model):
    """One bulletin to one recipient: written before any message leaves, so a send
    can stop and resume at any point and nobody gets it twice."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        BOUNCED = "bounced", "Bounced"

    bulletin = models.ForeignKey(Bulletin, on_delete=models.PROTECT, related_name="deliveries")
    contact = models.ForeignKey(Contact, null=True, on_delete=models.SET_NULL, related_name="deliveries")
    email = models.EmailField()
    name = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    # The secret in this recipient's unsubscribe links: unguessable, and good only for them.
    token = models.CharField(max_length=64, unique=True, default=delivery_token, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["bulletin", "email"], name="delivery_once_per_address")]
        indexes = [models.Index(fields=["bulletin", "status"])]
        verbose_name_plural = "deliveries"

    def __str__(self) -> str:
        return f"Delivery {self.pk} ({self.status})"
