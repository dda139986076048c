"""Coordinators' pages for the people bulletins go to: partner contacts, audiences,
the suppression list, a CSV import checked row by row before anything is saved,
and a CSV download. Thin views over hub.broadcasts.contacts and .imports."""

import csv

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from hub.accounts.decorators import staff_required
from hub.accounts.models import Sector
from hub.audit.services import audit_record
from hub.broadcasts import contacts as contact_services
from hub.broadcasts import imports
from hub.broadcasts.contacts import contact_save, suppress
from hub.broadcasts.forms import AudienceForm, ContactForm, ImportUploadForm, SuppressionForm
from hub.broadcasts.models import Audience, Contact, LawfulBasis, Suppression
from hub.core.errors import ApplicationError
from hub.core.exports import csv_cell
from hub.core.forms import form_add_application_error, form_data

PAGE_SIZE = 50
IMPORT_RESULT_KEY = "broadcasts_import_result"


# --- Forms -------------------------------------------------------------------------------


def _filtered_contacts(request: HttpRequest) -> tuple[QuerySet[Contact], str, Audience | None]:
    query = request.GET.get("q", "").strip()[:200]
    contacts = Contact.objects.prefetch_related("audiences").order_by("name", "pk")
    if query:
        contacts = contacts.filter(
            Q(name__icontains=query) | Q(email__icontains=query) | Q(organisation__icontains=query)
        )
    audience = Audience.objects.filter(slug=request.GET.get("audience", "")).first()
    if audience is not None:
        contacts = contacts.filter(audiences=audience)
    return contacts, query, audience


def _suppressed_from(emails: list[str]) -> dict[str, list[str]]:
    """Each suppressed address among these, and what from ('Everything' or audience names)."""
    found: dict[str, list[str]] = {}
    rows = Suppression.objects.filter(email__in=emails).select_related("audience").order_by("email", "pk")
    for suppression in rows:
        found.setdefault(suppression.email, []).append(
            suppression.audience.name if suppression.audience else "Everything"
        )
    return found


@never_cache
@staff_required("broadcasts.view_contact")
def contact_list(request: HttpRequest) -> HttpResponse:
    contacts, query, audience = _filtered_contacts(request)
    page = Paginator(contacts, PAGE_SIZE).get_page(request.GET.get("page"))
    suppressed = _suppressed_from([contact.email for contact in page])
    rows = [(contact, suppressed.get(contact.email, [])) for contact in page]
    return render(
        request,
        "broadcasts/staff/contacts_list.html",
        {
            "page": page,
            "rows": rows,
            "query": query,
            "audience": audience,
            "audiences": Audience.objects.all(),
            "total": Contact.objects.count(),
        },
    )


@staff_required("broadcasts.add_contact")
def contact_create(request: HttpRequest) -> HttpResponse:
    return _contact_form(request, contact=None)


@never_cache
@staff_required("broadcasts.change_contact")
def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _contact_form(request, contact=get_object_or_404(Contact, pk=pk))


def _contact_form(request: HttpRequest, *, contact: Contact | None) -> HttpResponse:
    initial = {"lawful_basis": LawfulBasis.PUBLIC_TASK}
    if contact is not None:
        initial = {name: getattr(contact, name) for name in ("name", "email", "organisation", "sector", "role")}
        initial["lawful_basis"] = contact.lawful_basis
        initial["audiences"] = list(contact.audiences.values_list("pk", flat=True))
    form = ContactForm(*form_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {name: value for name, value in form.cleaned_data.items() if name != "audiences"}
        try:
            contact_save(
                contact=contact,
                data=data,
                audiences=list(form.cleaned_data["audiences"]),
                actor=request.user,
                request=request,
            )
        except ApplicationError as error:
            form_add_application_error(form, error)
        else:
            messages.success(request, "Contact saved.")
            return redirect("broadcasts:contact_list")
    suppressed = _suppressed_from([contact.email]).get(contact.email, []) if contact else []
    return render(
        request, "broadcasts/staff/contacts_form.html", {"form": form, "contact": contact, "suppressed": suppressed}
    )


@require_GET
@staff_required("broadcasts.view_contact")
def contact_export(request: HttpRequest) -> HttpResponse:
    """The contacts shown by the list's search and filter, with the import's column
    names so the file can be corrected and uploaded again."""
    contacts, _, _ = _filtered_contacts(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="contacts-{timezone.localdate():%Y-%m-%d}.csv"'
    response.write("\ufeff")  # so Excel reads UTF-8 names correctly
    writer = csv.writer(response)
    writer.writerow(["name", "email", "organisation", "sector", "role", "audiences", "lawful_basis", "suppressed"])
    count = 0
    for chunk in Paginator(contacts, 1000):
        suppressed = _suppressed_from([contact.email for contact in chunk])
        for contact in chunk:
            count += 1
            writer.writerow(
                [
                    csv_cell(value)
                    for value in (
                        contact.name,
                        contact.email,
                        contact.organisation,
                        contact.get_sector_display(),
                        contact.role,
                        "; ".join(audience.name for audience in contact.audiences.all()),
                        contact.get_lawful_basis_display(),
                        "; ".join(suppressed.get(contact.email, [])),
                    )
                ]
            )
    audit_record(
        action="broadcasts.contacts_exported",
        actor=request.user,
        request=request,
        object_type=Contact._meta.label_lower,
        detail={"rows": count},
    )
    return response


# --- Audiences -----------------------------------------------------------------------------


@staff_required("broadcasts.view_audience")
def audience_list(request: HttpRequest) -> HttpResponse:
    audiences = Audience.objects.annotate(contact_count=Count("contacts"))
    return render(request, "broadcasts/staff/audience_list.html", {"audiences": audiences})


@staff_required("broadcasts.add_audience")
def audience_create(request: HttpRequest) -> HttpResponse:
    form = AudienceForm(*form_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            audience = contact_services.audience_create(
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                actor=request.user,
                request=request,
            )
        except ApplicationError as error:
            form_add_application_error(form, error)
        else:
            messages.success(request, f"Audience “{audience.name}” added.")
            return redirect("broadcasts:audience_list")
    return render(request, "broadcasts/staff/audience_form.html", {"form": form})


# --- Suppression list ----------------------------------------------------------------------


@never_cache
@staff_required("broadcasts.view_suppression")
def suppression_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:254]
    suppressions = Suppression.objects.select_related("audience").order_by("-created_at", "-pk")
    if query:
        suppressions = suppressions.filter(email__icontains=query)
    page = Paginator(suppressions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "broadcasts/staff/suppression_list.html", {"page": page, "query": query})


@staff_required("broadcasts.add_suppression")
def suppression_create(request: HttpRequest) -> HttpResponse:
    form = SuppressionForm(*form_data(request))
    if request.method == "POST" and form.is_valid():
        email, audience = form.cleaned_data["email"].lower(), form.cleaned_data["audience"]
        already = Suppression.objects.filter(email=email, audience=audience).exists()
        suppress(email=email, reason=Suppression.Reason.MANUAL, audience=audience, actor=request.user, request=request)
        what = f"bulletins for {audience.name}" if audience else "all bulletins"
        if already:
            messages.success(request, f"{email} was already on the suppression list for {what}.")
        else:
            messages.success(request, f"{email} added to the suppression list: they will not be sent {what}.")
        return redirect("broadcasts:suppression_list")
    return render(request, "broadcasts/staff/suppression_form.html", {"form": form})


# --- CSV import ----------------------------------------------------------------------------


@staff_required("broadcasts.add_contact", "broadcasts.change_contact")
def import_upload(request: HttpRequest) -> HttpResponse:
    form = ImportUploadForm(*form_data(request, files=True), initial={"lawful_basis": LawfulBasis.PUBLIC_TASK})
    if request.method == "POST" and form.is_valid():
        try:
            preview = imports.import_preview(
                form.cleaned_data["file"], default_lawful_basis=form.cleaned_data["lawful_basis"]
            )
        except ApplicationError as error:
            form_add_application_error(form, error)
        else:
            preview_id = imports.import_preview_store(request, preview)
            return redirect("broadcasts:import_preview", preview_id=preview_id)
    return render(
        request,
        "broadcasts/staff/import_upload.html",
        {
            "form": form,
            "audiences": Audience.objects.all(),
            "sectors": Sector.choices,
            "bases": LawfulBasis.choices,
        },
    )


@never_cache
@staff_required("broadcasts.add_contact", "broadcasts.change_contact")
def import_preview(request: HttpRequest, preview_id: str) -> HttpResponse:
    try:
        preview = imports.import_preview_load(request, preview_id)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("broadcasts:import_upload")
    problem = ""
    if request.method == "POST":
        try:
            result = imports.import_confirm(
                preview_id,
                include_valid_only=request.POST.get("include") == "valid",
                actor=request.user,
                request=request,
            )
        except ApplicationError as error:
            problem = error.message
        else:
            request.session[IMPORT_RESULT_KEY] = vars(result)
            return redirect("broadcasts:import_done")
    return render(
        request,
        "broadcasts/staff/import_preview.html",
        {
            "preview": preview,
            "valid_count": len(preview.valid_rows),
            "invalid_rows": preview.invalid_rows,
            "problem": problem,
        },
    )


@never_cache
@staff_required("broadcasts.add_contact", "broadcasts.change_contact")
def import_done(request: HttpRequest) -> HttpResponse:
    result = request.session.get(IMPORT_RESULT_KEY)
    if not result:
        return redirect("broadcasts:contact_list")
    return render(request, "broadcasts/staff/import_done.html", {"result": result})
