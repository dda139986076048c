"""Form pieces shared by every capability: GOV.UK date input, error wording."""

import datetime
import re
from collections.abc import Callable

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from hub.core.errors import ApplicationError


class GovukDateWidget(forms.MultiWidget):
    """Day, month and year boxes, as the GOV.UK date input pattern asks."""

    template_name = "core/widgets/date_input.html"

    def __init__(self, attrs: dict | None = None) -> None:
        widgets = {
            "day": forms.TextInput(
                attrs={"inputmode": "numeric", "class": "govuk-input govuk-date-input__input govuk-input--width-2"}
            ),
            "month": forms.TextInput(
                attrs={"inputmode": "numeric", "class": "govuk-input govuk-date-input__input govuk-input--width-2"}
            ),
            "year": forms.TextInput(
                attrs={"inputmode": "numeric", "class": "govuk-input govuk-date-input__input govuk-input--width-4"}
            ),
        }
        super().__init__(widgets, attrs)

    def decompress(self, value: datetime.date | None) -> list:
        if value:
            return [value.day, value.month, value.year]
        return [None, None, None]


class GovukDateField(forms.MultiValueField):
    """A date typed as day, month and year, with the GOV.UK error wording."""

    widget = GovukDateWidget

    def __init__(self, *, label: str, **kwargs) -> None:
        self.label_text = label
        fields = (forms.CharField(), forms.CharField(), forms.CharField())
        super().__init__(fields=fields, require_all_fields=False, label=label, **kwargs)

    def clean(self, value: list | None) -> datetime.date | None:
        parts = [str(part).strip() if part is not None else "" for part in (value or ["", "", ""])]
        if not any(parts):
            if self.required:
                raise ValidationError(f"Enter {self.label_text.lower()}", code="required")
            return None
        missing = [name for name, part in zip(("day", "month", "year"), parts, strict=True) if not part]
        if missing:
            raise ValidationError(f"{self.label_text} must include a {' and '.join(missing)}", code="incomplete")
        try:
            day, month, year = (int(part) for part in parts)
        except ValueError as error:
            raise ValidationError(f"{self.label_text} must be a real date", code="invalid") from error
        if year < 1000:
            raise ValidationError("Year must include 4 numbers", code="invalid")
        try:
            return datetime.date(year, month, day)
        except (ValueError, OverflowError) as error:  # OverflowError: a part beyond a C long, like year 10**20
            raise ValidationError(f"{self.label_text} must be a real date", code="invalid") from error

    def compress(self, data_list: list) -> None:  # clean() does the work
        return None


def local_datetime(day: datetime.date, time: datetime.time) -> datetime.datetime:
    """A date and a time typed on a form, as that moment in the site's zone (Europe/London)."""
    return timezone.make_aware(datetime.datetime.combine(day, time))


class GovukTimeField(forms.CharField):
    """A time of day typed as people write it: 10:00, 14:30, 2pm, 2:30pm, 09.15."""

    PATTERN = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?$")

    def __init__(self, *, label: str, **kwargs) -> None:
        self.label_text = label
        kwargs.setdefault("help_text", "For example, 10:00 or 2:30pm")
        super().__init__(label=label, max_length=10, widget=forms.TextInput(), **kwargs)

    def clean(self, value: str | None) -> datetime.time | None:
        text = (value or "").strip().lower().replace(" ", "")
        if not text:
            if self.required:
                raise ValidationError(f"Enter {self.label_text.lower()}", code="required")
            return None
        match = self.PATTERN.match(text)
        if not match:
            raise ValidationError(f"{self.label_text} must be a time, like 10:00 or 2:30pm", code="invalid")
        hour, minute, half = int(match[1]), int(match[2] or 0), match[3]
        if half:
            if not 1 <= hour <= 12:
                raise ValidationError(f"{self.label_text} must be a real time", code="invalid")
            hour = hour % 12 + (12 if half == "pm" else 0)
        if hour > 23 or minute > 59:
            raise ValidationError(f"{self.label_text} must be a real time", code="invalid")
        return datetime.time(hour, minute)


# --- Fields with the GOV.UK error wording ------------------------------------------


def govuk_text(
    label: str,
    *,
    max_length: int,
    required: bool = True,
    enter: str | None = None,
    help_text: str = "",
    textarea: bool = False,
    rows: int = 5,
    attrs: dict | None = None,
) -> forms.CharField:
    """A text field whose errors read 'Enter the name', 'Name must be 200 characters or fewer'."""
    widget = forms.Textarea(attrs={"rows": rows, **(attrs or {})}) if textarea else forms.TextInput(attrs=attrs)
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        help_text=help_text,
        widget=widget,
        error_messages={
            "required": f"Enter {enter or label[0].lower() + label[1:]}",
            "max_length": f"{label} must be {max_length} characters or fewer",
        },
    )


def govuk_email(
    label: str, *, required: bool = True, enter: str | None = None, help_text: str = "", own: bool = False
) -> forms.EmailField:
    """`own=True` when the person filling in the form gives their own address, so
    browsers may autofill it (WCAG 1.3.5); staff typing other people's addresses get no autofill."""
    return forms.EmailField(
        label=label,
        max_length=254,
        required=required,
        help_text=help_text,
        widget=forms.EmailInput(attrs={"spellcheck": "false", "autocomplete": "email" if own else "off"}),
        error_messages={
            "required": f"Enter {enter or 'an email address'}",
            "invalid": "Enter an email address in the correct format, like name@example.org",
            "max_length": f"{label} must be 254 characters or fewer",
        },
    )


def govuk_url(label: str, *, required: bool = True, help_text: str = "") -> forms.URLField:
    return forms.URLField(
        label=label,
        max_length=200,
        required=required,
        assume_scheme="https",
        help_text=help_text,
        widget=forms.URLInput(attrs={"spellcheck": "false"}),
        error_messages={
            "required": "Enter a web address",
            "invalid": "Enter a web address in the correct format, like https://www.example.org/page",
            "max_length": f"{label} must be 200 characters or fewer",
        },
    )


def form_add_application_error(form: forms.Form, error: ApplicationError) -> None:
    """Show a service's refusal on the form: next to its field when it names one
    the form has, otherwise at the top of the error summary."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


def form_data(request, *, files: bool = False) -> tuple:
    """A form's data arguments: bound on POST even when nothing was sent (an empty
    POST must show 'Enter ...' errors, not a fresh form), unbound otherwise."""
    if request.method != "POST":
        return ()
    return (request.POST, request.FILES) if files else (request.POST,)


def form_check_date_range(
    form: forms.Form,
    *,
    earliest_year: int,
    latest_year: int,
    longest_years: int,
    too_long: Callable[[datetime.date, datetime.date], bool],
) -> None:
    """The checks of an optional start and end date pair (fields date_from and date_to), for a
    report's filter form to call from clean(): each in range, both or neither, in order, not too long.
    `too_long(date_from, date_to)` says when the range is over `longest_years`."""
    if form.errors:
        return
    for name, label in (("date_from", "Start date"), ("date_to", "End date")):
        value = form.cleaned_data.get(name)
        if value and not earliest_year <= value.year <= latest_year:
            form.add_error(name, f"{label} must be between {earliest_year} and {latest_year}")
    if form.errors:
        return
    date_from, date_to = form.cleaned_data.get("date_from"), form.cleaned_data.get("date_to")
    if date_from and not date_to:
        form.add_error("date_to", "Enter the end date")
    elif date_to and not date_from:
        form.add_error("date_from", "Enter the start date")
    elif date_from and date_to:
        if date_from > date_to:
            form.add_error("date_to", "End date must be the same as or after the start date")
        elif too_long(date_from, date_to):
            form.add_error("date_to", f"End date must be within {longest_years} years of the start date")
