"""Public social pages: the supporter moment (sign up, progress, withdraw) and pledges."""

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from hub.campaigns.selectors import campaign_public_get, campaigns_published
from hub.core.errors import ApplicationError
from hub.core.forms import form_add_application_error, form_data
from hub.social import moments, pledges
from hub.social.forms import PledgeForm, PledgeReportForm, SupporterForm
from hub.social.models import Moment, Pledge, Supporter


def _published_moment(slug: str) -> Moment:
    # Only the moment and its campaign: not the campaign page's channels and resources.
    moment = (
        Moment.objects.select_related("campaign")
        .filter(campaign__in=campaigns_published(), campaign__slug=slug)
        .first()
    )
    if moment is None:
        raise Http404
    return moment


def moment_page(request: HttpRequest, slug: str) -> HttpResponse:
    moment = _published_moment(slug)
    form = SupporterForm(*form_data(request))
    closed = moments.signup_closed_reason(moment)
    if request.method == "POST" and not closed and form.is_valid():
        try:
            result = moments.supporter_signup(
                moment=moment,
                first_name=form.cleaned_data["first_name"],
                email=form.cleaned_data["email"],
                handles=form.handles(),
            )
        except ApplicationError as error:
            form_add_application_error(form, error)
        else:
            return redirect("social:supporter_status", token=result.supporter.token)
    return render(
        request,
        "social/public/moment.html",
        {
            "moment": moment,
            "campaign": moment.campaign,
            "progress": moments.moment_progress(moment),
            "closed": closed,
            "form": form,
        },
    )


def _supporter(token: str) -> Supporter:
    supporter = Supporter.objects.select_related("moment__campaign").filter(token=token).first() if token else None
    if supporter is None:
        raise Http404
    return supporter


@never_cache
def supporter_status(request: HttpRequest, token: str) -> HttpResponse:
    supporter = _supporter(token)
    return render(
        request,
        "social/public/supporter_status.html",
        {"supporter": supporter, "moment": supporter.moment, "campaign": supporter.moment.campaign},
    )


@never_cache
def supporter_withdraw(request: HttpRequest, token: str) -> HttpResponse:
    supporter = _supporter(token)
    if request.method == "POST":
        moments.supporter_withdraw(token=token)
        return redirect("social:supporter_status", token=token)
    return render(
        request,
        "social/public/supporter_withdraw.html",
        {"supporter": supporter, "moment": supporter.moment, "campaign": supporter.moment.campaign},
    )


# --- Pledges ------------------------------------------------------------------------------------


def _published_campaign(slug: str):
    campaign = campaign_public_get(slug=slug)
    if campaign is None:
        raise Http404
    return campaign


def pledge_wall(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _published_campaign(slug)
    return render(
        request,
        "social/public/pledge_wall.html",
        {"campaign": campaign, "pledges": pledges.pledge_wall(campaign)[:200]},
    )


def pledge_create(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _published_campaign(slug)
    form = PledgeForm(*form_data(request, files=True))
    if request.method == "POST" and form.is_valid():
        try:
            pledges.pledge_submit(
                campaign=campaign,
                upload=form.cleaned_data["photo"],
                first_name=form.cleaned_data["first_name"],
                message=form.cleaned_data["message"],
                consent_to_publish=form.cleaned_data["consent_to_publish"],
                confirmed_no_child=form.cleaned_data["confirmed_no_child"],
                request=request,
            )
        except ApplicationError as error:
            form_add_application_error(form, error)
        else:
            return redirect("social:pledge_sent", slug=campaign.slug)
    return render(request, "social/public/pledge_form.html", {"campaign": campaign, "form": form})


def pledge_sent(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "social/public/pledge_sent.html", {"campaign": _published_campaign(slug)})


def pledge_photo(request: HttpRequest, pk: int) -> HttpResponse:
    """A pledge's photo: to the public only once approved and not reported; to moderators always."""
    pledge = Pledge.objects.filter(pk=pk).first()
    moderator = (
        request.user.is_authenticated and request.user.is_verified() and request.user.has_perm("social.view_pledge")
    )
    if pledge is None or not (pledges.pledge_is_public(pledge) or moderator):
        raise Http404
    response = FileResponse(pledge.image.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store" if not pledges.pledge_is_public(pledge) else "public, max-age=300"
    return response


def pledge_report(request: HttpRequest, pk: int) -> HttpResponse:
    pledge = Pledge.objects.select_related("campaign").filter(pk=pk).first()
    if pledge is None or not pledges.pledge_is_public(pledge):
        raise Http404
    form = PledgeReportForm(*form_data(request))
    if request.method == "POST" and form.is_valid():
        pledges.pledge_report(pledge=pledge, reason=form.cleaned_data["reason"], request=request)
        return render(request, "social/public/pledge_reported.html", {"campaign": pledge.campaign})
    return render(
        request, "social/public/pledge_report.html", {"pledge": pledge, "campaign": pledge.campaign, "form": form}
    )
