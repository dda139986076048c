import datetime

import factory
from django.utils import timezone

from hub.campaigns.tests.factories import CampaignFactory
from hub.social.models import Moment, SuggestedPost, Supporter, SupporterHandle


class SuggestedPostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SuggestedPost

    campaign = factory.SubFactory(CampaignFactory, published=True)
    text = factory.Sequence(lambda n: f"Suggested post {n} #CSEDay26")
    networks = factory.LazyFunction(lambda: ["x", "facebook", "bluesky", "mastodon", "linkedin"])
    order = factory.Sequence(lambda n: n)


class MomentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Moment

    campaign = factory.SubFactory(CampaignFactory, published=True)
    moment_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7))
    signup_deadline = factory.LazyAttribute(lambda m: m.moment_at - datetime.timedelta(hours=1))
    goal = 10


class SupporterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supporter

    moment = factory.SubFactory(MomentFactory)
    first_name = factory.Sequence(lambda n: f"Supporter{n}")
    email = factory.Sequence(lambda n: f"supporter{n}@example.org")


class SupporterHandleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupporterHandle

    supporter = factory.SubFactory(SupporterFactory)
    network = "x"
    handle = factory.Sequence(lambda n: f"@supporter{n}")
    followers = 100
