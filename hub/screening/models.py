import datetime
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from hub.screening.crypto import AesGcmTextField


class ToolVersion(models.Model):
    """One version of the screening tool, as loaded from its definition file.

    The content of a version never changes once loaded: each screening keeps
    the version it was made with, so a new version never changes an old result.
    """

    version = models.CharField(max_length=32, unique=True)
    title = models.CharField(max_length=200)
    definition = models.JSONField(help_text="The checked definition, as in the file it was loaded from.")
    # SHA-256 of the canonical JSON: the same content loads again as a no-op, other content is refused.
    content_hash = models.CharField(max_length=64)
    loaded_at = models.DateTimeField()
    is_current = models.BooleanField(default=False, help_text="The version new screenings use.")

    class Meta:
        ordering = ["-loaded_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=models.Q(is_current=True), name="screening_one_current_tool_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.version}"


class Child(models.Model):
    """One child, known only by the keyed hash of their normalised name and date
    of birth, so repeat screenings link without any searchable plaintext. The
    hash is removed when the child's records are anonymised."""

    blind_index = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        permissions = [
            ("view_chronology", "Can see a child's chronology of screenings and decisions"),
            ("export_subject_access", "Can export everything held about a child (subject access)"),
        ]

    def __str__(self) -> str:
        return f"Child {self.pk}"


class Gender(models.TextChoices):
    GIRL = "girl", "Girl"
    BOY = "boy", "Boy"
    NON_BINARY = "non_binary", "Non-binary or other"
    NOT_KNOWN = "not_known", "Not known"


class Ethnicity(models.TextChoices):
    # The five high-level groups of the 2021 census for England and Wales.
    ASIAN = "asian", "Asian or Asian British"
    BLACK = "black", "Black, Black British, Caribbean or African"
    MIXED = "mixed", "Mixed or multiple ethnic groups"
    WHITE = "white", "White"
    OTHER = "other", "Other ethnic group"
    NOT_KNOWN = "not_known", "Not known or not stated"


class SettingType(models.TextChoices):
    PRIMARY = "primary", "Primary school"
    SECONDARY = "secondary", "Secondary school"
    COLLEGE = "college", "College or sixth form"
    ALTERNATIVE = "alternative", "Alternative provision or pupil referral unit"
    SPECIAL = "special", "Special school"
    HOME_EDUCATED = "home_educated", "Educated at home"
    NONE = "none", "Not in education, employment or training"
    OTHER = "other", "Other"
    NOT_KNOWN = "not_known", "Not known"


class Screening(models.Model):
    """One screening of one child, made with one version of the tool.

    Identifying details and all free text are encrypted (AES-256-GCM, key id
    stored with each value). Descriptive fields used for the profile of children
    at risk (gender, ethnicity, age at screening, postcode district, type of
    setting, looked-after, learning disability) stay plain so aggregates need
    no decryption; on their own they do not identify a child.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        CLOSED = "closed", "Closed"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    tool_version = models.ForeignKey(ToolVersion, on_delete=models.PROTECT, related_name="screenings")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    # Who made it, and the organisation whose practitioners may also see it.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="screenings_created"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="screenings"
    )
    child = models.ForeignKey(Child, null=True, blank=True, on_delete=models.PROTECT, related_name="screenings")

    # Identifying: encrypted.
    child_name = AesGcmTextField(blank=True)
    date_of_birth = AesGcmTextField(blank=True, help_text="ISO date, encrypted.")
    setting_name = AesGcmTextField(blank=True, help_text="School or setting, encrypted.")
    # Descriptive: plain.
    gender = models.CharField(max_length=12, choices=Gender.choices, blank=True)
    ethnicity = models.CharField(max_length=12, choices=Ethnicity.choices, blank=True)
    postcode_district = models.CharField(max_length=4, blank=True, help_text="The first part of the postcode.")
    setting_type = models.CharField(max_length=16, choices=SettingType.choices, blank=True)
    looked_after = models.BooleanField(null=True, blank=True)
    learning_disability = models.BooleanField(null=True, blank=True)
    age_at_screening = models.PositiveSmallIntegerField(null=True, blank=True)

    answers = models.JSONField(default=dict, blank=True, help_text="Indicator id -> answer.")
    # Concerns that are not evidence ("gut feeling"), kept apart from the indicators.
    concerns = AesGcmTextField(blank=True)

    # Set on submission; the computed category never changes after it.
    computed_points = models.PositiveSmallIntegerField(null=True, blank=True)
    computed_category = models.PositiveSmallIntegerField(null=True, blank=True)
    # The category that stands: computed, raised by the practitioner, or lowered with the hub's approval.
    category = models.PositiveSmallIntegerField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_due = models.DateField(null=True, blank=True, help_text="When the child should be screened again.")
    review_reminded_at = models.DateTimeField(null=True, blank=True)
    # The hub's first decision ends the wait in the triage queue.
    triaged_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The child's most recent submitted screening: the profile counts each child once, at this one.
    is_latest = models.BooleanField(default=False)
    # Identifying fields erased under the retention rule; descriptive fields and the category kept for aggregates.
    anonymised_at = models.DateTimeField(null=True, blank=True)
    # The profile's prevalence of indicators without parsing JSON: bit i is set when the
    # answer to indicator i of this screening's tool version (versions never change) is
    # yes, now or in the past. Set on submission (hub.screening.profile.answers_yes_bits);
    # anything that writes submitted screenings another way must set it too.
    yes_bits = models.BigIntegerField(default=0)

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # Optimistic locking of drafts: a save names the version it started from.
    lock_version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [
            ("view_all_screenings", "Can see every organisation's screenings (the hub)"),
            ("triage_screening", "Can record hub decisions on screenings"),
            ("approve_lowering", "Can approve or refuse lowering a screening's category"),
            ("view_profile", "Can see the profile of children at risk (counts only, no child named)"),
        ]
        indexes = [
            models.Index(fields=["status", "category", "submitted_at"], name="screening_queue_idx"),
            models.Index(fields=["status", "review_due"], name="screening_review_idx"),
            models.Index(fields=["is_latest", "submitted_at"], name="screening_latest_idx"),
            # Covers every column the profile of children at risk counts, so its queries read
            # this index and never the rows (each row carries its answers: about a kilobyte).
            models.Index(
                fields=[
                    "is_latest",
                    "submitted_at",
                    "category",
                    "gender",
                    "ethnicity",
                    "age_at_screening",
                    "setting_type",
                    "looked_after",
                    "postcode_district",
                    "tool_version",
                    "yes_bits",
                    "child",
                    "id",
                ],
                name="screening_profile_idx",
            ),
            # A child's later screening in a past period, for the profile of that period.
            models.Index(fields=["child", "submitted_at", "id"], name="screening_child_time_idx"),
            # The profile's two tables of children for a period to now, in the order they are grouped:
            # SQLite reads each child's latest screening in that order and need not sort them all
            # (hub.screening.profile.children_screened). Both hold the area, for an area's profile.
            models.Index(
                fields=[
                    "is_latest",
                    "category",
                    "gender",
                    "ethnicity",
                    "age_at_screening",
                    "submitted_at",
                    "postcode_district",
                ],
                name="screening_profile_who_idx",
            ),
            models.Index(
                fields=["is_latest", "category", "setting_type", "looked_after", "postcode_district", "submitted_at"],
                name="screening_profile_where_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Screening {self.public_id}"

    @property
    def date_of_birth_value(self) -> datetime.date | None:
        return datetime.date.fromisoformat(self.date_of_birth) if self.date_of_birth else None


class CategoryChange(models.Model):
    """The history of a screening's category: computed on submission, raised by
    the practitioner, lowering requested, approved or refused by the hub."""

    class Kind(models.TextChoices):
        COMPUTED = "computed", "Computed by the tool"
        RAISED = "raised", "Raised by professional judgement"
        LOWER_REQUESTED = "lower_requested", "Lowering requested"
        LOWER_APPROVED = "lower_approved", "Lowering approved by the hub"
        LOWER_REFUSED = "lower_refused", "Lowering refused by the hub"
        HUB_SET = "hub_set", "Set by the hub"

    screening = models.ForeignKey(Screening, on_delete=models.CASCADE, related_name="category_changes")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    category_from = models.PositiveSmallIntegerField(null=True, blank=True)
    category_to = models.PositiveSmallIntegerField()
    rationale = AesGcmTextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # A lowering request waits here until the hub answers it.
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            # The profile's category changes by month: raised and approved lowerings in a period.
            models.Index(fields=["kind", "created_at", "screening"], name="screening_change_kind_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.category_from} -> {self.category_to}"


class HubDecision(models.Model):
    """A decision the hub records on a submitted screening, and its outcome."""

    class Decision(models.TextChoices):
        NO_FURTHER_ACTION = "no_further_action", "No further action"
        EARLY_HELP = "early_help", "Early help"
        MASH_REFERRAL = "mash_referral", "Referral to children's social care (MASH)"
        POLICE = "police", "Referral to the police"
        STRATEGY_DISCUSSION = "strategy_discussion", "Strategy discussion"
        MULTI_AGENCY_MEETING = "multi_agency_meeting", "Multi-agency meeting"

    screening = models.ForeignKey(Screening, on_delete=models.CASCADE, related_name="decisions")
    decision = models.CharField(max_length=24, choices=Decision.choices)
    outcome = AesGcmTextField(blank=True)
    review_due = models.DateField(null=True, blank=True)
    closes_screening = models.BooleanField(default=False)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["decided_at", "pk"]

    def __str__(self) -> str:
        return self.get_decision_display()
