"""Public forms for training: the booking form and the session filters."""

from django import forms

from hub.accounts.models import Sector
from hub.core.forms import GovukDateField, govuk_email, govuk_text
from hub.training.models import Session


class BookingForm(forms.Form):
    name = govuk_text("Full name", max_length=200, enter="your full name", attrs={"autocomplete": "name"})
    email = govuk_email(
        "Email address",
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
        "Job role", max_length=200, enter="your job role", help_text="For example, taxi driver or teaching assistant."
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
