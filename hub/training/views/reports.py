"""Reports of people trained: the staff page and its CSV downloads.
Thin views over hub.training.reports."""

import datetime

from django import forms
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone

from hub.accounts.decorators import staff_required
from hub.core.forms import GovukDateField
from hub.training import reports as figures
from hub.training.models import Course

EARLIEST_YEAR = 2000
LATEST_YEAR = 2100
LONGEST_RANGE_YEARS = 10

SECTIONS = [
    ("sector", "People trained by sector"),
    ("organisation", "People trained by organisation"),
    ("course", "People trained by course"),
    ("month", "People trained by month"),
]


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

    def _check_in_range(self, name: str, label: str) -> None:
        value = self.cleaned_data.get(name)
        if value and not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
            self.add_error(name, f"{label} must be between {EARLIEST_YEAR} and {LATEST_YEAR}")

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.errors:
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

    def period(self) -> tuple[figures.Period, str]:
        """The chosen period and how a sentence about it starts; call after is_valid()."""
        date_from, date_to = self.cleaned_data.get("date_from"), self.cleaned_data.get("date_to")
        if date_from and date_to:
            return figures.Period(date_from, date_to), f"From {_day(date_from)} to {_day(date_to)}"
        year = self.cleaned_data.get("year") or timezone.localdate().year
        return figures.Period.year(year), f"In {year}"


def _day(date: datetime.date) -> str:
    return f"{date.day} {date:%B %Y}"


def _filters(request: HttpRequest) -> ReportFilterForm:
    # Unbound (the current year, every course) until someone applies a filter.
    return ReportFilterForm(request.GET) if request.GET else ReportFilterForm()


def _chosen(form: ReportFilterForm) -> tuple[figures.Period, str, Course | None]:
    if form.is_bound:
        period, lead = form.period()
        return period, lead, form.cleaned_data.get("course")
    year = timezone.localdate().year
    return figures.Period.year(year), f"In {year}", None


@staff_required("training.view_training_reports")
def reports(request: HttpRequest) -> HttpResponse:
    form = _filters(request)
    context: dict = {"form": form, "sections": [], "headline": "", "query": request.GET.urlencode()}
    if not form.is_bound or form.is_valid():
        period, lead, course = _chosen(form)
        context["headline"] = figures.headline(period, lead=lead, course=course)
        context["period"] = period
        context["course"] = course
        for table, title in SECTIONS:
            heading, report = figures.REPORTS[table]
            rows = report(period, course=course)
            context["sections"].append(
                {
                    "table": table,
                    "title": title,
                    "heading": heading,
                    "rows": rows,
                    "max_value": max((row.value for row in rows), default=0),
                    "total": sum(row.value for row in rows),
                }
            )
    return render(request, "training/staff/reports.html", context)


@staff_required("training.view_training_reports")
def reports_csv(request: HttpRequest, table: str) -> HttpResponse:
    if table not in figures.REPORTS:
        raise Http404("No such report")
    form = _filters(request)
    if form.is_bound and not form.is_valid():
        return HttpResponseBadRequest(
            "Those filters are not valid. Go back to the reports page to correct them.",
            content_type="text/plain; charset=utf-8",
        )
    period, _, course = _chosen(form)
    heading, report = figures.REPORTS[table]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    course_part = f"-{course.slug}" if course else ""
    filename = f"people-trained-by-{table}-{period.start:%Y-%m-%d}-to-{period.end:%Y-%m-%d}{course_part}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # so Excel reads UTF-8 names correctly
    figures.write_csv(response, heading=heading, rows=report(period, course=course))
    return response
