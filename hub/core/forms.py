"""Form pieces shared by every capability: GOV.UK date input, error wording."""

import datetime

from django import forms
from django.core.exceptions import ValidationError


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
        except ValueError as error:
            raise ValidationError(f"{self.label_text} must be a real date", code="invalid") from error

    def compress(self, data_list: list) -> None:  # clean() does the work
        return None
