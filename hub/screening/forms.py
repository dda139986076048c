"""Forms of the screening pages. Rules live in hub.screening.services; forms
only turn what was typed into values and show the services' messages."""

import datetime

from django import forms
from django.utils import timezone

from hub.core.forms import GovukDateField, govuk_text
from hub.core.templatetags.govuk import error_anchor, first_field_anchor
from hub.screening.definition import CategoryRule, Definition, Group
from hub.screening.models import CategoryChange, Ethnicity, Gender, HubDecision, Screening, SettingType
from hub.screening.scoring import NO, NOT_KNOWN, YES_CURRENT, YES_PAST
from hub.screening.services import MAX_TEXT, child_details_problems

# --- Practitioners' forms ------------------------------------------------------

YES_NO = [("yes", "Yes"), ("no", "No")]
# The name and value of the button that submits a screening (the other saves a draft).
ACTION_SUBMIT = "submit"
OUT_OF_DATE = "This page is out of date. Open the draft again from your list of screenings, then make your changes."
# The child's details in the order the form asks for them.
DETAIL_FORM_FIELDS = (
    "child_name",
    "date_of_birth",
    "gender",
    "ethnicity",
    "postcode_district",
    "setting_type",
    "setting_name",
    "looked_after",
    "learning_disability",
)


def answer_choices(definition: Definition) -> list[tuple[str, str]]:
    """The four answers to an indicator, worded with the tool's own meaning of current and past."""
    return [
        (YES_CURRENT, f"Yes, {definition.rules.current_means}"),
        (YES_PAST, f"Yes, {definition.rules.past_means}"),
        (NO, "No"),
        (NOT_KNOWN, "Not known"),
    ]


def answer_field(indicator_id: str) -> str:
    return f"answer_{indicator_id}"


def _radios(label: str, choices, *, select: str, help_text: str = "") -> forms.ChoiceField:
    # Never required here: a draft may be partial; services.submit_problems says what submission needs.
    return forms.ChoiceField(
        label=label,
        choices=choices,
        required=False,
        help_text=help_text,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": select},
    )


def _yes_no_initial(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


class ScreeningForm(forms.Form):
    """The child's details, an answer to each indicator of the tool version, and
    other concerns. Everything may be left empty in a draft: what submitting
    needs is services.submit_problems, and the rules on a child's details are
    services.child_details_problems, so the pages and the API share one rule."""

    lock_version = forms.CharField(required=False, widget=forms.HiddenInput)
    child_name = govuk_text(
        "Full name", max_length=200, required=False, attrs={"autocomplete": "off", "spellcheck": "false"}
    )
    date_of_birth = GovukDateField(label="Date of birth", required=False, help_text="For example, 27 3 2012")
    gender = _radios("Gender", Gender.choices, select="Select the child's gender")
    ethnicity = _radios("Ethnic group", Ethnicity.choices, select="Select the child's ethnic group")
    postcode_district = govuk_text(
        "First part of the postcode",
        max_length=8,
        required=False,
        help_text="Where the child lives. Only the first part, like BN11 or RH10: not the full postcode.",
        attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"},
    )
    setting_type = _radios("Type of school or setting", SettingType.choices, select="Select the type of setting")
    setting_name = govuk_text(
        "Name of the school or setting",
        max_length=200,
        required=False,
        help_text="Optional.",
        attrs={"autocomplete": "off"},
    )
    looked_after = _radios(
        "Is the child looked after?",
        YES_NO,
        select="Select whether the child is looked after",
        help_text="In the care of a local authority.",
    )
    learning_disability = _radios(
        "Does the child have a learning disability?",
        YES_NO,
        select="Select whether the child has a learning disability",
    )
    concerns = govuk_text(
        "Other concerns (not evidence)",
        max_length=MAX_TEXT,
        required=False,
        textarea=True,
        rows=6,
        help_text=(
            "Optional. Anything that worries you but is not evidence, such as a feeling that something is wrong. "
            "It is kept apart from the answers above and does not change the category."
        ),
    )

    def __init__(self, *args, definition: Definition, screening: Screening | None = None, **kwargs) -> None:
        self.definition = definition
        self.screening = screening
        if screening is not None and not args and "data" not in kwargs:
            kwargs["initial"] = self._initial(screening)
        super().__init__(*args, **kwargs)
        choices = answer_choices(definition)
        for indicator in definition.indicators:
            self.fields[answer_field(indicator.id)] = forms.ChoiceField(
                label=indicator.wording,
                help_text=indicator.help,
                choices=choices,
                required=False,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": "Select one of the answers"},
            )
        # Set by add_submit_problems: one line in the error summary for every unanswered question.
        self.answers_message = ""

    @staticmethod
    def _initial(screening: Screening) -> dict:
        initial = {field: getattr(screening, field) for field in DETAIL_FORM_FIELDS}
        initial["date_of_birth"] = screening.date_of_birth_value
        initial["looked_after"] = _yes_no_initial(screening.looked_after)
        initial["learning_disability"] = _yes_no_initial(screening.learning_disability)
        initial["concerns"] = screening.concerns
        initial["lock_version"] = screening.lock_version
        initial.update({answer_field(key): value for key, value in screening.answers.items()})
        return initial

    @property
    def groups(self) -> list[tuple[Group, list]]:
        """Each indicator group with the bound fields of its questions, for the template."""
        return [
            (group, [self[answer_field(indicator.id)] for indicator in group.indicators])
            for group in self.definition.groups
        ]

    def clean_child_name(self) -> str:
        return " ".join(self.cleaned_data["child_name"].split())

    def clean_postcode_district(self) -> str:
        return self.cleaned_data["postcode_district"].strip().upper()

    def clean(self) -> dict:
        data = super().clean()
        details = {
            field: data[field] for field in ("child_name", "date_of_birth", "postcode_district") if field in data
        }
        for field, message in child_details_problems(details, on=timezone.localdate()).items():
            if field in self.fields and field not in self.errors:
                self.add_error(field, message)
        if self.screening is not None:
            lock_version = str(data.get("lock_version") or "")
            if lock_version.isdigit():
                data["lock_version"] = int(lock_version)
            else:
                data["lock_version"] = None
                self.add_error(None, OUT_OF_DATE)
        return data

    def details(self) -> dict:
        data = self.cleaned_data
        details = {field: data[field] for field in DETAIL_FORM_FIELDS}
        for field in ("looked_after", "learning_disability"):
            details[field] = {"yes": True, "no": False}.get(details[field])
        return details

    def answers(self) -> dict[str, str]:
        return {
            indicator.id: self.cleaned_data[answer_field(indicator.id)]
            for indicator in self.definition.indicators
            if self.cleaned_data.get(answer_field(indicator.id))
        }

    def add_submit_problems(self, problems: dict[str, str]) -> None:
        """Show what stops submission (services.submit_problems): each detail by its
        field, and an "Answer this question" on every unanswered indicator."""
        for field, message in problems.items():
            if field == "answers":
                answered = self.answers()
                for indicator in self.definition.indicators:
                    if indicator.id not in answered:
                        self.add_error(answer_field(indicator.id), "Answer this question")
                self.answers_message = message
            else:
                self.add_error(field if field in self.fields else None, message)

    def error_summary(self) -> list[tuple[str, str]]:
        """(anchor, message) for the GOV.UK error summary, in the order of the page.
        Unanswered questions make one line, linking to the first of them."""
        items = [(first_field_anchor(self), error) for error in self.non_field_errors()]
        names = [
            *DETAIL_FORM_FIELDS,
            *(answer_field(indicator.id) for indicator in self.definition.indicators),
            "concerns",
        ]
        unanswered_listed = False
        for name in names:
            field = self[name]
            for error in field.errors:
                if self.answers_message and error == "Answer this question":
                    if not unanswered_listed:
                        items.append((error_anchor(field), self.answers_message))
                        unanswered_listed = True
                    continue
                items.append((error_anchor(field), error))
        return items


class CategoryChangeForm(forms.Form):
    """Professional judgement: a new category and the reasons for it."""

    category = forms.TypedChoiceField(
        label="",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a category", "invalid_choice": "Select one of the categories listed"},
    )
    rationale = govuk_text("Your reasons", max_length=MAX_TEXT, textarea=True, rows=8)

    def __init__(self, *args, categories: list[CategoryRule], raising: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        category = self.fields["category"]
        category.choices = [(str(rule.category), f"Category {rule.category}: {rule.label}") for rule in categories]
        rationale = self.fields["rationale"]
        if raising:
            category.label = "What should the category be?"
            rationale.help_text = (
                "What you know or have seen that the indicators do not show. The hub and anyone who reads "
                "this screening will see your reasons."
            )
            rationale.error_messages["required"] = "Explain why you are raising the category"
        else:
            category.label = "What do you think the category should be?"
            rationale.help_text = (
                "Why the tool's category is too high for this child. A hub officer reads your reasons "
                "before approving or refusing."
            )
            rationale.error_messages["required"] = "Explain why the category should be lower"


# --- The hub's forms -----------------------------------------------------------


class HubDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="What has the hub decided?",
        choices=HubDecision.Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the decision", "invalid_choice": "Select the decision"},
    )
    outcome = govuk_text(
        "Outcome",
        max_length=5000,
        required=False,
        textarea=True,
        help_text="What was agreed, who will do what and by when. Optional.",
    )
    review_due = GovukDateField(
        label="Review date",
        required=False,
        help_text="Optional. When the child should be screened again, for example 27 3 2027.",
    )
    close = forms.BooleanField(
        label="Close the screening",
        required=False,
        help_text="Only when the hub needs to do nothing more. A closed screening takes no further decisions.",
    )

    def __init__(self, *args, current_review: datetime.date | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if current_review is not None:
            keep = f"{current_review:%-d %B %Y}"
            self.fields["review_due"].help_text = f"Optional. Leave it blank to keep the current review date, {keep}."


class LoweringDecisionForm(forms.Form):
    # The request answered, so an answer never lands on a newer request made meanwhile.
    change = forms.IntegerField(widget=forms.HiddenInput, required=False)
    answer = forms.ChoiceField(
        label="Do you approve lowering the category?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select whether you approve or refuse the request",
            "invalid_choice": "Select whether you approve or refuse the request",
        },
    )
    reason = govuk_text(
        "Your reason",
        max_length=5000,
        textarea=True,
        enter="the reason for your decision",
        help_text="The practitioner and the child's chronology will show it.",
    )

    def __init__(self, *args, pending: CategoryChange, **kwargs) -> None:
        super().__init__(*args, initial={"change": pending.pk}, **kwargs)
        self.fields["answer"].choices = [
            ("approve", f"Approve: lower the category from {pending.category_from} to {pending.category_to}"),
            ("refuse", f"Refuse: the category stays at {pending.category_from}"),
        ]

    @property
    def approve(self) -> bool:
        return self.cleaned_data["answer"] == "approve"
