"""The profile of children at risk: counts by category, age band, gender,
ethnicity, area, setting and looked-after status, the prevalence of each
indicator, screenings and category changes by month. Each chart has its table
beside it and a CSV download.

Hub officers see exact counts (not for publication); anyone else with the
permission (analysts) sees them with disclosure control, in the page and in
every download. Every view and every download is audited with its filters.
No child is named or identifiable here, so reading it writes no
"screening.viewed" event."""

import csv

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from hub.accounts.decorators import staff_required
from hub.audit.services import audit_record
from hub.core.exports import csv_cell
from hub.core.forms import GovukDateField, govuk_text
from hub.reports.disclosure import threshold_default
from hub.screening.profile import (
    PERM_VIEW_PROFILE,
    TABLE_KEYS,
    ProfileFilters,
    area_normalise,
    filters_make,
    filters_problems,
    profile_build,
    profile_exact_allowed,
)

SECTION_ORDER = TABLE_KEYS


class ProfileFilterForm(forms.Form):
    date_from = GovukDateField(label="From", required=False, help_text="For example, 1 4 2026")
    date_to = GovukDateField(label="To", required=False, help_text="For example, 31 3 2027. Leave empty for today.")
    area = govuk_text(
        "Area",
        max_length=8,
        required=False,
        help_text="A postcode district, like BN11, or the letters of an area, like BN for every BN district. "
        "Leave empty for all areas.",
        attrs={"spellcheck": "false", "autocomplete": "off"},
    )

    FIELD_OF = {"from": "date_from", "to": "date_to", "area": "area"}

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        cleaned["area"] = area_normalise(cleaned.get("area") or "")
        problems = filters_problems(cleaned.get("date_from"), cleaned.get("date_to"), cleaned["area"])
        for key, message in problems.items():
            self.add_error(self.FIELD_OF[key], message)
        return cleaned

    def filters(self) -> ProfileFilters:
        """The chosen filters; call after is_valid()."""
        data = self.cleaned_data
        return filters_make(data.get("date_from"), data.get("date_to"), data["area"])


def _filters(request: HttpRequest) -> tuple[ProfileFilterForm, ProfileFilters | None]:
    """The form, and the filters if they are usable (the last twelve months until someone chooses)."""
    if not request.GET:
        return ProfileFilterForm(), ProfileFilters.default()
    form = ProfileFilterForm(request.GET)
    return form, (form.filters() if form.is_valid() else None)


def _audit(request: HttpRequest, action: str, filters: ProfileFilters, exact: bool, **more) -> None:
    audit_record(
        action=action,
        request=request,
        object_type="screening.profile",
        detail={**filters.as_detail(), "exact": exact, **more},
    )


@never_cache
@staff_required(PERM_VIEW_PROFILE)
@require_safe
def profile(request: HttpRequest) -> HttpResponse:
    form, filters = _filters(request)
    exact = profile_exact_allowed(request.user)
    context = {
        "form": form,
        "exact": exact,
        "profile": None,
        "query": request.GET.urlencode(),
        "threshold": threshold_default(),
    }
    if filters is not None:
        built = profile_build(filters, exact=exact)
        context["profile"] = built
        context["sections"] = [built.table(key) for key in SECTION_ORDER]
        _audit(request, "screening.profile_viewed", filters, exact)
    return render(request, "screening/profile/profile.html", context)


@never_cache
@staff_required(PERM_VIEW_PROFILE)
@require_safe
def profile_csv(request: HttpRequest, table: str) -> HttpResponse:
    if table not in TABLE_KEYS:
        raise Http404("No such table")
    form, filters = _filters(request)
    if filters is None:
        first = next(iter(form.errors.values()))[0]
        return HttpResponse(
            f"Those filters cannot be used: {first}. Go back to the profile page to correct them.",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    exact = profile_exact_allowed(request.user)
    found = profile_build(filters, exact=exact).table(table)
    _audit(request, "screening.profile_exported", filters, exact, table=table)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    area = f"-{filters.area}" if filters.area else ""
    kind = "exact" if exact else "suppressed"
    filename = f"profile-{table.replace('_', '-')}-{filters.start:%Y-%m-%d}-to-{filters.end:%Y-%m-%d}{area}-{kind}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # so Excel reads UTF-8 correctly
    writer = csv.writer(response)
    if found.figures.withheld:
        writer.writerow([found.heading, "Withheld"])
        writer.writerow(["This table is withheld: its counts are too few to publish without revealing some."])
        return response
    for line in found.csv_rows():
        writer.writerow([csv_cell(value) for value in line])
    return response
