"""Courses, their sessions, and the bookings people make for them."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

from hub.accounts.models import Organisation, Sector


class BusinessType(models.TextChoices):
    """Kinds of business the partnership trains, from the seed's key industries
    plus hotels and taxi firms; used on bookings and community requests."""

    HOTEL = "hotel", "Hotel, B&B or guest house"
    TAXI = "taxi", "Taxi or private hire firm"
    FAST_FOOD = "fast_food", "Fast-food or takeaway outlet"
    COFFEE_SHOP = "coffee_shop", "Coffee shop or cafe"
    LEISURE_CENTRE = "leisure_centre", "Leisure centre"
    BOWLING = "bowling", "Bowling alley"
    ARCADE = "arcade", "Amusement arcade"
    CINEMA = "cinema", "Cinema"
    PARKS = "parks", "Parks and foreshore"
    PUB_BAR = "pub_bar", "Pub, bar or club"
    SHOP = "shop", "Shop or shopping centre"
    TRANSPORT = "transport", "Bus, train or other transport"
    SECURITY = "security", "Security firm"
    OTHER = "other", "Other"


class Course(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    summary = models.TextField()
    topics = models.JSONField(default=list, blank=True, help_text="What the course covers, one item each.")
    duration_minutes = models.PositiveIntegerField()
    # Who it is particularly useful for, in the provider's words ("Foster carers").
    target_audiences = models.JSONField(default=list, blank=True)
    provider = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    campaign = models.ForeignKey(
        "campaigns.Campaign", null=True, blank=True, on_delete=models.SET_NULL, related_name="courses"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Session(models.Model):
    class Mode(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        ONLINE = "online", "Online"

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        CANCELLED = "cancelled", "Cancelled"

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="sessions")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.IN_PERSON)
    venue_name = models.CharField(max_length=200, blank=True)
    venue_address = models.TextField(blank=True)
    accessibility_info = models.TextField("Accessibility", blank=True)
    # Sent only to people with a confirmed place; never shown on a public page.
    joining_link = models.URLField(blank=True)
    capacity = models.PositiveIntegerField()
    booking_deadline = models.DateTimeField()
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    cancelled_reason = models.TextField(blank=True)
    # RFC 5545 SEQUENCE: raised on each change of time or place and on cancelling,
    # so calendars replace the event they already hold instead of ignoring the update.
    ics_sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        permissions = [("view_training_reports", "Can see reports of people trained")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="session_capacity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.course.title}, {self.starts_at:%d %b %Y %H:%M}"

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED


def booking_token() -> str:
    return secrets.token_urlsafe(32)


class Booking(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        WAITLISTED = "waitlisted", "On the waiting list"
        OFFERED = "offered", "Offered a place"
        CANCELLED = "cancelled", "Cancelled"
        OFFER_EXPIRED = "offer_expired", "Offer expired"

    # A place is taken by a confirmed booking or by an offer not yet answered.
    HOLDS_PLACE = (Status.CONFIRMED, Status.OFFERED)
    ACTIVE = (Status.CONFIRMED, Status.OFFERED, Status.WAITLISTED)

    class Attendance(models.TextChoices):
        ATTENDED = "attended", "Attended"
        NO_SHOW = "no_show", "Did not attend"

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="bookings")
    name = models.CharField(max_length=200)
    email = models.EmailField()  # stored lower-case, so one person is one booking per session
    organisation_name = models.CharField("Organisation", max_length=200, blank=True)
    sector = models.CharField(max_length=30, choices=Sector.choices)
    job_role = models.CharField(max_length=200)
    business_type = models.CharField(max_length=20, choices=BusinessType.choices, blank=True)
    access_needs = models.TextField(blank=True)
    status = models.CharField(max_length=15, choices=Status.choices)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    attendance = models.CharField(max_length=10, choices=Attendance.choices, blank=True)
    attendance_marked_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    feedback_requested_at = models.DateTimeField(null=True, blank=True)
    # The secret in the booker's cancel and accept-offer links.
    token = models.CharField(max_length=64, unique=True, default=booking_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "email"],
                condition=Q(status__in=["confirmed", "offered", "waitlisted"]),
                name="booking_one_active_per_email",
            )
        ]
        indexes = [models.Index(fields=["session", "status"])]

    def __str__(self) -> str:
        return f"Booking {self.pk} ({self.get_status_display()})"


def certificate_code() -> str:
    """Twelve characters from an alphabet without look-alikes (no 0/O, 1/I/L),
    about 58 bits: shown as XXXX-XXXX-XXXX and not guessable."""
    alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
    raw = "".join(secrets.choice(alphabet) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


class Certificate(models.Model):
    """A certificate of attendance. What it certifies is copied at issue, so the
    public check shows what the certificate says even if the booking changes."""

    booking = models.OneToOneField(Booking, on_delete=models.PROTECT, related_name="certificate")
    code = models.CharField(max_length=14, unique=True, default=certificate_code, editable=False)
    name = models.CharField(max_length=200)
    course_title = models.CharField(max_length=200)
    session_date = models.DateField()
    issued_at = models.DateTimeField(auto_now_add=True)
    # Withdrawn when attendance is corrected to "did not attend"; the check then says so.
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Certificate {self.code}"


class Feedback(models.Model):
    CONFIDENCE_CHOICES = [(n, str(n)) for n in range(1, 6)]

    booking = models.OneToOneField(Booking, on_delete=models.PROTECT, related_name="feedback")
    confidence_before = models.PositiveSmallIntegerField(choices=CONFIDENCE_CHOICES)
    confidence_after = models.PositiveSmallIntegerField(choices=CONFIDENCE_CHOICES)
    most_useful = models.TextField(blank=True)
    improve = models.TextField(blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(confidence_before__gte=1, confidence_before__lte=5, confidence_after__gte=1)
                & Q(confidence_after__lte=5),
                name="feedback_confidence_1_to_5",
            )
        ]

    def __str__(self) -> str:
        return f"Feedback on booking {self.booking_id}"


class SessionMessage(models.Model):
    """A message a trainer sent to everyone booked on a session, kept as a record."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="messages")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    recipient_count = models.PositiveIntegerField()
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at", "-pk"]

    def __str__(self) -> str:
        return self.subject


class TrainingRequest(models.Model):
    """A suggestion from the public of who else should be trained."""

    class Status(models.TextChoices):
        NEW = "new", "New"
        CONTACTED = "contacted", "Contacted"
        ARRANGED = "arranged", "Session arranged"
        DECLINED = "declined", "Declined"

    business_type = models.CharField(max_length=20, choices=BusinessType.choices)
    business_name = models.CharField(max_length=200)
    area = models.CharField(max_length=200)
    contact_name = models.CharField(max_length=200)
    contact_email = models.EmailField()
    contact_phone = models.CharField(max_length=40, blank=True)
    reason = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    triage_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"Training request {self.pk} ({self.get_status_display()})"
