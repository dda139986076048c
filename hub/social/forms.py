"""Forms of the social pages: suggested posts (staff), and later the moment,
supporters, pledges and scheduled posts."""

from django import forms

from hub.core.forms import GovukDateField, GovukTimeField, govuk_email, govuk_text, local_datetime
from hub.social.handles import MOMENT_NETWORKS
from hub.social.models import Network, SocialAccount


class SuggestedPostForm(forms.Form):
    text = govuk_text(
        "Message",
        max_length=3000,
        textarea=True,
        rows=4,
        enter="the message",
        help_text="Include the campaign hashtags. Links count as 23 characters on X and Mastodon.",
        attrs={"data-post-length": "", "data-networks-name": "networks", "data-post-length-output": "post-length"},
    )
    networks = forms.MultipleChoiceField(
        label="Which networks does it suit?",
        choices=Network.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select at least one network",
            "invalid_choice": "Select networks from the list",
        },
    )


class MomentForm(forms.Form):
    moment_date = GovukDateField(label="Date of the moment")
    moment_time = GovukTimeField(
        label="Time of the moment", help_text="For example, 11:00. Supporters are emailed then."
    )
    deadline_date = GovukDateField(label="Sign-ups close on")
    deadline_time = GovukTimeField(label="Sign-ups close at", help_text="For example, 5pm")
    goal = forms.IntegerField(
        label="Goal: how many supporters?",
        min_value=1,
        max_value=1_000_000,
        error_messages={
            "required": "Enter the number of supporters wanted",
            "invalid": "Goal must be a whole number, like 100",
            "min_value": "Goal must be at least 1",
            "max_value": "Goal must be 1,000,000 or fewer",
        },
    )
    all_or_nothing = forms.BooleanField(
        label="All or nothing: call the moment off if the goal is not met by the deadline",
        required=False,
        help_text="Supporters are then told, and nobody is sent a message to post.",
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("moment_date") and data.get("moment_time"):
            data["moment_at"] = local_datetime(data["moment_date"], data["moment_time"])
        if data.get("deadline_date") and data.get("deadline_time"):
            data["signup_deadline"] = local_datetime(data["deadline_date"], data["deadline_time"])
        return data


def _followers_field(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=f"{label} followers",
        required=False,
        min_value=0,
        help_text="Optional. Roughly how many people follow you there.",
        error_messages={
            "invalid": f"{label} followers must be a whole number, like 250",
            "min_value": f"{label} followers must be 0 or more",
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class SupporterForm(forms.Form):
    """First name, email, and a handle (plus optional followers) per network."""

    first_name = govuk_text("First name", max_length=100, enter="your first name", attrs={"autocomplete": "given-name"})
    email = govuk_email(
        "Email address",
        enter="your email address",
        own=True,
        help_text="We send the message to share here at the moment, and nothing else.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for network in MOMENT_NETWORKS:
            label = Network(network).label
            self.fields[f"{network}_handle"] = forms.CharField(
                label=f"{label} handle", required=False, max_length=255, help_text=HANDLE_HINTS[network]
            )
            self.fields[f"{network}_followers"] = _followers_field(label)

    def handles(self) -> dict[str, dict]:
        return {
            network: {
                "handle": self.cleaned_data.get(f"{network}_handle", ""),
                "followers": self.cleaned_data.get(f"{network}_followers"),
            }
            for network in MOMENT_NETWORKS
        }

    def network_fields(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [
            (Network(network).label, self[f"{network}_handle"], self[f"{network}_followers"])
            for network in MOMENT_NETWORKS
        ]


HANDLE_HINTS = {
    Network.X: "For example, @name",
    Network.FACEBOOK: "Your username, as in facebook.com/username",
    Network.LINKEDIN: "Your profile name, as in linkedin.com/in/profile-name",
    Network.MASTODON: "With your server, for example @name@mastodon.social",
    Network.BLUESKY: "For example, name.bsky.social",
}


class PledgeForm(forms.Form):
    photo = forms.FileField(
        label="Photo of your pledge",
        help_text="A JPG, PNG or WebP photo of your hand with your pledge written on it, smaller than 10 MB.",
        error_messages={"required": "Select a photo of your pledge", "empty": "The selected file is empty"},
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
    )
    first_name = govuk_text("First name", max_length=100, required=False, help_text="Optional. Shown with your photo.")
    message = govuk_text(
        "Your message",
        max_length=280,
        required=False,
        textarea=True,
        rows=3,
        help_text="Optional. 280 characters or fewer.",
    )
    consent_to_publish = forms.BooleanField(
        label="I agree that the partnership may show my photo, first name and message on its website",
        error_messages={"required": "Confirm that we may publish your photo"},
    )
    confirmed_no_child = forms.BooleanField(
        label="The photo does not show a child's face or a school uniform",
        error_messages={"required": "Confirm that the photo shows no child's face and no school uniform"},
    )


class PledgeReportForm(forms.Form):
    reason = govuk_text(
        "What is wrong with this pledge?",
        max_length=2000,
        textarea=True,
        rows=3,
        enter="what is wrong with this pledge",
    )


class PledgeModerationForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        choices=[("approve", "Approve: show it on the wall"), ("reject", "Reject")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select approve or reject", "invalid_choice": "Select approve or reject"},
    )
    reason = govuk_text("Reason for rejecting", max_length=2000, required=False, textarea=True, rows=2)


class SocialAccountForm(forms.Form):
    network = forms.ChoiceField(
        label="Network",
        choices=SocialAccount.PUBLISHING_NETWORKS,
        widget=forms.RadioSelect,
        error_messages={"required": "Select Mastodon or Bluesky", "invalid_choice": "Select Mastodon or Bluesky"},
    )
    name = govuk_text(
        "Name",
        max_length=100,
        enter="a name",
        help_text="How staff will recognise it, for example Partnership Mastodon.",
    )
    instance_url = forms.CharField(
        label="Server address",
        required=False,
        max_length=200,
        help_text="Mastodon: your server, like https://mastodon.social. Bluesky: leave empty for bsky.social.",
    )
    handle = govuk_text(
        "Handle",
        max_length=255,
        enter="the account's handle",
        help_text="Mastodon: @name@server. Bluesky: name.bsky.social.",
    )
    secret = forms.CharField(
        label="Access token or app password",
        required=False,
        max_length=500,
        help_text="Mastodon: an access token with write:statuses. Bluesky: an app password, never the main "
        "password. It is stored encrypted and never shown again.",
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )
    max_characters = forms.IntegerField(
        label="Longest post the server allows",
        required=False,
        min_value=1,
        max_value=100_000,
        help_text="Mastodon only. Most servers allow 500.",
        error_messages={"invalid": "Enter a whole number, like 500", "min_value": "Enter a number of 1 or more"},
    )

    def __init__(self, *args, account: SocialAccount | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if account is not None:
            # The network of an existing account cannot change; its secret is never shown.
            del self.fields["network"]
            self.fields["secret"].help_text = "Leave empty to keep the stored one. " + self.fields["secret"].help_text


class ScheduledPostForm(forms.Form):
    account = forms.ModelChoiceField(
        label="Account",
        queryset=SocialAccount.objects.filter(is_active=True),
        empty_label="Select an account",
        error_messages={"required": "Select the account", "invalid_choice": "Select the account"},
    )
    text = govuk_text(
        "Post",
        max_length=5000,
        textarea=True,
        rows=4,
        enter="the post",
        help_text="Checked against the account's network when you save: X 280 weighted, Mastodon the server's "
        "limit, Bluesky 300 characters.",
    )
    date = GovukDateField(label="Date")
    time = GovukTimeField(label="Time")

    def clean(self) -> dict:
        data = super().clean()
        if data.get("date") and data.get("time"):
            data["scheduled_at"] = local_datetime(data["date"], data["time"])
        return data
