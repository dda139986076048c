"""Response shapes of the public campaigns API. Resolvers read the model
instances the selectors return; nothing here queries the database itself
beyond the relations the selectors prefetch."""

import datetime
from typing import Literal

from django.conf import settings
from django.urls import reverse
from ninja import Field, Schema
from pydantic import field_validator

from hub.campaigns.models import Campaign, Resource


def absolute_url(path: str) -> str:
    return settings.SITE_URL + path


class MessageOut(Schema):
    message: str


def _contains_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_contains_nul(key) or _contains_nul(item) for key, item in value.items())
    if isinstance(value, list | tuple | set):
        return any(_contains_nul(item) for item in value)
    return False


class InputSchema(Schema):
    """The base of every request body: no text anywhere in one may contain a NUL character
    (U+0000), which PostgreSQL can neither store nor compare (a 500 otherwise). The forms
    refuse it too; here it is a 400 naming the field."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: object) -> object:
        if _contains_nul(value):
            raise ValueError("must not contain NUL characters")
        return value


class FieldErrorOut(Schema):
    field: str
    message: str


class ValidationErrorOut(MessageOut):
    errors: list[FieldErrorOut]


class CampaignSummaryOut(Schema):
    slug: str
    name: str
    summary: str
    awareness_day: datetime.date | None
    starts_on: datetime.date
    ends_on: datetime.date
    hashtags: list[str] = Field(..., description="Without the leading '#'.")
    page_url: str = Field(..., description="The campaign's public page.")

    @staticmethod
    def resolve_hashtags(campaign: Campaign) -> list[str]:
        return [str(tag).lstrip("#") for tag in campaign.hashtags or [] if str(tag).lstrip("#")]

    @staticmethod
    def resolve_page_url(campaign: Campaign) -> str:
        return absolute_url(reverse("campaigns:public_detail", kwargs={"slug": campaign.slug}))


class ContactOut(Schema):
    name: str
    email: str


class ChannelOut(Schema):
    label: str
    when_to_use: str
    phone: str
    text_number: str
    email: str
    url: str
    is_emergency: bool


class ResourceOut(Schema):
    id: int
    title: str
    summary: str
    audiences: list[str]
    audience_labels: list[str]
    kind: Literal["link", "file"]
    url: str = Field(..., description="The link, or the download address of an uploaded file.")
    file_type: str | None = None
    file_size: int | None = None

    @staticmethod
    def resolve_kind(resource: Resource) -> str:
        return "file" if resource.file else "link"

    @staticmethod
    def resolve_url(resource: Resource) -> str:
        if not resource.file:
            return resource.url
        path = reverse("campaigns:resource_download", kwargs={"slug": resource.campaign.slug, "pk": resource.pk})
        return absolute_url(path)

    @staticmethod
    def resolve_file_type(resource: Resource) -> str | None:
        return (resource.file_type or None) if resource.file else None

    @staticmethod
    def resolve_file_size(resource: Resource) -> int | None:
        return resource.file_size if resource.file else None


class CampaignOut(CampaignSummaryOut):
    theme: str
    local_commitment: str
    about_cse: str
    warning_signs: list[str] = Field(..., alias="warning_sign_list")
    contact: ContactOut
    reporting_channels: list[ChannelOut] = Field(..., description="Emergency channels first.")
    resources: list[ResourceOut]

    @staticmethod
    def resolve_contact(campaign: Campaign) -> dict:
        return {"name": campaign.contact_name, "email": campaign.contact_email}

    @staticmethod
    def resolve_reporting_channels(campaign: Campaign) -> list:
        return list(campaign.reporting_channels.all())

    @staticmethod
    def resolve_resources(campaign: Campaign) -> list:
        return list(campaign.resources.all())


# --- Training -----------------------------------------------------------------------


class SessionOut(Schema):
    id: int
    course: str = Field(..., description="The course's title.")
    course_summary: str
    topics: list[str]
    audiences: list[str] = Field(..., description="Who the course is particularly for.")
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    mode: Literal["in_person", "online"]
    venue_name: str = Field(..., description="Empty for an online session; the joining link is never published.")
    venue_address: str
    accessibility: str
    capacity: int
    places_left: int
    booking_closes_at: datetime.datetime
    page_url: str = Field(..., description="The session's public page, where people book.")

    @staticmethod
    def resolve_course(session) -> str:
        return session.course.title

    @staticmethod
    def resolve_course_summary(session) -> str:
        return session.course.summary

    @staticmethod
    def resolve_topics(session) -> list[str]:
        return list(session.course.topics)

    @staticmethod
    def resolve_audiences(session) -> list[str]:
        return list(session.course.target_audiences)

    @staticmethod
    def resolve_venue_name(session) -> str:
        return "" if session.mode == "online" else session.venue_name

    @staticmethod
    def resolve_venue_address(session) -> str:
        return "" if session.mode == "online" else session.venue_address

    @staticmethod
    def resolve_accessibility(session) -> str:
        return session.accessibility_info

    @staticmethod
    def resolve_booking_closes_at(session) -> datetime.datetime:
        return session.booking_deadline

    @staticmethod
    def resolve_page_url(session) -> str:
        return absolute_url(reverse("training:session_detail", kwargs={"pk": session.pk}))


# --- Social ---------------------------------------------------------------------------------


class ShareLinkOut(Schema):
    network: str
    url: str


class SuggestedPostOut(Schema):
    id: int
    text: str
    networks: list[str]
    share_links: list[ShareLinkOut]


class MomentProgressOut(Schema):
    moment_at: datetime.datetime
    signup_deadline: datetime.datetime
    status: Literal["open", "sent", "called_off"]
    goal: int
    supporters: int
    estimated_reach: int = Field(
        ..., description="Self-reported: the sum of supporters' follower counts, each (network, handle) once."
    )
    signup_url: str


# --- Broadcasts -----------------------------------------------------------------------------


class BulletinOut(Schema):
    id: int
    series: str = Field(..., description="The series' short name (slug).")
    series_name: str
    day: datetime.date
    topic: str
    subject: str
    sent_at: datetime.datetime | None
    body_html: str = Field(..., description="The bulletin as published: sanitised HTML, not personalised.")
    web_url: str

    @staticmethod
    def resolve_series(bulletin) -> str:
        return bulletin.series.slug

    @staticmethod
    def resolve_series_name(bulletin) -> str:
        return bulletin.series.name

    @staticmethod
    def resolve_body_html(bulletin) -> str:
        from hub.broadcasts.rendering import markdown_to_html

        return markdown_to_html(bulletin.body_markdown)

    @staticmethod
    def resolve_web_url(bulletin) -> str:
        return absolute_url(
            reverse("broadcasts:archive_bulletin", kwargs={"series": bulletin.series.slug, "pk": bulletin.pk})
        )
