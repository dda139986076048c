"""Coordinators' social pages for a campaign: thin views over the services."""

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from hub.accounts.decorators import staff_required
from hub.campaigns.models import Campaign
from hub.core.errors import ApplicationError
from hub.core.forms import form_add_application_error, form_data
from hub.social import dashboard, moments, pledges, posts, scheduling
from hub.social.forms import (
    MomentForm,
    PledgeModerationForm,
    ScheduledPostForm,
    SocialAccountForm,
    SuggestedPostForm,
)
from hub.social.models import Moment, Pledge, ScheduledPost, SocialAccount, SuggestedPost


def _campaign(slug: str) -> Campaign:
    return get_object_or_404(Campaign, slug=slug)


@staff_required("social.view_suggestedpost")
def overview(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(slug)
    moment = Moment.objects.filter(campaign=campaign).first()
    return render(
        request,
        "social/staff/overview.html",
        {
            "campaign": campaign,
            "suggested_posts": campaign.suggested_posts.all(),
            "moment": moment,
            "progress": moments.moment_progress(moment) if moment else None,
        },
    )


@staff_required("social.add_suggestedpost")
def suggested_post_create(request: HttpRequest, slug: str) -> HttpResponse:
    return _suggested_post_form(request, _campaign(slug), post=None)


@staff_required("social.change_suggestedpost")
def suggested_post_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    campaign = _campaign(slug)
    return _suggested_post_form(request, campaign, post=get_object_or_404(SuggestedPost, campaign=campaign, pk=pk))


def _suggested_post_form(request: HttpRequest, campaign: Campaign, *, post: SuggestedPost | None) -> HttpResponse:
    initial = {"text": post.text, "networks": post.networks} if post else {"networks": ["x", "facebook", "bluesky"]}
    form = SuggestedPostForm(*form_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            posts.suggested_post_save(
                campaign=campaign,
                post=post,
                text=form.cleaned_data["text"],
                networks=form.cleaned_data["networks"],
                actor=request.user,
                request=request,
            )
        except ApplicationError as error:
            form_add_application_error(form, error)
        else:
            messages.success(request, "Suggested post saved.")
            return redirect("social:staff_overview", slug=campaign.slug)
    return render(request, "social/staff/suggested_post_form.html", {"campaign": campaign, "form": form, "post": post})


@staff_required("social.delete_suggestedpost")
def suggested_post_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    campaign = _campaign(slug)
    post = get_object_or_404(SuggestedPost, campaign=campaign, pk=pk)
    if request.method == "POST":
        posts.suggested_post_delete(post=post, actor=request.user, request=request)
        messages.success(request, "Suggested post deleted.")
        return redirect("social:staff_overview", slug=campaign.slug)
    return render(request, "social/staff/suggested_post_delete.html", {"campaign": campaign, "post": post})


@require_POST
@staff_required("social.change_suggestedpost")
def suggested_post_move(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    campaign = _campaign(slug)
    post = get_object_or_404(SuggestedPost, campaign=campaign, pk=pk)
    direction = -1 if request.POST.get("direction") == "up" else 1
    posts.suggested_post_move(post=post, direction=direction, actor=request.user, request=request)
    return redirect("social:staff_overview", slug=campaign.slug)


# --- The supporter moment ---------------------------------------------------------------


@staff_required("social.view_moment", "social.add_moment", "social.change_moment")
def moment_edit(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(slug)
    moment = Moment.objects.filter(campaign=campaign).first()
    initial = {}
    if moment is not None:
        moment_local, deadline_local = timezone.localtime(moment.moment_at), timezone.localtime(moment.signup_deadline)
        initial = {
            "moment_date": moment_local.date(),
            "moment_time": f"{moment_local:%H:%M}",
            "deadline_date": deadline_local.date(),
            "deadline_time": f"{deadline_local:%H:%M}",
            "goal": moment.goal,
            "all_or_nothing": moment.all_or_nothing,
        }
    form = MomentForm(*form_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            moments.moment_save(campaign=campaign, data=form.cleaned_data, actor=request.user, request=request)
        except ApplicationError as error:
            form_add_application_error(form, error)
        else:
            messages.success(request, "Moment saved. Supporters can sign up on the campaign page.")
            return redirect("social:staff_overview", slug=campaign.slug)
    return render(request, "social/staff/moment_form.html", {"campaign": campaign, "moment": moment, "form": form})


@staff_required("social.view_supporter")
def supporter_list(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(slug)
    moment = get_object_or_404(Moment, campaign=campaign)
    supporters = moment.supporters.prefetch_related("handles").order_by("-created_at")
    return render(
        request,
        "social/staff/supporter_list.html",
        {"campaign": campaign, "moment": moment, "supporters": supporters, "progress": moments.moment_progress(moment)},
    )


# --- Pledge moderation -----------------------------------------------------------------------


@staff_required("social.view_pledge")
def pledge_queue(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(slug)
    all_pledges = campaign.pledges.annotate(open_reports=Count("reports", filter=Q(reports__resolved_at__isnull=True)))
    return render(
        request,
        "social/staff/pledge_queue.html",
        {
            "campaign": campaign,
            "reported": all_pledges.filter(hidden_by_report=True),
            "pending": all_pledges.filter(status=Pledge.Status.PENDING, hidden_by_report=False),
            "decided": all_pledges.exclude(status=Pledge.Status.PENDING).filter(hidden_by_report=False)[:100],
        },
    )


@never_cache
@staff_required("social.view_pledge", "social.moderate_pledge")
def pledge_moderate(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    campaign = _campaign(slug)
    pledge = get_object_or_404(Pledge, campaign=campaign, pk=pk)
    form = PledgeModerationForm(*form_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            pledges.pledge_moderate(
                pledge=pledge,
                approve=form.cleaned_data["decision"] == "approve",
                reason=form.cleaned_data["reason"],
                actor=request.user,
                request=request,
            )
        except ApplicationError as error:
            form_add_application_error(form, error)
        else:
            messages.success(request, f"Pledge {pledge.get_status_display().lower()}.")
            return redirect("social:pledge_queue", slug=campaign.slug)
    return render(
        request,
        "social/staff/pledge_moderate.html",
        {"campaign": campaign, "pledge": pledge, "form": form, "reports": pledge.reports.all()},
    )


# --- Accounts and scheduled posts --------------------------------------------------------


@staff_required("social.view_socialaccount")
def account_list(request: HttpRequest) -> HttpResponse:
    return render(request, "social/staff/account_list.html", {"accounts": SocialAccount.objects.all()})


@staff_required("social.add_socialaccount")
def account_create(request: HttpRequest) -> HttpResponse:
    return _account_form(request, account=None)


@staff_required("social.change_socialaccount")
def account_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _account_form(request, account=get_object_or_404(SocialAccount, pk=pk))


def _account_form(request: HttpRequest, *, account: SocialAccount | None) -> HttpResponse:
    initial = (
        {
            "name": account.name,
            "instance_url": account.instance_url,
            "handle": account.handle,
            "max_characters": account.max_characters,
        }
        if account
        else {"max_characters": 500}
    )
    form = SocialAccountForm(*form_data(request), account=account, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            scheduling.account_save(account=account, data=form.cleaned_data, actor=request.user, request=request)
        except ApplicationError as error:
            form_add_application_error(form, error)
        else:
            messages.success(request, "Account saved. Its secret is stored encrypted and will not be shown again.")
            return redirect("social:account_list")
    return render(request, "social/staff/account_form.html", {"form": form, "account": account})


@staff_required("social.view_scheduledpost")
def schedule(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(slug)
    return render(
        request,
        "social/staff/schedule.html",
        {"campaign": campaign, "days": scheduling.schedule_by_day(campaign)},
    )


@staff_required("social.add_scheduledpost")
def scheduled_post_create(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(slug)
    form = ScheduledPostForm(*form_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            scheduling.scheduled_post_create(
                campaign=campaign,
                account=form.cleaned_data["account"],
                text=form.cleaned_data["text"],
                scheduled_at=form.cleaned_data["scheduled_at"],
                actor=request.user,
                request=request,
            )
        except ApplicationError as error:
            form_add_application_error(form, error)
        else:
            messages.success(request, "Post scheduled.")
            return redirect("social:schedule", slug=campaign.slug)
    return render(request, "social/staff/scheduled_post_form.html", {"campaign": campaign, "form": form})


@require_POST
@staff_required("social.change_scheduledpost")
def scheduled_post_cancel(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    campaign = _campaign(slug)
    post = get_object_or_404(ScheduledPost, campaign=campaign, pk=pk)
    try:
        scheduling.scheduled_post_cancel(post=post, actor=request.user, request=request)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Scheduled post cancelled.")
    return redirect("social:schedule", slug=campaign.slug)


EXPORTS = {
    "hootsuite.csv": (scheduling.schedule_hootsuite_csv, "text/csv; charset=utf-8", "hootsuite-bulk"),
    "buffer.csv": (scheduling.schedule_buffer_csv, "text/csv; charset=utf-8", "buffer"),
    "posts.ics": (scheduling.schedule_ics, "text/calendar; charset=utf-8", "posts"),
}


@staff_required("social.view_scheduledpost")
def schedule_export(request: HttpRequest, slug: str, name: str) -> HttpResponse:
    campaign = _campaign(slug)
    if name not in EXPORTS:
        raise Http404
    render_export, content_type, stem = EXPORTS[name]
    response = HttpResponse(render_export(campaign), content_type=content_type)
    extension = name.rsplit(".", 1)[1]
    response["Content-Disposition"] = f'attachment; filename="{campaign.slug}-{stem}.{extension}"'
    return response


# --- Reach dashboard -------------------------------------------------------------------------


@staff_required("social.view_supporter", "social.view_pledge", "social.view_scheduledpost")
def reach_dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(slug)
    moment = Moment.objects.filter(campaign=campaign).first()
    return render(
        request,
        "social/staff/dashboard.html",
        {
            "campaign": campaign,
            "moment": moment,
            "progress": moments.moment_progress(moment) if moment else None,
            "tables": dashboard.dashboard_tables(campaign),
        },
    )


@staff_required("social.view_supporter", "social.view_pledge", "social.view_scheduledpost")
def reach_dashboard_csv(request: HttpRequest, slug: str, table: str) -> HttpResponse:
    campaign = _campaign(slug)
    found = next((item for item in dashboard.dashboard_tables(campaign) if item.key == table), None)
    if found is None:
        raise Http404
    response = HttpResponse(dashboard.table_csv(found), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{campaign.slug}-{table}.csv"'
    return response
