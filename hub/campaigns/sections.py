"""Extra sections on a campaign's public page, filled by later capabilities.

Training registers "Training sessions", social registers "Share the message",
and so on, without campaigns importing them. A provider returns None when it
has nothing to show for a campaign.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from hub.campaigns.models import Campaign


@dataclass(frozen=True)
class PageSection:
    heading: str
    template_name: str
    context: dict = field(default_factory=dict)
    anchor: str = ""


SectionProvider = Callable[[Campaign], PageSection | None]
_providers: list[tuple[int, SectionProvider]] = []


def campaign_section_register(provider: SectionProvider, *, order: int = 100) -> SectionProvider:
    if all(existing is not provider for _, existing in _providers):
        _providers.append((order, provider))
        _providers.sort(key=lambda item: item[0])
    return provider


def campaign_sections(campaign: Campaign) -> list[PageSection]:
    sections = (provider(campaign) for _, provider in _providers)
    return [section for section in sections if section is not None]


# --- Live numbers -------------------------------------------------------------------
# What a section shows that changes between renders (supporters, reach, places left),
# served by /campaigns/<slug>/live.json and updated in the page by campaigns/live.js.


@dataclass(frozen=True)
class LiveNumbers:
    """`data`: figures for the JSON (numbers, lists); `text`: the words each element
    marked data-live="<key>" shows, exactly as the section's template renders them."""

    data: dict = field(default_factory=dict)
    text: dict[str, str] = field(default_factory=dict)


LiveProvider = Callable[[Campaign], LiveNumbers | None]
_live_providers: list[tuple[int, LiveProvider]] = []


def campaign_live_register(provider: LiveProvider, *, order: int = 100) -> LiveProvider:
    if all(existing is not provider for _, existing in _live_providers):
        _live_providers.append((order, provider))
        _live_providers.sort(key=lambda item: item[0])
    return provider


def campaign_live_numbers(campaign: Campaign) -> dict:
    """Every registered provider's figures, merged, with the texts under "live"."""
    data: dict = {"campaign": campaign.slug}
    text: dict[str, str] = {}
    for _, provider in _live_providers:
        numbers = provider(campaign)
        if numbers is not None:
            data.update(numbers.data)
            text.update(numbers.text)
    data["live"] = text
    return data
