"""Reports of people trained: the staff page and its CSV downloads.
Thin views over hub.training.reports."""

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone

from hub.accounts.decorators import staff_required
from hub.training import reports as figures
from hub.training.forms import ReportFilterForm
from hub.training.models import Course

SECTIONS = [
    ("sector", "People trained by sector"),
    ("organisation", "People trained by organisation"),
    ("course", "People trained by course"),
    ("month", "People trained by month"),
]


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
