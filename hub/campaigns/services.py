"""The rules for changing campaigns. Staff pages, the API, commands and demo
loading call these; each change and its audit event commit together."""

import re
from collections.abc import Iterable

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from hub.audit.services import audit_record
from hub.campaigns.models import Campaign, ReportingChannel, Resource
from hub.campaigns.prerender import campaign_prerender_schedule
from hub.campaigns.uploads import upload_check
from hub.core.errors import ApplicationError

HASHTAG_PATTERN = re.compile(r"^[^\W_][\w]*$")
CAMPAIGN_FIELDS = (
    "name",
    "slug",
    "summary",
    "awareness_day",
    "starts_on",
    "ends_on",
    "theme",
    "local_commitment",
    "hashtags",
    "about_cse",
    "warning_signs",
    "contact_name",
    "contact_email",
)
CHANNEL_FIELDS = ("label", "when_to_use", "phone", "text_number", "email", "url", "is_emergency", "position")
RESOURCE_FIELDS = ("title", "summary", "url", "audiences", "position")


def hashtags_parse(text: str) -> list[str]:
    """'#CSEDay18, StandAgainstCSE #HelpingHands' -> ['CSEDay18', 'StandAgainstCSE', 'HelpingHands'].

    Separators are spaces and commas; a leading '#' is optional; repeats
    (ignoring case) are dropped, keeping the first spelling."""
    tags: list[str] = []
    seen: set[str] = set()
    for raw in re.split(r"[\s,]+", text.strip()):
        tag = raw.lstrip("#")
        if not raw:
            continue
        if not tag or not HASHTAG_PATTERN.match(tag):
            raise ApplicationError(
                f"“{raw}” is not a hashtag: use letters, numbers and underscores, starting with a letter or number",
                field="hashtags",
            )
        if len(tag) > 100:
            raise ApplicationError("Each hashtag must be 100 characters or fewer", field="hashtags")
        if tag.lower() not in seen:
            seen.add(tag.lower())
            tags.append(tag)
    return tags


# Words the staff pages use in their own addresses (staff/campaigns/new/).
RESERVED_SLUGS = {"new"}


def _check_slug_free(slug: str, *, exclude_pk: int | None = None) -> None:
    if slug.lower() in RESERVED_SLUGS:
        raise ApplicationError("This web address is reserved; choose another", field="slug")
    taken = Campaign.objects.filter(slug__iexact=slug)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise ApplicationError("A campaign already uses this web address; choose another", field="slug")


def _check_dates(data: dict) -> None:
    starts_on, ends_on, awareness_day = data.get("starts_on"), data.get("ends_on"), data.get("awareness_day")
    if starts_on and ends_on and ends_on < starts_on:
        raise ApplicationError("End date must be the same as or after the start date", field="ends_on")
    if awareness_day and starts_on and ends_on and not starts_on <= awareness_day <= ends_on:
        raise ApplicationError("Awareness day must be between the start and end dates", field="awareness_day")


def _save_campaign(campaign: Campaign) -> None:
    try:
        with transaction.atomic():
            campaign.save()
    except IntegrityError as error:
        # Two coordinators choosing the same address at once: the constraint decides.
        raise ApplicationError("A campaign already uses this web address; choose another", field="slug") from error


def campaign_create(*, data: dict, actor, request: HttpRequest | None = None) -> Campaign:
    _check_slug_free(data["slug"])
    _check_dates(data)
    campaign = Campaign(**{name: data[name] for name in CAMPAIGN_FIELDS if name in data}, created_by=actor)
    with transaction.atomic():
        _save_campaign(campaign)
        audit_record(action="campaign.created", actor=actor, request=request, obj=campaign)
    return campaign


def campaign_update(*, campaign: Campaign, data: dict, actor, request: HttpRequest | None = None) -> Campaign:
    if campaign.is_published and "slug" in data and data["slug"] != campaign.slug:
        raise ApplicationError("The web address of a published campaign cannot change", field="slug")
    if "slug" in data:
        _check_slug_free(data["slug"], exclude_pk=campaign.pk)
    merged = {name: data.get(name, getattr(campaign, name)) for name in ("starts_on", "ends_on", "awareness_day")}
    _check_dates(merged)
    changed = [name for name in CAMPAIGN_FIELDS if name in data and data[name] != getattr(campaign, name)]
    for name in changed:
        setattr(campaign, name, data[name])
    if changed:
        with transaction.atomic():
            _save_campaign(campaign)
            audit_record(
                action="campaign.updated", actor=actor, request=request, obj=campaign, detail={"fields": changed}
            )
            campaign_prerender_schedule(campaign)
    return campaign


def campaign_publish_problems(campaign: Campaign) -> list[str]:
    """What stops a campaign being published: its page must say how to report."""
    problems = []
    if not campaign.reporting_channels.exists():
        problems.append("Add at least one way to report a concern before publishing")
    if not campaign.warning_sign_list:
        problems.append("Add the warning signs before publishing")
    return problems


def campaign_publish(*, campaign: Campaign, actor, request: HttpRequest | None = None) -> Campaign:
    problems = campaign_publish_problems(campaign)
    if problems:
        raise ApplicationError(problems[0])
    with transaction.atomic():
        campaign.status = Campaign.Status.PUBLISHED
        campaign.published_at = timezone.now()
        campaign.save(update_fields=["status", "published_at", "updated_at"])
        audit_record(action="campaign.published", actor=actor, request=request, obj=campaign)
        campaign_prerender_schedule(campaign)
    return campaign


def campaign_unpublish(*, campaign: Campaign, actor, request: HttpRequest | None = None) -> Campaign:
    with transaction.atomic():
        campaign.status = Campaign.Status.DRAFT
        campaign.save(update_fields=["status", "updated_at"])
        audit_record(action="campaign.unpublished", actor=actor, request=request, obj=campaign)
        campaign_prerender_schedule(campaign)
    return campaign


def campaign_delete(*, campaign: Campaign, actor, request: HttpRequest | None = None) -> None:
    if campaign.is_published:
        raise ApplicationError("Unpublish the campaign before deleting it")
    files = [resource.file.name for resource in campaign.resources.exclude(file="")]
    storage = Resource._meta.get_field("file").storage
    with transaction.atomic():
        audit_record(action="campaign.deleted", actor=actor, request=request, obj=campaign)
        campaign_prerender_schedule(campaign)
        campaign.delete()
        transaction.on_commit(lambda: [storage.delete(name) for name in files])


# --- Reporting channels --------------------------------------------------------


def _check_channel(data: dict) -> None:
    if not any(data.get(name) for name in ("phone", "text_number", "email", "url")):
        raise ApplicationError("Enter at least one of a phone number, text number, email address or web address")


def channel_create(*, campaign: Campaign, data: dict, actor, request: HttpRequest | None = None) -> ReportingChannel:
    _check_channel(data)
    if "position" not in data:
        data = {**data, "position": campaign.reporting_channels.count()}
    channel = ReportingChannel(campaign=campaign, **{name: data[name] for name in CHANNEL_FIELDS if name in data})
    with transaction.atomic():
        channel.save()
        audit_record(
            action="campaign.channel_created",
            actor=actor,
            request=request,
            obj=channel,
            detail={"campaign": campaign.pk},
        )
        campaign_prerender_schedule(campaign)
    return channel


def channel_update(
    *, channel: ReportingChannel, data: dict, actor, request: HttpRequest | None = None
) -> ReportingChannel:
    merged = {name: data.get(name, getattr(channel, name)) for name in CHANNEL_FIELDS}
    _check_channel(merged)
    changed = [name for name in CHANNEL_FIELDS if name in data and data[name] != getattr(channel, name)]
    for name in changed:
        setattr(channel, name, data[name])
    if changed:
        with transaction.atomic():
            channel.save()
            audit_record(
                action="campaign.channel_updated",
                actor=actor,
                request=request,
                obj=channel,
                detail={"campaign": channel.campaign_id, "fields": changed},
            )
            campaign_prerender_schedule(channel.campaign)
    return channel


def channel_delete(*, channel: ReportingChannel, actor, request: HttpRequest | None = None) -> None:
    campaign = channel.campaign
    if campaign.is_published and campaign.reporting_channels.count() == 1:
        raise ApplicationError("A published campaign must keep at least one way to report a concern")
    with transaction.atomic():
        audit_record(
            action="campaign.channel_deleted",
            actor=actor,
            request=request,
            obj=channel,
            detail={"campaign": campaign.pk},
        )
        channel.delete()
        campaign_prerender_schedule(campaign)


# --- Resources -----------------------------------------------------------------


def _store_upload(resource: Resource, upload: UploadedFile) -> str:
    """Check the upload by content and store it under a random name; returns the stored name."""
    checked = upload_check(upload)
    resource.file_name = checked.original_name
    resource.file_type = checked.file_type
    resource.file_size = checked.size
    # FileField.save with save=False only writes the file; the row is saved by the caller.
    resource.file.save(checked.storage_name, upload, save=False)
    return resource.file.name


def _delete_file_on_commit(name: str) -> None:
    storage = Resource._meta.get_field("file").storage
    transaction.on_commit(lambda: storage.delete(name))


def _save_resource_with_file(resource: Resource, new_file: str | None, action: str, actor, request, detail) -> None:
    """Save the row and its audit event; if that fails, the new file is removed so nothing is half-saved."""
    try:
        with transaction.atomic():
            resource.save()
            audit_record(action=action, actor=actor, request=request, obj=resource, detail=detail)
            campaign_prerender_schedule(resource.campaign)
    except Exception:
        if new_file:
            Resource._meta.get_field("file").storage.delete(new_file)
        raise


def _clean_audiences(audiences: Iterable[str]) -> list[str]:
    from hub.campaigns.models import Audience

    allowed = set(Audience.values)
    unknown = [value for value in audiences if value not in allowed]
    if unknown:
        raise ApplicationError(f"Unknown audience: {unknown[0]}", field="audiences")
    return [value for value in Audience.values if value in set(audiences)]


def resource_create(
    *,
    campaign: Campaign,
    data: dict,
    upload: UploadedFile | None = None,
    actor,
    request: HttpRequest | None = None,
) -> Resource:
    url = data.get("url", "")
    if url and upload:
        raise ApplicationError("Enter a web address or choose a file, not both", field="url")
    if not url and not upload:
        raise ApplicationError("Enter a web address or choose a file", field="url")
    resource = Resource(campaign=campaign, **{name: data[name] for name in RESOURCE_FIELDS if name in data})
    resource.audiences = _clean_audiences(data.get("audiences", []))
    if "position" not in data:
        resource.position = campaign.resources.count()
    new_file = _store_upload(resource, upload) if upload else None
    detail = {"campaign": campaign.pk, "kind": "file" if upload else "link"}
    _save_resource_with_file(resource, new_file, "campaign.resource_created", actor, request, detail)
    return resource


def resource_update(
    *,
    resource: Resource,
    data: dict,
    upload: UploadedFile | None = None,
    actor,
    request: HttpRequest | None = None,
) -> Resource:
    """Change a resource. A new upload replaces the file; a web address replaces a file; a
    resource that is a file stays one when neither is given."""
    url = data.get("url", resource.url)
    if url and upload:
        raise ApplicationError("Enter a web address or choose a file, not both", field="url")
    if not url and not upload and not resource.file:
        raise ApplicationError("Enter a web address or choose a file", field="url")
    old_file = resource.file.name if resource.file else ""
    changed = [name for name in RESOURCE_FIELDS if name in data and data[name] != getattr(resource, name)]
    for name in changed:
        setattr(resource, name, data[name])
    if "audiences" in data:
        resource.audiences = _clean_audiences(data["audiences"])
    new_file = None
    if upload:
        new_file = _store_upload(resource, upload)
        changed.append("file")
    elif url and old_file:
        resource.file = ""
        resource.file_name, resource.file_type, resource.file_size = "", "", None
        changed.append("file")
    if not changed:
        return resource
    _save_resource_with_file(
        resource,
        new_file,
        "campaign.resource_updated",
        actor,
        request,
        {"campaign": resource.campaign_id, "fields": changed},
    )
    if old_file and "file" in changed:
        _delete_file_on_commit(old_file)
    return resource


def resource_delete(*, resource: Resource, actor, request: HttpRequest | None = None) -> None:
    old_file = resource.file.name if resource.file else ""
    with transaction.atomic():
        audit_record(
            action="campaign.resource_deleted",
            actor=actor,
            request=request,
            obj=resource,
            detail={"campaign": resource.campaign_id},
        )
        resource.delete()
        campaign_prerender_schedule(resource.campaign)
        if old_file:
            _delete_file_on_commit(old_file)
