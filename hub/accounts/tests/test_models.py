import importlib

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, identify_hasher
from django.db import IntegrityError, migrations, models

from hub.accounts.models import Organisation, Sector, User, normalise_email
from hub.accounts.tests.factories import DEFAULT_PASSWORD, UserFactory, default_password_hash

pytestmark = pytest.mark.django_db


def test_the_custom_user_is_the_auth_user_model():
    assert get_user_model() is User
    assert User.USERNAME_FIELD == "email"


def test_the_first_migration_creates_the_user_with_a_unique_email():
    initial = importlib.import_module("hub.accounts.migrations.0001_initial").Migration
    assert initial.initial is True
    created = {op.name: op for op in initial.operations if isinstance(op, migrations.CreateModel)}
    assert "User" in created
    fields = dict(created["User"].fields)
    assert isinstance(fields["email"], models.EmailField)
    assert fields["email"].unique is True
    assert "username" not in fields


def test_normalise_email():
    assert normalise_email("  Alex.Morgan@Partner.EXAMPLE.org\n") == "alex.morgan@partner.example.org"


def test_create_user_normalises_the_email_and_hashes_with_argon2():
    user = User.objects.create_user(
        email=" Pat.Lee@School.Example.ORG ", password=DEFAULT_PASSWORD, full_name="Pat Lee"
    )
    assert user.email == "pat.lee@school.example.org"
    assert user.password.startswith("argon2")
    assert identify_hasher(user.password).algorithm == "argon2"
    assert DEFAULT_PASSWORD not in user.password
    assert user.check_password(DEFAULT_PASSWORD)
    assert not user.is_staff
    assert not user.is_superuser


def test_factory_password_is_argon2():
    assert default_password_hash().startswith("argon2")
    assert check_password(DEFAULT_PASSWORD, default_password_hash())


def test_create_user_without_email_is_refused():
    with pytest.raises(ValueError, match="email address is required"):
        User.objects.create_user(email="", password=None, full_name="Nobody")


def test_user_without_a_password_cannot_sign_in_with_one():
    user = User.objects.create_user(email="invited@partner.example.org", full_name="Invited")
    assert not user.has_usable_password()


def test_create_superuser():
    admin = User.objects.create_superuser(email="Admin@Hub.Example.org", password=None, full_name="Admin")
    assert admin.is_staff and admin.is_superuser
    assert admin.email == "admin@hub.example.org"


def test_email_is_unique_whatever_the_case():
    User.objects.create_user(email="sam@partner.example.org", full_name="Sam")
    with pytest.raises(IntegrityError):
        User.objects.create_user(email="SAM@partner.example.org", full_name="Sam again")


def test_natural_key_lookup_is_case_insensitive():
    user = UserFactory(email="jo.bloggs@partner.example.org")
    assert User.objects.get_by_natural_key(" JO.Bloggs@Partner.example.org") == user


def test_clean_normalises_the_email_as_forms_and_the_admin_save_it():
    user = User(email=" Kim.Doe@Health.Example.ORG ", full_name="Kim Doe")
    user.clean()
    assert user.email == "kim.doe@health.example.org"


def test_names():
    user = UserFactory.build(full_name="Alex Morgan", email="alex@partner.example.org")
    assert str(user) == "Alex Morgan"
    assert user.get_full_name() == "Alex Morgan"
    assert user.get_short_name() == "Alex"
    nameless = UserFactory.build(full_name="", email="anon@partner.example.org")
    assert str(nameless) == "anon@partner.example.org"
    assert nameless.get_short_name() == "anon@partner.example.org"


def test_organisation_has_a_sector_and_a_unique_name():
    organisation = Organisation.objects.create(name="Northshire Police", sector=Sector.POLICE)
    assert str(organisation) == "Northshire Police"
    assert organisation.get_sector_display() == "Police"
    with pytest.raises(IntegrityError):
        Organisation.objects.create(name="Northshire Police", sector=Sector.COUNCIL)
