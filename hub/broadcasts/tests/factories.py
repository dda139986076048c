import factory
from django.utils.text import slugify

from hub.accounts.models import Sector
from hub.broadcasts.models import Audience, Contact, LawfulBasis


class AudienceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Audience
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Audience {n}")
    slug = factory.LazyAttribute(lambda audience: slugify(audience.name))


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Partner Contact {n}")
    email = factory.Sequence(lambda n: f"contact{n}@partner.example.org")
    organisation = "Seaside Academy"
    sector = Sector.SCHOOL
    role = "Designated safeguarding lead"
    lawful_basis = LawfulBasis.PUBLIC_TASK

    @factory.post_generation
    def audiences(self, create, extracted, **kwargs):
        """ContactFactory(audiences=[schools]) puts the contact in those audiences."""
        if create and extracted:
            self.audiences.add(*extracted)
