"""Demo social content from the seed briefing: its eleven suggested tweets."""

from hub.campaigns.models import Campaign
from hub.social.models import Network, SuggestedPost

SEED_SUGGESTED_POSTS = [
    "I'm supporting #CSEDay18 in West Sussex #StandAgainstCSE",
    "West Sussex Stands Up against #CSE #StandAgainstCSE",
    "I'm standing up against #CSE #CSEDay18 #StandAgainstCSE",
    "Together let's raise our hands to stop #CSE #HelpingHands #CSEDay18 #StandAgainstCSE",
    "Unite against the rape and sexual abuse of children within West Sussex #CSEDay18 #StandAgainstCSE",
    "All hands together can prevent #CSE #CSEDay18 #StandAgainstCSE",
    "What are you doing on #CSEDay18 to say 'NO' to #CSE?",
    "Educate your children on how to spot the signs of #CSE",
    "Stop #CSE and trafficking in our country #CSEDay18",
    "We all have to take #CSE and trafficking seriously and protect our children #CSEDay18 #StandAgainstCSE",
    "Speak out against inappropriate relationships when they involve children #CSE",
]
DEMO_NETWORKS = [Network.X, Network.FACEBOOK, Network.LINKEDIN, Network.MASTODON, Network.BLUESKY, Network.WHATSAPP]


def demo_social_load() -> list[SuggestedPost]:
    campaign = Campaign.objects.filter(slug="cseday18").first()
    if campaign is None:
        return []
    posts = []
    for order, text in enumerate(SEED_SUGGESTED_POSTS, start=1):
        post, _ = SuggestedPost.objects.update_or_create(
            campaign=campaign, order=order, defaults={"text": text, "networks": [n.value for n in DEMO_NETWORKS]}
        )
        posts.append(post)
    demo_moment_and_pledges_load(campaign)
    return posts


DEMO_PLEDGES = [
    ("Sam", "I will learn the signs and speak up"),
    ("Priya", "Every child deserves to be safe"),
    ("", "I pledge to report any concern"),
]


def demo_moment_and_pledges_load(campaign: Campaign) -> None:
    """A moment two weeks from the day the demo is first loaded, with a few fictional
    supporters, and three approved pledge photos drawn here (no real person's hand)."""
    import datetime
    import io

    from django.utils import timezone
    from PIL import Image, ImageDraw

    from hub.social.models import Moment, Pledge, Supporter, SupporterHandle
    from hub.social.pledges import pledge_submit

    moment_at = (timezone.now() + datetime.timedelta(days=14)).replace(hour=11, minute=0, second=0, microsecond=0)
    moment, created = Moment.objects.get_or_create(
        campaign=campaign,
        defaults={"moment_at": moment_at, "signup_deadline": moment_at - datetime.timedelta(hours=2), "goal": 100},
    )
    if created:
        for number, (network, handle, followers) in enumerate(
            [
                ("x", "@seaside_youth", 1850),
                ("bluesky", "partnership-friend.bsky.social", 420),
                ("x", "@demo_parent", 95),
            ],
            start=1,
        ):
            supporter = Supporter.objects.create(
                moment=moment, first_name=f"Demo{number}", email=f"supporter{number}@demo.example.org"
            )
            SupporterHandle.objects.create(supporter=supporter, network=network, handle=handle, followers=followers)
    if Pledge.objects.filter(campaign=campaign).exists():
        return
    for first_name, message in DEMO_PLEDGES:
        image = Image.new("RGB", (900, 1200), (236, 205, 180))
        draw = ImageDraw.Draw(image)
        draw.rounded_rectangle((250, 300, 650, 1150), radius=120, fill=(226, 186, 160))
        draw.text((300, 650), message[:28], fill=(40, 40, 120))
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        buffer.seek(0)
        pledge = pledge_submit(
            campaign=campaign,
            upload=buffer,
            first_name=first_name,
            message=message,
            consent_to_publish=True,
            confirmed_no_child=True,
        )
        Pledge.objects.filter(pk=pledge.pk).update(status=Pledge.Status.APPROVED, moderated_at=timezone.now())
