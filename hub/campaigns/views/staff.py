"""Staff pages for campaigns: thin views over hub.campaigns.services."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from hub.accounts.decorators import staff_required
from hub.campaigns import services
from hub.campaigns.forms import CampaignForm, ChannelForm, ResourceForm
from hub.campaigns.models import Campaign, ReportingChannel, Resource
from hub.campaigns.views.public import campaign_page_context
from hub.core.errors import ApplicationError
from hub.core.forms import form_add_application_error, form_data


def _campaign(slug: str) -> Campaign:
    return get_object_or_404(Campaign, slug=slug)


def _overview(campaign: Campaign) -> HttpResponse:
    return redirect("campaigns:staff_detail", slug=campaign.slug)


@staff_required("campaigns.view_campaign")
def campaign_list(request: HttpRequest) -> HttpResponse:
    campaigns = Campaign.objects.order_by("-starts_on", "name")
    return render(request, "campaigns/staff/list.html", {"campaigns": campaigns})


@staff_required("campaigns.add_campaign")
def campaign_create(request: HttpRequest) -> HttpResponse:
    form = CampaignForm(*form_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(data=form.cleaned_data, actor=request.user, request=request)
        except ApplicationError as error:
            form_add_application_error(form, error)
        else:
            messages.success(request, "Campaign created as a draft. Add ways to report a concern, then publish it.")
            return _overview(campaign)
    return render(request, "campaigns/staff/campaign_form.html", {"form": form, "campaign": None})


@staff_required("campaigns.view_campaign")
def campaign_detail(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(slug)
    return render(
        request,
        "campaigns/staff/detail.html",
        {
            "campaign": campaign,
            "channels": campaign.reporting_channels.all(),
            "resources": campaign.resources.all(),
            "publish_problems": services.campaign_publish_problems(campaign),
        },
    )


@staff_required("campaigns.change_campaign")
def campaign_edit(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(slug)
    form = CampaignForm(*form_data(request), campaign=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            services.campaign_update(campaign=campaign, data=form.cleaned_data, actor=request.user, request=request)
        except ApplicationError as error:
            campaign.refresh_from_db()  # the page's links use the saved address, not the refused one
            form_add_application_error(form, error)
        else:
            messages.success(request, "Campaign saved.")
            return _overview(campaign)
    return render(request, "campaigns/staff/campaign_form.html", {"form": form, "campaign": campaign})


@never_cache
@staff_required("campaigns.view_campaign")
def campaign_preview(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(slug)
    response = render(request, "campaigns/public/detail.html", campaign_page_context(campaign, preview=True))
    response["X-Robots-Tag"] = "noindex"
    return response


@staff_required("campaigns.publish_campaign")
def campaign_publish(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(slug)
    problems = services.campaign_publish_problems(campaign)
    if request.method == "POST" and not problems:
        services.campaign_publish(campaign=campaign, actor=request.user, request=request)
        messages.success(request, f"Campaign published. Its page is at {campaign_public_url(campaign)}")
        return _overview(campaign)
    return render(
        request,
        "campaigns/staff/publish.html",
        {"campaign": campaign, "problems": problems, "public_url": campaign_public_url(campaign)},
    )


@staff_required("campaigns.publish_campaign")
def campaign_unpublish(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(slug)
    if request.method == "POST":
        services.campaign_unpublish(campaign=campaign, actor=request.user, request=request)
        messages.success(request, "Campaign unpublished. Its page is no longer public.")
        return _overview(campaign)
    return _confirm(
        request,
        campaign=campaign,
        heading=f"Unpublish {campaign.name}?",
        body="The public page will stop working straight away. You can publish it again later.",
        button="Unpublish campaign",
    )


@staff_required("campaigns.delete_campaign")
def campaign_delete(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(slug)
    if request.method == "POST":
        try:
            services.campaign_delete(campaign=campaign, actor=request.user, request=request)
        except ApplicationError as error:
            messages.error(request, error.message)
            return _overview(campaign)
        messages.success(request, f"{campaign.name} deleted.")
        return redirect("campaigns:staff_list")
    return _confirm(
        request,
        campaign=campaign,
        heading=f"Delete {campaign.name}?",
        body="The draft, its ways to report and its resources will be deleted. You cannot undo this.",
        button="Delete campaign",
    )


def campaign_public_url(campaign: Campaign) -> str:
    return settings.SITE_URL + reverse("campaigns:public_detail", kwargs={"slug": campaign.slug})


def _confirm(request: HttpRequest, *, campaign: Campaign, heading: str, body: str, button: str) -> HttpResponse:
    return render(
        request,
        "campaigns/staff/confirm.html",
        {"campaign": campaign, "heading": heading, "body": body, "button": button, "action": request.path},
    )


# --- Reporting channels --------------------------------------------------------


@staff_required("campaigns.add_reportingchannel")
def channel_create(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(slug)
    form = ChannelForm(*form_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.channel_create(campaign=campaign, data=form.cleaned_data, actor=request.user, request=request)
        except ApplicationError as error:
            form_add_application_error(form, error)
        else:
            messages.success(request, "Way to report added.")
            return _overview(campaign)
    return render(request, "campaigns/staff/channel_form.html", {"form": form, "campaign": campaign, "channel": None})


@staff_required("campaigns.change_reportingchannel")
def channel_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    campaign = _campaign(slug)
    channel = get_object_or_404(ReportingChannel, campaign=campaign, pk=pk)
    form = ChannelForm(*form_data(request), channel=channel)
    if request.method == "POST" and form.is_valid():
        try:
            services.channel_update(channel=channel, data=form.cleaned_data, actor=request.user, request=request)
        except ApplicationError as error:
            form_add_application_error(form, error)
        else:
            messages.success(request, "Way to report saved.")
            return _overview(campaign)
    return render(
        request, "campaigns/staff/channel_form.html", {"form": form, "campaign": campaign, "channel": channel}
    )


@staff_required("campaigns.delete_reportingchannel")
def channel_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    campaign = _campaign(slug)
    channel = get_object_or_404(ReportingChannel, campaign=campaign, pk=pk)
    if request.method == "POST":
        try:
            services.channel_delete(channel=channel, actor=request.user, request=request)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"{channel.label} removed.")
        return _overview(campaign)
    return _confirm(
        request,
        campaign=campaign,
        heading=f"Remove {channel.label}?",
        body="It will no longer be shown under how to report a concern.",
        button="Remove",
    )


# --- Resources -----------------------------------------------------------------


@staff_required("campaigns.add_resource")
def resource_create(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(slug)
    form = ResourceForm(*form_data(request, files=True))
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in ("title", "summary", "url", "audiences")}
        try:
            services.resource_create(
                campaign=campaign, data=data, upload=form.cleaned_data["file"], actor=request.user, request=request
            )
        except ApplicationError as error:
            form_add_application_error(form, error)
        else:
            messages.success(request, "Resource added.")
            return _overview(campaign)
    return render(request, "campaigns/staff/resource_form.html", {"form": form, "campaign": campaign, "resource": None})


@staff_required("campaigns.change_resource")
def resource_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    campaign = _campaign(slug)
    resource = get_object_or_404(Resource, campaign=campaign, pk=pk)
    form = ResourceForm(*form_data(request, files=True), resource=resource)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in ("title", "summary", "url", "audiences")}
        try:
            services.resource_update(
                resource=resource, data=data, upload=form.cleaned_data["file"], actor=request.user, request=request
            )
        except ApplicationError as error:
            resource.refresh_from_db()
            form_add_application_error(form, error)
        else:
            messages.success(request, "Resource saved.")
            return _overview(campaign)
    return render(
        request, "campaigns/staff/resource_form.html", {"form": form, "campaign": campaign, "resource": resource}
    )


@staff_required("campaigns.delete_resource")
def resource_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    campaign = _campaign(slug)
    resource = get_object_or_404(Resource, campaign=campaign, pk=pk)
    if request.method == "POST":
        services.resource_delete(resource=resource, actor=request.user, request=request)
        messages.success(request, f"{resource.title} removed.")
        return _overview(campaign)
    return _confirm(
        request,
        campaign=campaign,
        heading=f"Remove {resource.title}?",
        body="It will no longer be listed on the campaign page. An uploaded file is deleted.",
        button="Remove",
    )
