"""The partnership dashboard page and its CSV. Thin views over hub.reports.dashboard."""

from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render

from hub.accounts.decorators import staff_required
from hub.audit.services import audit_record
from hub.reports import dashboard
from hub.reports.forms import DashboardFilterForm

PERM_DASHBOARD = "reports.view_dashboard"
HEADLINE_TITLES = {dashboard.REACH: "Estimated reach at the end of the period"}


class ChartFigure:
    """A value for the bar chart include that may be hidden by disclosure control:
    the bar is drawn from `value` (none when hidden) and labelled with `text`
    ("12", "<5" or "[c]"), so a chart never shows more than its table."""

    def __init__(self, value: int | None, text: str) -> None:
        self.value = value or 0
        self.text = text

    def __float__(self) -> float:
        return float(self.value)

    def __str__(self) -> str:
        return self.text


def _filters(request: HttpRequest) -> DashboardFilterForm:
    # Unbound (the last 12 months, every campaign) until someone applies a filter.
    return DashboardFilterForm(request.GET) if request.GET else DashboardFilterForm()


def _section(key: str, title: str, heading: str, rows: list[tuple[str, object]], values: list[int | None]) -> dict:
    return {
        "key": key,
        "title": title,
        "heading": heading,
        "rows": rows,
        "max_value": max((value or 0 for value in values), default=0) or 1,
        "drawn": any(values),
    }


def _sections(figures: dashboard.Figures, screenings: dashboard.ScreeningCounts) -> list[dict]:
    """Each chart with the figures of the table beside it."""
    labels = [dashboard.month_label(month) for month in figures.months]
    sections = []
    for key, title in dashboard.MEASURES.items():
        if key == dashboard.SCREENINGS:
            values = screenings.by_month_values
            rows = [
                (label, ChartFigure(value, text))
                for label, value, text in zip(labels, values, screenings.by_month, strict=True)
            ]
            # Hidden counts are not zero: they are drawn without a bar but the chart is drawn.
            section = _section(key, f"{title} by month", title, rows, values)
            section["drawn"] = section["drawn"] or screenings.any_hidden
        else:
            values = figures.series[key]
            section = _section(key, f"{title} by month", title, list(zip(labels, values, strict=True)), values)
        sections.append(section)
    sector_rows = [(row.label, row.value) for row in figures.trained_by_sector]
    sections.append(
        _section(
            "sector", "People trained by sector", "People trained", sector_rows, [value for _, value in sector_rows]
        )
    )
    category_rows = [
        (label, ChartFigure(value, text))
        for (_, label), value, text in zip(
            figures.categories, screenings.by_category_values, screenings.by_category, strict=True
        )
    ]
    category = _section(
        "category", "Screenings submitted by category", "Screenings", category_rows, screenings.by_category_values
    )
    category["drawn"] = category["drawn"] or screenings.any_hidden
    sections.append(category)
    return sections


@staff_required(PERM_DASHBOARD)
def dashboard_page(request: HttpRequest) -> HttpResponse:
    form = _filters(request)
    context: dict = {"form": form, "figures": None, "query": request.GET.urlencode()}
    if not form.is_bound or form.is_valid():
        period, campaign = form.chosen()
        figures = dashboard.dashboard_figures(period, campaign)
        screenings = dashboard.screening_counts(figures, exact=dashboard.exact_screenings_for(request.user))
        rows, totals = dashboard.month_table(figures, screenings)
        measures = list(dashboard.MEASURES.values())
        context.update(
            figures=figures,
            period=period,
            campaign=campaign,
            screenings=screenings,
            measures=measures,
            rows=rows,
            totals=totals,
            awareness=[
                (HEADLINE_TITLES.get(key, dashboard.MEASURES[key]), figures.totals[key]) for key in dashboard.AWARENESS
            ],
            outcomes=[
                (dashboard.MEASURES[dashboard.TRAINED], figures.totals[dashboard.TRAINED]),
                (dashboard.MEASURES[dashboard.SCREENINGS], screenings.total),
            ],
            sections=_sections(figures, screenings),
        )
    return render(request, "reports/dashboard.html", context)


@staff_required(PERM_DASHBOARD)
def dashboard_csv(request: HttpRequest) -> HttpResponse:
    form = _filters(request)
    if form.is_bound and not form.is_valid():
        return HttpResponseBadRequest(
            "Those filters are not valid. Go back to the dashboard to correct them.",
            content_type="text/plain; charset=utf-8",
        )
    period, campaign = form.chosen()
    exact = dashboard.exact_screenings_for(request.user)
    figures = dashboard.dashboard_figures(period, campaign)
    screenings = dashboard.screening_counts(figures, exact=exact)
    campaign_part = f"-{campaign.slug}" if campaign else ""
    filename = f"partnership-dashboard-{period.start:%Y-%m-%d}-to-{period.end:%Y-%m-%d}{campaign_part}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # so Excel reads UTF-8 names correctly
    dashboard.write_csv(response, figures, screenings)
    with transaction.atomic():
        audit_record(
            action="reports.dashboard_exported",
            request=request,
            detail={
                "campaign": campaign.pk if campaign else None,
                "from": period.start.isoformat(),
                "to": period.end.isoformat(),
                "exact_screenings": exact,
            },
        )
    return response
