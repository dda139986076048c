"""Factories for series and bulletins (contacts and audiences have their own in factories.py)."""

import datetime

import factory
from django.utils import timezone

from hub.broadcasts.models import Audience, Bulletin, Contact, LawfulBasis, Series
from hub.campaigns.tests.factories import CampaignFactory


class BulletinAudienceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Audience
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Bulletin audience {n}")
    slug = factory.Sequence(lambda n: f"bulletin-audience-{n}")


class BulletinContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Safeguarding Team {n}")
    email = factory.Sequence(lambda n: f"safeguarding{n}@school.example.org")
    lawful_basis = LawfulBasis.PUBLIC_TASK

    @factory.post_generation
    def audiences(self, create, extracted, **kwargs):
        if create and extracted:
            self.audiences.set(extracted)


class SeriesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Series

    name = factory.Sequence(lambda n: f"Awareness week {n}")
    slug = factory.Sequence(lambda n: f"awareness-week-{n}")
    campaign = factory.SubFactory(CampaignFactory)


class BulletinFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Bulletin
        skip_postgeneration_save = True

    series = factory.SubFactory(SeriesFactory)
    day = factory.Sequence(lambda n: timezone.localdate() + datetime.timedelta(days=n + 1))
    topic = "Training & Guidance"
    subject = "Awareness week: training and guidance"
    body_markdown = "Today we share **training** news.\n\n- The new flow chart\n- The screening tool\n"

    @factory.post_generation
    def audiences(self, create, extracted, **kwargs):
        if create and extracted:
            self.audiences.set(extracted)

    @factory.post_generation
    def resources(self, create, extracted, **kwargs):
        if create and extracted:
            self.resources.set(extracted)
