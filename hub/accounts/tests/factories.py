import factory
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django_otp.plugins.otp_totp.models import TOTPDevice

from hub.accounts.models import ApiToken, Organisation, Sector, User
from hub.accounts.tokens import api_token_create

DEFAULT_PASSWORD = "correct-horse-battery-staple"
# Argon2 is slow on purpose; hash the shared test password once.
_DEFAULT_HASH = None


def default_password_hash() -> str:
    global _DEFAULT_HASH
    if _DEFAULT_HASH is None:
        _DEFAULT_HASH = make_password(DEFAULT_PASSWORD)
    return _DEFAULT_HASH


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Partner organisation {n}")
    sector = Sector.COUNCIL


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"staff{n}@partner.example.org")
    full_name = factory.Sequence(lambda n: f"Staff Member {n}")
    organisation = factory.SubFactory(OrganisationFactory)
    password = factory.LazyFunction(default_password_hash)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        """UserFactory(roles=[Role.CAMPAIGN_COORDINATOR]) puts the user in those groups."""
        if create and extracted:
            self.groups.add(*(Group.objects.get(name=name) for name in extracted))


class TOTPDeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TOTPDevice

    user = factory.SubFactory(UserFactory)
    name = "Authenticator app"
    confirmed = True


def api_token_make(user: User | None = None, *, name: str = "Case system", days: int = 90) -> tuple[ApiToken, str]:
    """A real token through the service (the secret is never stored, so a factory could not give one back)."""
    return api_token_create(user=user or UserFactory(), name=name, days=days)
