"""Forms of the broadcasts pages: contacts, audiences, the suppression list, CSV
import, series, bulletins and the partnership briefing."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.text import slugify

from hub.accounts.models import Sector
from hub.broadcasts.models import Audience, Bulletin, LawfulBasis, Series
from hub.campaigns.models import Campaign, Resource
from hub.core.forms import (
    GovukDateField,
    GovukTimeField,
    govuk_email,
    govuk_text,
    local_datetime,
)


def _lawful_basis_field(label: str, help_text: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=LawfulBasis.choices,
        widget=forms.RadioSelect,
        help_text=help_text,
        error_messages={
            "required": "Select the lawful basis for contacting them",
            "invalid_choice": "Select the lawful basis for contacting them",
        },
    )


class ContactForm(forms.Form):
    name = govuk_text("Full name", max_length=200, enter="their full name")
    email = govuk_email("Email address")
    organisation = govuk_text("Organisation", max_length=200, required=False, help_text="Optional.")
    sector = forms.ChoiceField(
        label="Sector",
        required=False,
        choices=[("", "Not known"), *Sector.choices],
        error_messages={"invalid_choice": "Select the sector from the list"},
    )
    role = govuk_text("Job role", max_length=200, required=False, help_text="Optional.")
    lawful_basis = _lawful_basis_field(
        "Lawful basis for contacting them",
        "Under UK GDPR. Partners are usually contacted as part of the partnership's public task.",
    )
    audiences = forms.ModelMultipleChoiceField(
        label="Audiences",
        queryset=Audience.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply. Bulletins go to the audiences they are addressed to.",
        error_messages={
            "invalid_choice": "Select audiences from the list",
            "invalid_pk_value": "Select audiences from the list",
        },
    )


class AudienceForm(forms.Form):
    name = govuk_text("Name", max_length=100, enter="the name of the audience", help_text="For example, Schools.")
    description = govuk_text(
        "Description", max_length=1000, required=False, textarea=True, rows=3, help_text="Optional. Who is in it."
    )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not slugify(name):
            raise forms.ValidationError("Name must include letters or numbers")
        return name


class SuppressionForm(forms.Form):
    email = govuk_email("Email address")
    audience = forms.ModelChoiceField(
        label="Stop sending them",
        queryset=Audience.objects.all(),
        required=False,
        empty_label="Everything",
        help_text="Everything, or only the bulletins for one audience.",
        error_messages={"invalid_choice": "Select an audience from the list"},
    )


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="Upload a CSV file",
        help_text=(
            "The first row names the columns: name and email, and any of organisation, sector, role, "
            "audiences (separate several with ;) and lawful_basis. At most 5,000 contacts and 2 MB."
        ),
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
        error_messages={
            "required": "Select a CSV file",
            "invalid": "The selected file could not be uploaded – try again",
            "empty": "The selected file is empty",
        },
    )
    lawful_basis = _lawful_basis_field(
        "Lawful basis for contacts without one in the file",
        "Used for every row whose lawful_basis cell is blank or missing.",
    )


# --- Contacts ------------------------------------------------------------------------------


MARKDOWN_HINT = (
    "Write in Markdown. Leave a blank line between paragraphs. Start a line with ## for a heading, "
    "- for a bulleted list or 1. for a numbered list. Use **bold**, *italic* and "
    "[link text](https://www.example.org). Links must start with https://, http://, mailto: or tel:. "
    "Pictures, scripts and other HTML are removed."
)


class SeriesForm(forms.Form):
    name = govuk_text(
        "Name", max_length=200, enter="the name of the series", help_text="For example, CSE Awareness Week."
    )
    slug = forms.SlugField(
        label="Short name for the address",
        max_length=100,
        required=False,
        help_text="Optional. Letters, numbers and hyphens; made from the name if left empty.",
        error_messages={
            "invalid": "Short name must only include letters a to z, numbers and hyphens",
            "max_length": "Short name must be 100 characters or fewer",
        },
    )
    campaign = forms.ModelChoiceField(
        label="Campaign",
        queryset=Campaign.objects.all(),
        required=False,
        empty_label="Not linked to a campaign",
        help_text="Bulletins in the series can link to this campaign's resources.",
        error_messages={"invalid_choice": "Select the campaign from the list"},
    )
    description = govuk_text("Description", max_length=3000, required=False, textarea=True, rows=3)

    def __init__(self, *args, series: Series | None = None, **kwargs) -> None:
        if series is not None and not args:
            kwargs["initial"] = {
                "name": series.name,
                "slug": series.slug,
                "campaign": series.campaign,
                "description": series.description,
            }
        super().__init__(*args, **kwargs)


class BulletinForm(forms.Form):
    day = GovukDateField(label="Day of the series", help_text="The day it belongs to. For example, 13 3 2018")
    topic = govuk_text("Topic", max_length=200, enter="the topic", help_text="For example, Training and guidance.")
    subject = govuk_text("Subject line", max_length=200, enter="the subject line")
    body_markdown = govuk_text(
        "Bulletin text", max_length=20000, textarea=True, rows=20, enter="the bulletin text", help_text=MARKDOWN_HINT
    )
    send_at = GovukDateField(
        label="Send date", required=False, help_text="Optional. Leave the date and time empty to decide later."
    )
    send_time = GovukTimeField(label="Send time", required=False)
    audiences = forms.ModelMultipleChoiceField(
        label="Who should get it?",
        queryset=Audience.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply. Someone in several audiences gets it once.",
        error_messages={
            "invalid_choice": "Select audiences from the list",
            "invalid_pk_value": "Select audiences from the list",
        },
    )
    resources = forms.ModelMultipleChoiceField(
        label="Resources to link to",
        queryset=Resource.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Listed under the bulletin with their web addresses.",
        error_messages={
            "invalid_choice": "Select resources from the list",
            "invalid_pk_value": "Select resources from the list",
        },
    )

    def __init__(self, *args, series: Series, bulletin: Bulletin | None = None, **kwargs) -> None:
        if bulletin is not None and not args:
            send_at = timezone.localtime(bulletin.send_at) if bulletin.send_at else None
            kwargs["initial"] = {
                "day": bulletin.day,
                "topic": bulletin.topic,
                "subject": bulletin.subject,
                "body_markdown": bulletin.body_markdown,
                "send_at": send_at.date() if send_at else None,
                "send_time": f"{send_at:%H:%M}" if send_at else "",
                "audiences": list(bulletin.audiences.all()),
                "resources": list(bulletin.resources.all()),
            }
        super().__init__(*args, **kwargs)
        if series.campaign_id:
            self.fields["resources"].queryset = Resource.objects.filter(campaign_id=series.campaign_id)
        if not series.campaign_id or not self.fields["resources"].queryset.exists():
            del self.fields["resources"]

    def clean(self) -> dict:
        data = super().clean()
        day, time = data.get("send_at"), data.get("send_time")
        if day and not time and "send_time" not in self.errors:
            self.add_error("send_time", "Enter send time")
        elif time and not day and "send_at" not in self.errors:
            self.add_error("send_at", "Enter send date")
        if isinstance(day, datetime.date) and time:
            data["send_at"] = local_datetime(day, time)
        return data

    def bulletin_data(self) -> dict:
        data = self.cleaned_data
        send_at = data.get("send_at")
        return {
            "day": data["day"],
            "topic": data["topic"],
            "subject": data["subject"],
            "body_markdown": data["body_markdown"],
            "send_at": send_at if isinstance(send_at, datetime.datetime) else None,
        }


class BriefingSendForm(forms.Form):
    series = forms.ModelChoiceField(
        label="Series",
        queryset=Series.objects.none(),
        empty_label="Select a series",
        error_messages={"required": "Select the series", "invalid_choice": "Select the series from the list"},
    )
    day = GovukDateField(label="Day of the series", help_text="The day it belongs to. For example, 13 3 2018")
    audiences = forms.ModelMultipleChoiceField(
        label="Who should get it?",
        queryset=Audience.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply. You can change this before it is sent.",
        error_messages={
            "invalid_choice": "Select audiences from the list",
            "invalid_pk_value": "Select audiences from the list",
        },
    )

    def __init__(self, *args, campaign: Campaign, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The campaign's own series when it has any; otherwise any series.
        own = Series.objects.filter(campaign=campaign)
        self.fields["series"].queryset = own if own.exists() else Series.objects.all()
        if own.count() == 1 and not self.is_bound:
            self.initial.setdefault("series", own.get().pk)
