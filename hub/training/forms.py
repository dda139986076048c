"""Forms for training: booking, filters, feedback and requests (public);
courses, sessions, the register, messages and triage (trainers)."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.text import slugify

from hub.accounts.models import Organisation, Sector, User
from hub.accounts.roles import Role
from hub.core.forms import (
    GovukDateField,
    GovukTimeField,
    form_check_date_range,
    govuk_email,
    govuk_text,
    govuk_url,
    local_datetime,
)
from hub.training.models import BusinessType, Course, Session, TrainingRequest
from hub.training.reports import Period


class BookingForm(forms.Form):
    name = govuk_text("Full name", max_length=200, enter="your full name", attrs={"autocomplete": "name"})
    email = govuk_email(
        "Email address",
        own=True,
        enter="your email address",
        help_text="We will send your confirmation and calendar invitation here.",
    )
    organisation_name = govuk_text(
        "Organisation",
        max_length=200,
        required=False,
        help_text="Optional. Where you work or volunteer.",
        attrs={"autocomplete": "organization"},
    )
    sector = forms.ChoiceField(
        label="Which sector do you work in?",
        choices=Sector.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the sector you work in",
            "invalid_choice": "Select the sector you work in",
        },
    )
    job_role = govuk_text(
        "Job role",
        max_length=200,
        enter="your job role",
        help_text="For example, taxi driver or teaching assistant.",
        attrs={"autocomplete": "organization-title"},
    )
    business_type = forms.ChoiceField(
        label="If you work in a business, what kind?",
        required=False,
        choices=[("", "Not a business"), *BusinessType.choices],
        help_text="Optional. It helps us see which businesses have been trained.",
        error_messages={"invalid_choice": "Select the kind of business from the list"},
    )
    access_needs = govuk_text(
        "Access needs",
        max_length=2000,
        required=False,
        textarea=True,
        rows=3,
        help_text="Optional. Tell us anything we can do to help you take part.",
    )


class SessionFilterForm(forms.Form):
    """Filters on the public listing; bad values are shown as errors, never a failure."""

    audience = forms.CharField(label="Who it is for", required=False, max_length=200)
    mode = forms.ChoiceField(
        label="How it is run",
        required=False,
        choices=[("", "In person or online"), *Session.Mode.choices],
        error_messages={"invalid_choice": "Select in person or online"},
    )
    from_date = GovukDateField(label="From", required=False)


# --- After the session (public) ---------------------------------------------------------


def _confidence(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=[(str(value), text) for value, text in CONFIDENCE_WORDS],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": f"Select {label[0].lower() + label[1:]}", "invalid_choice": "Select 1 to 5"},
    )


CONFIDENCE_WORDS = [
    (1, "1 – not at all confident"),
    (2, "2"),
    (3, "3"),
    (4, "4"),
    (5, "5 – very confident"),
]


class FeedbackForm(forms.Form):
    confidence_before = _confidence("How confident were you about spotting and reporting CSE before the session?")
    confidence_after = _confidence("How confident are you now?")
    most_useful = govuk_text("What was most useful?", max_length=2000, required=False, textarea=True, rows=4)
    improve = govuk_text("What could we improve?", max_length=2000, required=False, textarea=True, rows=4)


class CertificateCheckForm(forms.Form):
    code = govuk_text(
        "Certificate code",
        max_length=40,
        enter="the certificate code",
        help_text="It is printed on the certificate, for example 7KQ2-M9XD-4HTR.",
        attrs={"spellcheck": "false", "autocomplete": "off", "autocapitalize": "characters"},
    )


class TrainingRequestForm(forms.Form):
    business_type = forms.ChoiceField(
        label="What kind of business or group should be trained?",
        choices=BusinessType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of business", "invalid_choice": "Select the kind of business"},
    )
    business_name = govuk_text("Name of the business or group", max_length=200, enter="the name of the business")
    area = govuk_text("Town or area", max_length=200, enter="the town or area", help_text="For example, Crawley.")
    reason = govuk_text(
        "Why should they be trained?",
        max_length=3000,
        textarea=True,
        enter="why they should be trained",
        help_text="For example, young people gather there after school, or staff have asked for it.",
    )
    contact_name = govuk_text("Your name", max_length=200, enter="your name", attrs={"autocomplete": "name"})
    contact_email = govuk_email(
        "Your email address", enter="your email address", help_text="So we can reply to you.", own=True
    )
    contact_phone = govuk_text(
        "Your phone number",
        max_length=40,
        required=False,
        help_text="Optional.",
        attrs={"autocomplete": "tel", "type": "tel"},
    )


# --- Trainers --------------------------------------------------------------------


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class CourseForm(forms.Form):
    title = govuk_text("Title", max_length=200)
    slug = forms.SlugField(
        label="Short name for the address",
        max_length=100,
        required=False,
        help_text="Optional. Letters, numbers and hyphens; made from the title if left empty.",
        error_messages={"invalid": "Short name must only include letters a to z, numbers and hyphens"},
    )
    summary = govuk_text("Summary", max_length=3000, textarea=True, enter="a summary")
    topics = govuk_text("Topics", max_length=5000, required=False, textarea=True, help_text="One topic on each line.")
    duration_minutes = forms.IntegerField(
        label="Length in minutes",
        min_value=15,
        max_value=60 * 24,
        error_messages={
            "required": "Enter the length in minutes",
            "invalid": "Length must be a number of minutes, like 120",
            "min_value": "Length must be at least 15 minutes",
            "max_value": "Length must be 1440 minutes (a day) or less",
        },
    )
    target_audiences = govuk_text(
        "Who it is for", max_length=3000, required=False, textarea=True, help_text="One audience on each line."
    )
    provider = forms.ModelChoiceField(
        label="Provider", queryset=Organisation.objects.all(), required=False, empty_label="The partnership"
    )

    def __init__(self, *args, course: Course | None = None, **kwargs) -> None:
        if course is not None and not args:
            kwargs["initial"] = {
                "title": course.title,
                "slug": course.slug,
                "summary": course.summary,
                "topics": "\n".join(course.topics),
                "duration_minutes": course.duration_minutes,
                "target_audiences": "\n".join(course.target_audiences),
                "provider": course.provider,
            }
        self.course = course
        super().__init__(*args, **kwargs)

    def clean_topics(self) -> list[str]:
        return _lines(self.cleaned_data["topics"])

    def clean_target_audiences(self) -> list[str]:
        return _lines(self.cleaned_data["target_audiences"])

    def clean(self) -> dict:
        data = super().clean()
        if "title" in data and not data.get("slug"):
            data["slug"] = slugify(data["title"])[:100]
        slug = data.get("slug")
        if slug and Course.objects.filter(slug=slug).exclude(pk=getattr(self.course, "pk", None)).exists():
            self.add_error("slug", "Another course already uses this short name")
        return data


class SessionForm(forms.Form):
    course = forms.ModelChoiceField(
        label="Course",
        queryset=Course.objects.all(),
        empty_label="Select a course",
        error_messages={"required": "Select the course", "invalid_choice": "Select the course"},
    )
    date = GovukDateField(label="Date")
    start_time = GovukTimeField(label="Start time")
    end_time = GovukTimeField(label="End time")
    mode = forms.ChoiceField(
        label="How is it run?",
        choices=Session.Mode.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select in person or online", "invalid_choice": "Select in person or online"},
    )
    venue_name = govuk_text("Venue", max_length=200, required=False, help_text="For a session in person.")
    venue_address = govuk_text("Venue address", max_length=1000, required=False, textarea=True, rows=3)
    accessibility_info = govuk_text(
        "Accessibility",
        max_length=2000,
        required=False,
        textarea=True,
        rows=3,
        help_text="Step-free access, hearing loop, parking, toilets: what a visitor needs to know.",
    )
    joining_link = govuk_url(
        "Joining link", required=False, help_text="For an online session. Sent only to people with a confirmed place."
    )
    capacity = forms.IntegerField(
        label="Places",
        min_value=1,
        max_value=1000,
        error_messages={
            "required": "Enter the number of places",
            "invalid": "Places must be a whole number, like 30",
            "min_value": "Places must be at least 1",
            "max_value": "Places must be 1000 or fewer",
        },
    )
    booking_deadline_date = GovukDateField(
        label="Booking closes",
        required=False,
        help_text="Optional. Leave empty to take bookings until the session starts.",
    )
    booking_deadline_time = GovukTimeField(
        label="Booking closes at",
        required=False,
        help_text="For example, 5pm. Midnight at the end of the day if left empty.",
    )
    trainer = forms.ModelChoiceField(
        label="Trainer", queryset=User.objects.none(), required=False, empty_label="Not decided yet"
    )

    def __init__(self, *args, session: Session | None = None, **kwargs) -> None:
        if session is not None and not args:
            starts, ends = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
            deadline = timezone.localtime(session.booking_deadline)
            kwargs["initial"] = {
                "course": session.course,
                "date": starts.date(),
                "start_time": f"{starts:%H:%M}",
                "end_time": f"{ends:%H:%M}",
                "mode": session.mode,
                "venue_name": session.venue_name,
                "venue_address": session.venue_address,
                "accessibility_info": session.accessibility_info,
                "joining_link": session.joining_link,
                "capacity": session.capacity,
                "booking_deadline_date": deadline.date(),
                "booking_deadline_time": f"{deadline:%H:%M}",
                "trainer": session.trainer,
            }
        super().__init__(*args, **kwargs)
        self.fields["trainer"].queryset = User.objects.filter(groups__name=Role.TRAINER, is_active=True).order_by(
            "full_name"
        )

    def clean(self) -> dict:
        data = super().clean()
        day, start, end = data.get("date"), data.get("start_time"), data.get("end_time")
        if day and start:
            data["starts_at"] = local_datetime(day, start)
        if day and end:
            data["ends_at"] = local_datetime(day, end)
        deadline_day = data.get("booking_deadline_date")
        if "starts_at" in data:
            if deadline_day:
                deadline_time = data.get("booking_deadline_time") or datetime.time(23, 59)
                data["booking_deadline"] = local_datetime(deadline_day, deadline_time)
            elif not self.errors.get("booking_deadline_date"):
                data["booking_deadline"] = data["starts_at"]
        return data


class RegisterForm(forms.Form):
    """One attended / did-not-attend choice per confirmed booking, built for the session."""

    def __init__(self, *args, bookings, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.bookings = list(bookings)
        for booking in self.bookings:
            self.fields[f"booking_{booking.pk}"] = forms.ChoiceField(
                label=booking.name,
                required=False,
                choices=[("attended", "Attended"), ("no_show", "Did not attend"), ("", "Not marked")],
                widget=forms.RadioSelect,
                initial=booking.attendance,
            )

    def marks(self) -> dict[int, str]:
        return {booking.pk: self.cleaned_data.get(f"booking_{booking.pk}", "") for booking in self.bookings}

    def rows(self):
        return [(booking, self[f"booking_{booking.pk}"]) for booking in self.bookings]


class SessionMessageForm(forms.Form):
    subject = govuk_text("Subject", max_length=200, enter="a subject")
    body = govuk_text("Message", max_length=10000, textarea=True, rows=8, enter="a message")
    include_waitlist = forms.BooleanField(label="Also send to people on the waiting list", required=False)


class SessionCancelForm(forms.Form):
    reason = govuk_text(
        "Why is it cancelled?",
        max_length=2000,
        textarea=True,
        rows=3,
        enter="why the session is cancelled",
        help_text="Everyone booked or waiting is told this, with a link to book another session.",
    )


class TriageForm(forms.Form):
    status = forms.ChoiceField(
        label="What has happened?",
        choices=TrainingRequest.Status.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select what has happened with this request",
            "invalid_choice": "Select what has happened with this request",
        },
    )
    triage_note = govuk_text("Notes", max_length=5000, required=False, textarea=True, rows=4)


# --- Reports ---------------------------------------------------------------------

EARLIEST_YEAR = 2000
LATEST_YEAR = 2100
LONGEST_RANGE_YEARS = 10


def _day(date: datetime.date) -> str:
    return f"{date.day} {date:%B %Y}"


class ReportFilterForm(forms.Form):
    """A year, or a start and end date instead; optionally one course."""

    year = forms.CharField(
        label="Year",
        required=False,
        help_text="For example, 2026",
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    date_from = GovukDateField(
        label="Start date", required=False, help_text="Or choose dates instead of a year. For example, 1 4 2026"
    )
    date_to = GovukDateField(label="End date", required=False, help_text="For example, 30 6 2026")
    course = forms.ModelChoiceField(
        label="Course",
        queryset=Course.objects.order_by("title"),
        required=False,
        empty_label="All courses",
        error_messages={"invalid_choice": "Select a course from the list"},
    )

    def clean_year(self) -> int | None:
        text = self.cleaned_data["year"].strip()
        if not text:
            return None
        if not text.isdigit() or not EARLIEST_YEAR <= int(text) <= LATEST_YEAR:
            raise forms.ValidationError(f"Year must be a real year between {EARLIEST_YEAR} and {LATEST_YEAR}")
        return int(text)

    def clean(self) -> dict:
        cleaned = super().clean()
        form_check_date_range(
            self,
            earliest_year=EARLIEST_YEAR,
            latest_year=LATEST_YEAR,
            longest_years=LONGEST_RANGE_YEARS,
            too_long=lambda start, end: end.year - start.year > LONGEST_RANGE_YEARS,
        )
        return cleaned
        self._check_in_range("date_from", "Start date")
        self._check_in_range("date_to", "End date")
        if self.errors:
            return cleaned
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and not date_to:
            self.add_error("date_to", "Enter the end date")
        elif date_to and not date_from:
            self.add_error("date_from", "Enter the start date")
        elif date_from and date_to:
            if date_from > date_to:
                self.add_error("date_to", "End date must be the same as or after the start date")
            elif date_to.year - date_from.year > LONGEST_RANGE_YEARS:
                self.add_error("date_to", f"End date must be within {LONGEST_RANGE_YEARS} years of the start date")
        return cleaned

    def period(self) -> tuple[Period, str]:
        """The chosen period and how a sentence about it starts; call after is_valid()."""
        date_from, date_to = self.cleaned_data.get("date_from"), self.cleaned_data.get("date_to")
        if date_from and date_to:
            return Period(date_from, date_to), f"From {_day(date_from)} to {_day(date_to)}"
        year = self.cleaned_data.get("year") or timezone.localdate().year
        return Period.year(year), f"In {year}"
