"""GovukDateField: whatever is typed in the three boxes is an answer, never a failure."""

import datetime

import pytest
from django import forms
from django.core.exceptions import ValidationError

from hub.core.forms import GovukDateField


class DateForm(forms.Form):
    day = GovukDateField(label="Date of the session", required=False)


def errors(day: str, month: str, year: str) -> list[str]:
    form = DateForm({"day_day": day, "day_month": month, "day_year": year})
    assert not form.is_valid()
    return form.errors["day"]


def test_a_real_date_is_cleaned():
    form = DateForm({"day_day": "29", "day_month": "2", "day_year": "2028"})
    assert form.is_valid() and form.cleaned_data["day"] == datetime.date(2028, 2, 29)


@pytest.mark.parametrize(
    ("day", "month", "year"),
    [
        ("1", "1", "99999999999999999999"),  # beyond a C long: OverflowError, not ValueError (was a 500)
        ("99999999999999999999", "1", "2026"),
        ("1", "-99999999999999999999", "2026"),
        ("1", "1", "10000"),
        ("30", "2", "2026"),
    ],
)
def test_numbers_beyond_any_date_are_not_a_real_date(day, month, year):
    assert errors(day, month, year) == ["Date of the session must be a real date"]


def test_the_field_refuses_a_huge_year_with_a_validation_error():
    with pytest.raises(ValidationError):
        GovukDateField(label="Date").clean(["1", "1", str(10**30)])
