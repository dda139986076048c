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
