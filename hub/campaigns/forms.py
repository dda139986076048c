"""Staff forms for campaigns. They check the shape of what was typed; the rules
(unique address, dates in order, what may be published) are in services."""

from django import forms
from django.core.validators import RegexValidator

from hub.campaigns.models import Audience, Campaign, ReportingChannel, Resource
from hub.campaigns.services import hashtags_parse
from hub.campaigns.uploads import MAX_UPLOAD_BYTES
from hub.core.errors import ApplicationError
from hub.core.forms import GovukDateField, govuk_email, govuk_text, govuk_url

PHONE_VALIDATOR = RegexValidator(
    r"^\+?[0-9][0-9 ]{1,28}$", "Enter a phone number using only numbers and spaces, like 0800 123 4567 or 101"
)


class CampaignForm(forms.Form):
    name = govuk_text("Campaign name", max_length=200, enter="the campaign name")
    slug = forms.SlugField(
        label="Web address",
        max_length=100,
        help_text="The end of the page's address: /campaigns/your-text/. Lower-case letters, numbers and hyphens.",
        error_messages={
            "required": "Enter the web address",
            "invalid": "Web address must only include letters, numbers and hyphens, like cse-day-2026",
            "max_length": "Web address must be 100 characters or fewer",
        },
        widget=forms.TextInput(attrs={"spellcheck": "false", "class": "govuk-input--width-20"}),
    )
    summary = govuk_text("Summary", max_length=300, enter="a summary", help_text="One sentence shown on the home page.")
    awareness_day = GovukDateField(label="Awareness day", required=False, help_text="Optional. For example, 18 3 2026.")
    starts_on = GovukDateField(label="Start date", help_text="For example, 12 3 2026.")
    ends_on = GovukDateField(label="End date", help_text="For example, 18 3 2026.")
    theme = govuk_text(
        "Theme",
        max_length=2000,
        enter="the theme",
        textarea=True,
        rows=3,
        help_text="The national theme of the campaign.",
    )
    local_commitment = govuk_text("Local commitment", max_length=5000, required=False, textarea=True)
    hashtags = govuk_text(
        "Hashtags",
        max_length=500,
        required=False,
        help_text="Separate them with spaces, for example #CSEDay26 #StandAgainstCSE.",
        attrs={"spellcheck": "false"},
    )
    about_cse = govuk_text(
        "What child sexual exploitation is",
        max_length=10000,
        enter="what child sexual exploitation is and who it affects",
        textarea=True,
        rows=8,
        help_text="Who it affects and why it matters. Leave a blank line between paragraphs.",
    )
    warning_signs = govuk_text(
        "Warning signs",
        max_length=5000,
        enter="the warning signs",
        textarea=True,
        rows=8,
        help_text="One warning sign per line.",
    )
    contact_name = govuk_text(
        "Point of contact",
        max_length=200,
        enter="the point of contact",
        help_text="A team or role, not a person, for example Safeguarding partnership campaigns team.",
    )
    contact_email = govuk_email(
        "Point of contact email", enter="the point of contact's email address", help_text="A team mailbox."
    )

    def __init__(self, *args, campaign: Campaign | None = None, **kwargs) -> None:
        self.campaign = campaign
        if campaign is not None and "initial" not in kwargs:
            kwargs["initial"] = {name: getattr(campaign, name) for name in self.base_fields}
            kwargs["initial"]["hashtags"] = campaign.hashtag_text
        super().__init__(*args, **kwargs)
        if campaign is not None and campaign.is_published:
            # A published page's address is shared; changing it would break every link.
            self.fields["slug"].disabled = True
            self.fields["slug"].help_text = "The address of a published campaign cannot change."

    def clean_slug(self) -> str:
        return self.cleaned_data["slug"].lower()

    def clean_hashtags(self) -> list[str]:
        try:
            return hashtags_parse(self.cleaned_data["hashtags"])
        except ApplicationError as error:
            raise forms.ValidationError(error.message) from error

    def clean_warning_signs(self) -> str:
        lines = [line.strip() for line in self.cleaned_data["warning_signs"].splitlines() if line.strip()]
        if not lines:
            raise forms.ValidationError("Enter the warning signs")
        return "\n".join(lines)


class ChannelForm(forms.Form):
    label = govuk_text(
        "Name",
        max_length=200,
        enter="the name of the channel",
        help_text="For example, Police: non-emergency, quoting Operation Kite.",
    )
    when_to_use = govuk_text("When to use it", max_length=1000, enter="when to use this channel", textarea=True, rows=3)
    phone = forms.CharField(
        label="Phone number",
        max_length=30,
        required=False,
        validators=[PHONE_VALIDATOR],
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off", "class": "govuk-input--width-20"}),
        error_messages={"max_length": "Phone number must be 30 characters or fewer"},
    )
    text_number = forms.CharField(
        label="Text message number",
        max_length=30,
        required=False,
        validators=[PHONE_VALIDATOR],
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off", "class": "govuk-input--width-20"}),
        error_messages={"max_length": "Text message number must be 30 characters or fewer"},
    )
    email = govuk_email("Email address", required=False)
    url = govuk_url("Web address", required=False)
    is_emergency = forms.BooleanField(
        label="For emergencies (999)", required=False, help_text="Emergency channels are shown first."
    )

    def __init__(self, *args, channel: ReportingChannel | None = None, **kwargs) -> None:
        if channel is not None and "initial" not in kwargs:
            kwargs["initial"] = {name: getattr(channel, name) for name in self.base_fields}
        super().__init__(*args, **kwargs)

    def clean(self) -> dict:
        cleaned = super().clean()
        contact_fields = ("phone", "text_number", "email", "url")
        if not self.errors and not any(cleaned.get(name) for name in contact_fields):
            self.add_error(
                "phone", "Enter at least one of a phone number, text message number, email address or web address"
            )
        return cleaned


class ResourceForm(forms.Form):
    title = govuk_text("Title", max_length=200, enter="the title")
    summary = govuk_text("Summary", max_length=1000, required=False, textarea=True, rows=3)
    url = govuk_url(
        "Web address", required=False, help_text="For a guide on another website. Leave blank if you upload a file."
    )
    file = forms.FileField(
        label="Or upload a file",
        required=False,
        help_text="PDF, Word (.docx), PNG or JPEG, smaller than 10 MB.",
        widget=forms.FileInput(attrs={"accept": ".pdf,.docx,.png,.jpg,.jpeg"}),
        error_messages={
            "invalid": "The selected file could not be uploaded – try again",
            "empty": "The selected file is empty",
        },
    )
    audiences = forms.MultipleChoiceField(
        label="Who is it for?",
        choices=Audience.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply. Resources with none are listed for everyone.",
        error_messages={"invalid_choice": "Select who the resource is for from the list"},
    )

    def __init__(self, *args, resource: Resource | None = None, **kwargs) -> None:
        self.resource = resource
        if resource is not None and "initial" not in kwargs:
            kwargs["initial"] = {name: getattr(resource, name) for name in ("title", "summary", "url", "audiences")}
        super().__init__(*args, **kwargs)
        if resource is not None and resource.file:
            self.fields["file"].label = "Replace the file"
            self.fields["file"].help_text = (
                f"Current file: {resource.file_name}. Choose a new PDF, Word (.docx), PNG or JPEG smaller than 10 MB "
                "to replace it, or enter a web address instead."
            )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The selected file must be smaller than 10 MB")
        return upload

    def clean(self) -> dict:
        cleaned = super().clean()
        url, upload = cleaned.get("url"), cleaned.get("file")
        has_file = bool(self.resource and self.resource.file)
        if not self.errors:
            if url and upload:
                self.add_error("url", "Enter a web address or choose a file, not both")
            elif not url and not upload and not has_file:
                self.add_error("url", "Enter a web address or choose a file")
        return cleaned
