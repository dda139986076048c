"""Fuzzing every public form (no sign-in) with Hypothesis: data drawn from each form's
own fields (hypothesis.extra.django.from_form), mixed with junk, is posted to the form's
real address with the test client, and the form is also cleaned directly. No answer may
be a 5xx and nothing may raise. Then a handful of hand-picked hostile inputs per field
(NUL characters, which PostgreSQL cannot store; 100 KB strings; right-to-left overrides,
emoji and combining marks; negative and huge numbers; markup) must each get an answer
below 500 that does not echo markup back unescaped.

The public forms and where they are posted:
    accounts   SignInForm            /account/sign-in/
               CodeForm              /account/sign-in/code/ (after the password step)
               EnrolForm             /account/sign-in/set-up-authenticator/ (first sign-in)
               HubPasswordResetForm  /account/password-reset/
               HubSetPasswordForm    /account/password-reset/<uidb64>/set-password/
    training   SessionFilterForm     /training/ (GET)
               BookingForm           /training/sessions/<pk>/
               FeedbackForm          /training/bookings/<token>/feedback/
               CertificateCheckForm  /training/certificates/verify/ (GET)
               TrainingRequestForm   /training/suggest/
    social     SupporterForm         /campaigns/<slug>/moment/
               PledgeForm            /campaigns/<slug>/pledges/new/ (a photo upload)
               PledgeReportForm      /pledges/<pk>/report/
    broadcasts (no form class)       /bulletins/unsubscribe/<token>/ and its one-click POST

Bounded for CI: 25 examples per form, derandomized, no example database."""

import datetime
import importlib
import io
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote

import pytest
from django import forms
from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.errors import ResolutionFailed
from hypothesis.extra.django import from_field, from_form
from PIL import Image

import hub
from hub.accounts.forms import CodeForm, EnrolForm, HubPasswordResetForm, HubSetPasswordForm, SignInForm
from hub.accounts.tests.factories import DEFAULT_PASSWORD, TOTPDeviceFactory, UserFactory
from hub.broadcasts.models import Bulletin, Delivery
from hub.broadcasts.tests.factories import AudienceFactory, ContactFactory
from hub.broadcasts.tests.factories_bulletins import BulletinFactory
from hub.campaigns.tests.factories import CampaignFactory
from hub.core.forms import GovukDateField
from hub.core.tests.page_check import CheckedClient
from hub.social import pledges
from hub.social.forms import PledgeForm, PledgeReportForm, SupporterForm
from hub.social.models import Pledge
from hub.social.tests.factories import MomentFactory
from hub.training.forms import (
    BookingForm,
    CertificateCheckForm,
    FeedbackForm,
    SessionFilterForm,
    TrainingRequestForm,
)
from hub.training.models import Booking
from hub.training.tests.factories import BookingFactory, SessionFactory, in_days

pytestmark = [
    pytest.mark.django_db,
    # A failing example with a 100 KB value is reported all the same.
    pytest.mark.filterwarnings("ignore:Generating overly large repr"),
]

FUZZ = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    # One test's objects (and client) serve all its examples, on purpose.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)

# --- What is typed -------------------------------------------------------------------------

HOSTILE = [
    "\x00",
    "before\x00after",
    "x" * 100_000,
    "\u202egnp.exe\u202c",  # right-to-left override
    "\U0001f469\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466\U0001f3f3\ufe0f\u200d\U0001f308",  # emoji, ZWJ
    "e" + "\u0301" * 64,  # combining marks
    "\ufeff\u200b\u00a0",
    "-1",
    "-99999999999999999999",
    "99999999999999999999999999",
    "1e309",
    "NaN",
    "\uff11\uff12",  # fullwidth digits
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "' OR 1=1 --",
    "%00",
    "line\r\nSet-Cookie: x=1",
    " ",
]
MARKUP = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>")

JUNK = st.one_of(st.text(), st.sampled_from(HOSTILE))
# The day, month and year boxes of a GOV.UK date: real parts, out of range, huge, junk.
DATE_PART = st.one_of(
    st.integers(min_value=-5, max_value=40).map(str),
    st.integers(min_value=-(10**25), max_value=10**25).map(str),
    st.sampled_from(["", " 7 ", "\u0663", "\uff11\uff12", "1.5", "1e3", "\x00", "9" * 5000]),
    st.text(max_size=12),
)


def _image_bytes(size: tuple[int, int], fmt: str, mode: str) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, 128).save(buffer, format=fmt)
    return buffer.getvalue()


PHOTOS = st.one_of(
    st.builds(
        _image_bytes,
        st.tuples(st.integers(1, 64), st.integers(1, 64)),
        st.sampled_from(["JPEG", "PNG", "GIF", "WEBP"]),
        st.sampled_from(["RGB", "L"]),
    ),
    st.binary(max_size=2048),
    st.sampled_from([b"%PDF-1.4 not an image", _image_bytes((40, 40), "PNG", "RGBA")[:60]]),
).flatmap(
    lambda content: st.builds(
        SimpleUploadedFile,
        st.one_of(
            st.sampled_from(["hand.jpg", "hand.png", "x.exe", "../../etc/passwd"]),
            # Any name a browser could send (Django refuses to even build an upload named "", "." or "..").
            st.text(min_size=1).map(lambda name: name.replace("/", "_")).filter(lambda name: name not in {".", ".."}),
        ),
        st.just(content),
        st.sampled_from(["image/jpeg", "application/octet-stream", "text/html"]),
    )
)


# Parts of a real date, for the examples meant to be valid.
DATE_PART_VALID = (
    st.integers(min_value=1, max_value=28).map(str),
    st.integers(min_value=1, max_value=12).map(str),
    st.integers(min_value=2000, max_value=2100).map(str),
)


def _field_strategies(unbound: forms.BaseForm, *, junk: bool) -> dict:
    strategies = {}
    for name, form_field in unbound.fields.items():
        if isinstance(form_field, GovukDateField):
            parts = (DATE_PART,) * 3 if junk else DATE_PART_VALID
            strategies.update({f"{name}_{index}": part for index, part in enumerate(parts)})
        elif isinstance(form_field, forms.FileField):
            continue  # given by the caller
        else:
            try:
                own = from_field(form_field)
            except ResolutionFailed:
                own = st.nothing()
            strategies[name] = st.one_of(own, JUNK) if junk else own
    return strategies


def fuzzed(form_class: type[forms.BaseForm], form_kwargs: dict | None = None, **overrides):
    """from_form: half the examples from each field's own strategy (so the form's success path is
    reached too), half with every field's value mixed with junk. A GOV.UK date's three boxes are
    drawn separately (from_form names a MultiValueField's parts <name>_0, _1, _2: see post_data)."""
    unbound = form_class(**(form_kwargs or {}))
    return st.one_of(
        from_form(form_class, form_kwargs=form_kwargs, **{**_field_strategies(unbound, junk=False), **overrides}),
        from_form(form_class, form_kwargs=form_kwargs, **{**_field_strategies(unbound, junk=True), **overrides}),
    )


def post_data(form: forms.BaseForm) -> dict:
    """The form's data as a browser sends it: a GOV.UK date's parts under the widget's own names
    (<name>_day, _month, _year) rather than from_form's <name>_0, _1, _2; files alongside."""
    data = dict(form.data)
    for name, form_field in form.fields.items():
        if isinstance(form_field, forms.MultiValueField):
            suffixes = form_field.widget.widgets_names
            for index, suffix in enumerate(suffixes):
                if f"{name}_{index}" in data:
                    data[f"{name}{suffix}"] = data.pop(f"{name}_{index}")
    data = {key: value if isinstance(value, list | SimpleUploadedFile) else str(value) for key, value in data.items()}
    for name, upload in (form.files or {}).items():
        upload.seek(0)
        data[name] = upload
    return data


def clean_directly(form_class: type[forms.BaseForm], data: dict, **form_kwargs) -> None:
    """The form cleans the same data without raising, valid or not."""
    files = {key: value for key, value in data.items() if isinstance(value, SimpleUploadedFile)}
    values = {key: value if isinstance(value, list) else [value] for key, value in data.items() if key not in files}
    form = form_class(
        data=MultiValueDict(values), files=MultiValueDict({k: [v] for k, v in files.items()}), **form_kwargs
    )
    event(f"valid: {form.is_valid()}")  # shown by pytest --hypothesis-show-statistics
    for upload in files.values():
        upload.seek(0)


def assert_handled(response, sent: dict | str = "") -> None:
    """An answer below 500 that does not echo back unescaped any markup that was sent."""
    assert response.status_code < 500, response.status_code
    text = sent if isinstance(sent, str) else " ".join(str(value) for value in sent.values())
    body = response.content.decode(errors="replace") if response.get("Content-Type", "").startswith("text/") else ""
    for markup in MARKUP:
        if markup in text:
            assert markup not in body, "markup echoed back unescaped"


# --- The world the forms need -----------------------------------------------------------------


@dataclass
class World:
    campaign: object
    session: object
    past_session: object
    pledge: object
    delivery: object
    extra: dict = field(default_factory=dict)


def _jpeg() -> SimpleUploadedFile:
    return SimpleUploadedFile("hand.jpg", _image_bytes((64, 48), "JPEG", "RGB"), content_type="image/jpeg")


@pytest.fixture
def world() -> World:
    campaign = CampaignFactory(published=True)
    MomentFactory(campaign=campaign)
    pledge = pledges.pledge_submit(
        campaign=campaign, upload=_jpeg(), first_name="Jo", message="", consent_to_publish=True, confirmed_no_child=True
    )
    Pledge.objects.filter(pk=pledge.pk).update(status=Pledge.Status.APPROVED)
    bulletin = BulletinFactory(status=Bulletin.Status.SENT, audiences=[AudienceFactory()])
    contact = ContactFactory(audiences=list(bulletin.audiences.all()))
    delivery = Delivery.objects.create(bulletin=bulletin, contact=contact, email=contact.email, name=contact.name)
    past = SessionFactory(starts_at=in_days(-2), ends_at=in_days(-2) + datetime.timedelta(hours=2))
    past.booking_deadline = past.starts_at
    past.save()
    return World(campaign=campaign, session=SessionFactory(), past_session=past, pledge=pledge, delivery=delivery)


@pytest.fixture
def web() -> CheckedClient:
    return CheckedClient()


def attended_booking(world: World) -> Booking:
    return BookingFactory(session=world.past_session, attendance=Booking.Attendance.ATTENDED)


def pending_sign_in(client: CheckedClient, *, enrolled: bool) -> None:
    """The password step done, so the code (or enrolment) step's form is reachable."""
    user = UserFactory()
    if enrolled:
        TOTPDeviceFactory(user=user)
    response = client.post(reverse("accounts:sign_in"), {"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302


def set_password_url(client: CheckedClient, user) -> str:
    """Follow a fresh reset link; Django moves the token into the session and redirects."""
    user.refresh_from_db()
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    link = reverse("accounts:password_reset_confirm", args=[uid, default_token_generator.make_token(user)])
    response = client.get(link)
    assert response.status_code == 302
    return response["Location"]


# --- Hypothesis over each form ---------------------------------------------------------------


@FUZZ
@given(form=fuzzed(SignInForm))
def test_sign_in_form(form, web):
    data = post_data(form)
    clean_directly(SignInForm, data)
    assert_handled(web.post(reverse("accounts:sign_in"), data), data)


@FUZZ
@given(form=fuzzed(CodeForm))
def test_sign_in_code_form(form, web):
    if "sessionid" not in web.cookies:
        pending_sign_in(web, enrolled=True)
    data = post_data(form)
    clean_directly(CodeForm, data)
    assert_handled(web.post(reverse("accounts:sign_in_code"), data), data)


@FUZZ
@given(form=fuzzed(EnrolForm))
def test_enrol_form(form, web):
    if "sessionid" not in web.cookies:
        pending_sign_in(web, enrolled=False)
    data = post_data(form)
    clean_directly(EnrolForm, data)
    assert_handled(web.post(reverse("accounts:two_factor_setup"), data), data)


@FUZZ
@given(form=fuzzed(HubPasswordResetForm))
def test_password_reset_form(form, web):
    data = post_data(form)
    clean_directly(HubPasswordResetForm, data)
    assert_handled(web.post(reverse("accounts:password_reset"), data), data)


@pytest.fixture
def reset_user():
    return UserFactory()


@FUZZ
@given(data=st.data())
def test_set_password_form(data, web, reset_user):
    form = data.draw(fuzzed(HubSetPasswordForm, form_kwargs={"user": reset_user}))
    sent = post_data(form)
    if data.draw(st.booleans()):  # the two boxes agree, so the password's own checks are reached
        sent["new_password2"] = sent["new_password1"]
    clean_directly(HubSetPasswordForm, sent, user=reset_user)
    assert_handled(web.post(set_password_url(web, reset_user), sent), sent)


@FUZZ
@given(form=fuzzed(SessionFilterForm))
def test_session_filter_form(form, web):
    data = post_data(form)
    clean_directly(SessionFilterForm, data)
    assert_handled(web.get(reverse("training:session_list"), data), data)


@FUZZ
@given(form=fuzzed(BookingForm))
def test_booking_form(form, web, world):
    data = post_data(form)
    clean_directly(BookingForm, data)
    assert_handled(web.post(reverse("training:session_detail", args=[world.session.pk]), data), data)


@FUZZ
@given(form=fuzzed(FeedbackForm))
def test_feedback_form(form, web, world):
    data = post_data(form)
    clean_directly(FeedbackForm, data)
    booking = attended_booking(world)
    assert_handled(web.post(reverse("training:feedback", args=[booking.token]), data), data)


@FUZZ
@given(form=fuzzed(CertificateCheckForm))
def test_certificate_check_form(form, web):
    data = post_data(form)
    clean_directly(CertificateCheckForm, data)
    assert_handled(web.get(reverse("training:certificate_verify"), data), data)


@FUZZ
@given(form=fuzzed(TrainingRequestForm))
def test_training_request_form(form, web):
    data = post_data(form)
    clean_directly(TrainingRequestForm, data)
    assert_handled(web.post(reverse("training:training_request"), data), data)


@FUZZ
@given(form=fuzzed(SupporterForm))
def test_supporter_form(form, web, world):
    data = post_data(form)
    clean_directly(SupporterForm, data)
    assert_handled(web.post(reverse("social:moment", args=[world.campaign.slug]), data), data)


@FUZZ
@given(form=fuzzed(PledgeForm, photo=PHOTOS))
def test_pledge_form(form, web, world):
    data = post_data(form)
    clean_directly(PledgeForm, data)
    assert_handled(web.post(reverse("social:pledge_create", args=[world.campaign.slug]), data), data)


@FUZZ
@given(form=fuzzed(PledgeReportForm))
def test_pledge_report_form(form, web, world):
    Pledge.objects.filter(pk=world.pledge.pk).update(hidden_by_report=False)  # a report hides it
    data = post_data(form)
    clean_directly(PledgeReportForm, data)
    assert_handled(web.post(reverse("social:pledge_report", args=[world.pledge.pk]), data), data)


@FUZZ
@given(value=JUNK, everything=st.booleans())
def test_unsubscribe_page(value, everything, web, world):
    url = reverse("broadcasts:unsubscribe", args=[world.delivery.token])
    assert_handled(web.get(url, {"from": value}), value)
    assert_handled(web.post(url, {"from": "everything" if everything else value}), value)


# --- Hand-picked hostile values, one field at a time ------------------------------------------


@dataclass
class Target:
    """A public form at its address, with data it accepts; each field in turn gets each hostile value."""

    form_class: type[forms.BaseForm]
    method: str
    url: Callable[[World, CheckedClient], str]
    valid: dict
    setup: Callable[[World, CheckedClient], object] = lambda world, client: None  # once
    prepare: Callable[[World, CheckedClient], object] = lambda world, client: None  # before each request


TARGETS = {
    "sign_in": Target(
        SignInForm, "post", lambda w, c: reverse("accounts:sign_in"), {"email": "a@example.org", "password": "x"}
    ),
    "sign_in_code": Target(
        CodeForm,
        "post",
        lambda w, c: reverse("accounts:sign_in_code"),
        {"code": "123456"},
        setup=lambda w, c: pending_sign_in(c, enrolled=True),
    ),
    "enrol": Target(
        EnrolForm,
        "post",
        lambda w, c: reverse("accounts:two_factor_setup"),
        {"code": "123456"},
        setup=lambda w, c: pending_sign_in(c, enrolled=False),
    ),
    "password_reset": Target(
        HubPasswordResetForm, "post", lambda w, c: reverse("accounts:password_reset"), {"email": "a@example.org"}
    ),
    "set_password": Target(
        HubSetPasswordForm,
        "post",
        lambda w, c: set_password_url(c, w.extra["reset_user"]),
        {"new_password1": "a long and unusual pass phrase", "new_password2": "a long and unusual pass phrase"},
        setup=lambda w, c: w.extra.setdefault("reset_user", UserFactory()),
    ),
    "session_filter": Target(
        SessionFilterForm,
        "get",
        lambda w, c: reverse("training:session_list"),
        {
            "audience": "Taxi drivers",
            "mode": "online",
            "from_date_day": "1",
            "from_date_month": "2",
            "from_date_year": "2030",
        },
    ),
    "booking": Target(
        BookingForm,
        "post",
        lambda w, c: reverse("training:session_detail", args=[w.session.pk]),
        {"name": "Sam Taylor", "email": "sam@example.org", "sector": "business", "job_role": "Driver"},
    ),
    "feedback": Target(
        FeedbackForm,
        "post",
        lambda w, c: reverse("training:feedback", args=[attended_booking(w).token]),
        {"confidence_before": "2", "confidence_after": "4", "most_useful": "All of it"},
    ),
    "certificate_check": Target(
        CertificateCheckForm, "get", lambda w, c: reverse("training:certificate_verify"), {"code": "7KQ2-M9XD-4HTR"}
    ),
    "training_request": Target(
        TrainingRequestForm,
        "post",
        lambda w, c: reverse("training:training_request"),
        {
            "business_type": "taxi",
            "business_name": "Seaside Taxis",
            "area": "Crawley",
            "reason": "Drivers asked.",
            "contact_name": "Sam",
            "contact_email": "sam@example.org",
        },
    ),
    "supporter": Target(
        SupporterForm,
        "post",
        lambda w, c: reverse("social:moment", args=[w.campaign.slug]),
        {"first_name": "Sam", "email": "sam@example.org", "x_handle": "@sam", "x_followers": "250"},
    ),
    "pledge": Target(
        PledgeForm,
        "post",
        lambda w, c: reverse("social:pledge_create", args=[w.campaign.slug]),
        {"first_name": "Jo", "message": "I pledge", "consent_to_publish": "on", "confirmed_no_child": "on"},
    ),
    "pledge_report": Target(
        PledgeReportForm,
        "post",
        lambda w, c: reverse("social:pledge_report", args=[w.pledge.pk]),
        {"reason": "A school badge"},
        prepare=lambda w, c: Pledge.objects.filter(pk=w.pledge.pk).update(hidden_by_report=False),
    ),
}


def _form_kwargs(target: Target) -> dict:
    return {"user": UserFactory.build()} if target.form_class is HubSetPasswordForm else {}


@pytest.mark.parametrize("name", TARGETS)
def test_the_data_each_hostile_value_goes_into_is_valid(name):
    """So each hostile value below is the only thing wrong with what is sent."""
    target = TARGETS[name]
    files = {"photo": _jpeg()} if target.form_class is PledgeForm else None
    form = target.form_class(data=target.valid, files=files, **_form_kwargs(target))
    assert form.is_valid(), form.errors


def _field_names(target: Target) -> list[str]:
    names = []
    for name, form_field in target.form_class(**_form_kwargs(target)).fields.items():
        if isinstance(form_field, forms.MultiValueField):
            names += [f"{name}{suffix}" for suffix in form_field.widget.widgets_names]
        elif not isinstance(form_field, forms.FileField):
            names.append(name)
    return names


@pytest.mark.parametrize("name", TARGETS)
def test_hostile_values_in_each_field(name, web, world):
    target = TARGETS[name]
    target.setup(world, web)
    for field_name in _field_names(target):
        for value in HOSTILE:
            target.prepare(world, web)
            data = {**target.valid, field_name: value}
            if target.form_class is PledgeForm:
                data["photo"] = _jpeg()
            send = getattr(web, target.method)
            assert_handled(send(target.url(world, web), data), value)


TOKEN_PAGES = [
    "training:booking_status",
    "training:booking_cancel",
    "training:offer_accept",
    "training:feedback",
    "training:certificate_pdf",
    "social:supporter_status",
    "social:supporter_withdraw",
    "broadcasts:unsubscribe",
]


@pytest.mark.parametrize("name", TOKEN_PAGES)
def test_hostile_tokens_in_public_links(name, web):
    """The secret in a public link (a booking's, a supporter's, a bulletin delivery's) is part of
    the address: whatever it is, the answer is a page, never a failure."""
    for value in HOSTILE:
        url = reverse(name, args=["TOKEN"]).replace("TOKEN", quote(value, safe=""))
        assert_handled(web.get(url), value)
        assert_handled(web.post(url, {}), value)


def test_hostile_tokens_in_the_one_click_unsubscribe(web):
    for value in HOSTILE:
        url = reverse("broadcasts:unsubscribe_one_click", args=["TOKEN"]).replace("TOKEN", quote(value, safe=""))
        assert_handled(web.post(url, {"List-Unsubscribe": "One-Click"}), value)


# --- Every public form is fuzzed ----------------------------------------------------------------

PUBLIC_FORMS = {
    "hub.accounts.forms.SignInForm",
    "hub.accounts.forms.CodeForm",
    "hub.accounts.forms.EnrolForm",
    "hub.accounts.forms.HubPasswordResetForm",
    "hub.accounts.forms.HubSetPasswordForm",
    "hub.social.forms.SupporterForm",
    "hub.social.forms.PledgeForm",
    "hub.social.forms.PledgeReportForm",
    "hub.training.forms.BookingForm",
    "hub.training.forms.SessionFilterForm",
    "hub.training.forms.FeedbackForm",
    "hub.training.forms.CertificateCheckForm",
    "hub.training.forms.TrainingRequestForm",
}
STAFF_FORMS = {  # behind staff_required: fuzzed by nobody here
    "hub.accounts.forms.ApiTokenForm",
    "hub.broadcasts.forms.ContactForm",
    "hub.broadcasts.forms.AudienceForm",
    "hub.broadcasts.forms.SuppressionForm",
    "hub.broadcasts.forms.ImportUploadForm",
    "hub.broadcasts.forms.SeriesForm",
    "hub.broadcasts.forms.BulletinForm",
    "hub.broadcasts.forms.BriefingSendForm",
    "hub.campaigns.forms.CampaignForm",
    "hub.campaigns.forms.ChannelForm",
    "hub.campaigns.forms.ResourceForm",
    "hub.reports.forms.DashboardFilterForm",
    "hub.screening.forms.ScreeningForm",
    "hub.screening.forms.CategoryChangeForm",
    "hub.screening.forms.HubDecisionForm",
    "hub.screening.forms.LoweringDecisionForm",
    "hub.social.forms.SuggestedPostForm",
    "hub.social.forms.MomentForm",
    "hub.social.forms.PledgeModerationForm",
    "hub.social.forms.SocialAccountForm",
    "hub.social.forms.ScheduledPostForm",
    "hub.training.forms.CourseForm",
    "hub.training.forms.SessionForm",
    "hub.training.forms.RegisterForm",
    "hub.training.forms.SessionMessageForm",
    "hub.training.forms.SessionCancelForm",
    "hub.training.forms.TriageForm",
    "hub.training.forms.ReportFilterForm",
}


def test_every_form_is_either_fuzzed_here_or_for_staff_only():
    """A new form must be placed in one list or the other; a public one gets a test above."""
    found = set()
    for module_info in pkgutil.iter_modules(hub.__path__):
        try:
            module = importlib.import_module(f"hub.{module_info.name}.forms")
        except ModuleNotFoundError:
            continue
        found |= {
            f"{module.__name__}.{name}"
            for name, value in vars(module).items()
            if isinstance(value, type) and issubclass(value, forms.BaseForm) and value.__module__ == module.__name__
        }
    assert found == PUBLIC_FORMS | STAFF_FORMS
    fuzzed_here = {f"{target.form_class.__module__}.{target.form_class.__name__}" for target in TARGETS.values()}
    assert fuzzed_here == PUBLIC_FORMS
