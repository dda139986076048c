"""The partnership briefing of a campaign: a public page and PDF (published
campaigns only), and a staff page that saves it as a draft bulletin."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from hub.accounts.decorators import staff_required
from hub.broadcasts.briefing import BRIEFING_TOPIC, briefing_markdown, briefing_pdf, briefing_to_bulletin
from hub.broadcasts.forms import BriefingSendForm
from hub.broadcasts.rendering import markdown_to_html
from hub.campaigns.models import Campaign
from hub.campaigns.selectors import campaigns_published
from hub.core.errors import ApplicationError
from hub.core.forms import form_add_application_error, form_data


def _published_campaign(slug: str) -> Campaign:
    campaign = campaigns_published().filter(slug=slug).first()
    if campaign is None:
        raise Http404
    return campaign


def briefing_page(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _published_campaign(slug)
    return render(
        request,
        "broadcasts/public/briefing.html",
        {"campaign": campaign, "body_html": markdown_to_html(briefing_markdown(campaign))},
    )


def briefing_pdf_download(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _published_campaign(slug)
    response = HttpResponse(briefing_pdf(campaign), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{campaign.slug}-partnership-briefing.pdf"'
    return response


@staff_required("broadcasts.add_bulletin")
def briefing_send(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _published_campaign(slug)
    form = BriefingSendForm(*form_data(request), campaign=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            bulletin = briefing_to_bulletin(
                campaign=campaign,
                series=form.cleaned_data["series"],
                day=form.cleaned_data["day"],
                audiences=form.cleaned_data["audiences"],
                actor=request.user,
                request=request,
            )
        except ApplicationError as error:
            form_add_application_error(form, error)
        else:
            messages.success(
                request, "The partnership briefing has been saved as a draft bulletin. Check it before it is sent."
            )
            return redirect("broadcasts:bulletin_detail", pk=bulletin.pk)
    return render(
        request,
        "broadcasts/staff/briefing_send.html",
        {
            "campaign": campaign,
            "form": form,
            "has_series": form.fields["series"].queryset.exists(),
            "topic": BRIEFING_TOPIC,
        },
    )
