"""Social: suggested posts, the organisation's accounts and scheduled posts, the
supporter moment (a Thunderclap: many people share at one time) and pledges."""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from hub.core.encryption import EncryptedTextField


class Network(models.TextChoices):
    X = "x", "X (Twitter)"
    FACEBOOK = "facebook", "Facebook"
    LINKEDIN = "linkedin", "LinkedIn"
    MASTODON = "mastodon", "Mastodon"
    BLUESKY = "bluesky", "Bluesky"
    INSTAGRAM = "instagram", "Instagram"
    WHATSAPP = "whatsapp", "WhatsApp"


# Networks whose length rules a suggested post is checked against.
CHECKED_NETWORKS = (Network.X, Network.MASTODON, Network.BLUESKY)


class SuggestedPost(models.Model):
    """A post the public and partners are invited to share."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="suggested_posts")
    text = models.TextField()
    networks = models.JSONField(default=list, help_text="The networks it suits (Network values).")
    order = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["campaign", "order", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class SocialAccount(models.Model):
    """One of the organisation's own accounts that scheduled posts go out on."""

    PUBLISHING_NETWORKS = [(Network.MASTODON.value, "Mastodon"), (Network.BLUESKY.value, "Bluesky")]

    network = models.CharField(max_length=20, choices=PUBLISHING_NETWORKS)
    name = models.CharField(max_length=100, help_text="How staff recognise it, e.g. 'Partnership Mastodon'.")
    # Mastodon: the instance (https://mastodon.example); Bluesky: the PDS, default https://bsky.social.
    instance_url = models.URLField(blank=True)
    # Mastodon: the account's @name (for display); Bluesky: the login handle.
    handle = models.CharField(max_length=255)
    # Mastodon access token or Bluesky app password: encrypted, never shown again.
    secret = EncryptedTextField()
    max_characters = models.PositiveIntegerField(default=500, help_text="Mastodon instances may allow more.")
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["network", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_network_display()})"


class ScheduledPost(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        PUBLISHING = "publishing", "Publishing"
        PUBLISHED = "published", "Published"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="scheduled_posts")
    account = models.ForeignKey(SocialAccount, on_delete=models.PROTECT, related_name="posts")
    text = models.TextField()
    scheduled_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    # Sent as Mastodon's Idempotency-Key: a retried request cannot post twice.
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    attempts = models.PositiveIntegerField(default=0)
    first_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    remote_id = models.CharField(max_length=255, blank=True)
    remote_url = models.URLField(max_length=500, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["scheduled_at", "pk"]
        indexes = [models.Index(fields=["status", "scheduled_at"])]

    def __str__(self) -> str:
        return f"Post {self.pk} on {self.account} at {self.scheduled_at:%Y-%m-%d %H:%M}"


def supporter_token() -> str:
    return secrets.token_urlsafe(32)


class Moment(models.Model):
    """The supporter moment: everyone who signs up is emailed at the same time
    with their own share links (what Thunderclap did)."""

    class Status(models.TextChoices):
        OPEN = "open", "Taking sign-ups"
        SENT = "sent", "Moment emails sent"
        CALLED_OFF = "called_off", "Called off: goal not met"

    campaign = models.OneToOneField("campaigns.Campaign", on_delete=models.CASCADE, related_name="moment")
    moment_at = models.DateTimeField()
    signup_deadline = models.DateTimeField()
    goal = models.PositiveIntegerField(help_text="Supporters wanted.")
    all_or_nothing = models.BooleanField(default=False)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(goal__gte=1), name="moment_goal_positive"),
            models.CheckConstraint(
                condition=Q(signup_deadline__lte=models.F("moment_at")), name="moment_deadline_before_moment"
            ),
        ]

    def __str__(self) -> str:
        return f"Moment of {self.campaign}"


class Supporter(models.Model):
    moment = models.ForeignKey(Moment, on_delete=models.CASCADE, related_name="supporters")
    first_name = models.CharField(max_length=100)
    email = models.EmailField()  # lower-case; one sign-up per email per moment
    token = models.CharField(max_length=64, unique=True, default=supporter_token, editable=False)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    moment_emailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["moment", "email"], name="supporter_one_per_email")]

    def __str__(self) -> str:
        return f"Supporter {self.pk}"


class SupporterHandle(models.Model):
    """A network and handle a supporter will post from, with the followers they say they have."""

    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="handles")
    network = models.CharField(max_length=20, choices=Network.choices)
    handle = models.CharField(max_length=255)  # normalised per network, lower-case
    followers = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["supporter", "network"], name="handle_one_per_network")]
        indexes = [models.Index(fields=["network", "handle"])]

    def __str__(self) -> str:
        return f"{self.network}:{self.handle}"


class Pledge(models.Model):
    """A #HelpingHands photo: a pledge written on a hand."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for moderation"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="pledges")
    # Re-encoded by the server (no metadata), stored under a random name.
    image = models.FileField(upload_to="pledges/")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    first_name = models.CharField(max_length=100, blank=True)
    message = models.CharField(max_length=280, blank=True)
    consent_to_publish = models.BooleanField()
    confirmed_no_child = models.BooleanField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    rejection_reason = models.TextField(blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    # Hidden from the wall from the first report until a coordinator reviews it.
    hidden_by_report = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["campaign", "status"])]
        permissions = [("moderate_pledge", "Can approve, reject and review reported pledges")]

    def __str__(self) -> str:
        return f"Pledge {self.pk} ({self.get_status_display()})"


class PledgeReport(models.Model):
    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="reports")
    reason = models.TextField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Report on pledge {self.pledge_id}"
