import datetime

from django import forms

from hub.campaigns.models import Campaign
from hub.core.forms import GovukDateField, form_check_date_range
from hub.reports.dashboard import campaign_period, default_period
from hub.training.reports import Period

EARLIEST_YEAR = 2000
LATEST_YEAR = 2100
LONGEST_RANGE_YEARS = 5


class CampaignChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Campaign) -> str:
        return f"{obj.name} ({obj.starts_on:%-d %b %Y} to {obj.ends_on:%-d %b %Y})"


class DashboardFilterForm(forms.Form):
    """A campaign (its dates are the period unless dates are given), and a start and end date."""

    campaign = CampaignChoiceField(
        label="Campaign",
        queryset=Campaign.objects.order_by("-starts_on", "name"),
        required=False,
        empty_label="All campaigns",
        error_messages={"invalid_choice": "Select a campaign from the list"},
    )
    date_from = GovukDateField(
        label="Start date",
        required=False,
        help_text="Leave the dates empty for the campaign's own dates, or the last 12 months. For example, 1 4 2026",
    )
    date_to = GovukDateField(label="End date", required=False, help_text="For example, 30 6 2026")

    def clean(self) -> dict:
        cleaned = super().clean()
        form_check_date_range(
            self,
            earliest_year=EARLIEST_YEAR,
            latest_year=LATEST_YEAR,
            longest_years=LONGEST_RANGE_YEARS,
            too_long=lambda start, end: end > _years_after(start, LONGEST_RANGE_YEARS),
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
            elif date_to > _years_after(date_from, LONGEST_RANGE_YEARS):
                self.add_error("date_to", f"End date must be within {LONGEST_RANGE_YEARS} years of the start date")
        return cleaned

    def chosen(self) -> tuple[Period, Campaign | None]:
        """The period and campaign asked for; call after is_valid() (or on an unbound form: the defaults)."""
        if not self.is_bound:
            return default_period(), None
        campaign = self.cleaned_data.get("campaign")
        date_from, date_to = self.cleaned_data.get("date_from"), self.cleaned_data.get("date_to")
        if date_from and date_to:
            return Period(date_from, date_to), campaign
        if campaign is not None:
            return campaign_period(campaign), campaign
        return default_period(), None


def _years_after(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
