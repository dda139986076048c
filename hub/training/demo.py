"""Demo training from the seed briefing: the free 2-hour session of Thursday
15 March 2018, and a few future sessions of the same course so the demo has
something to book."""

import datetime

from django.utils import timezone

from hub.accounts.models import Organisation, Sector, User
from hub.campaigns.models import Campaign
from hub.training.attendance import certificate_issue
from hub.training.models import Booking, BusinessType, Course, Session, TrainingRequest

COURSE = {
    "title": "An Introduction to Child Sexual Exploitation, Radicalisation and Extremism",
    "summary": "A free 2-hour introductory session raising awareness of child sexual exploitation (CSE), "
    "radicalisation and extremism, open to anyone working with, or around, young people.",
    "topics": [
        "Explanations of CSE and the Prevent Agenda, including ways in which young people may be exploited",
        "Understanding vulnerability and risk",
        "Myths and stereotypes",
        "Online safety and technology",
        "Dealing with disclosures and the reporting process",
        "Spotting possible signs of grooming and radicalisation: push and pull factors",
        "Links to absconding and young people going missing",
        "Trafficking",
        "CSE and boys",
        "Understanding consent, including the law",
        "The work of the children's charity delivering the session",
    ],
    "duration_minutes": 120,
    "target_audiences": [
        "Youth and community groups",
        "Midwives and health visitors",
        "Volunteers and sessional workers",
        "Social workers: trainee or newly qualified",
        "Non-specialist counselling staff",
        "Foster carers",
        "Teachers and teaching assistants",
        "Staff from children's centres and residential units",
    ],
}

VENUE = {
    "venue_name": "Partnership Training Centre, Room 1",
    "venue_address": "1 Example Road\nSeaside Town\nAB1 2CD",
    "accessibility_info": "Step-free access from the main entrance; hearing loop; accessible toilets.",
}


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def demo_training_load() -> list[Session]:
    """Create or refresh the demo course and sessions; safe to run again."""
    provider = Organisation.objects.filter(name="Children's Charity Partnership Project").first()
    trainer = User.objects.filter(email="training@partnership.example.org").first()
    course, _ = Course.objects.update_or_create(
        slug="intro-cse-radicalisation-extremism",
        defaults={**COURSE, "provider": provider, "campaign": Campaign.objects.filter(slug="cseday18").first()},
    )
    seed_day = datetime.date(2018, 3, 15)
    plans = [(seed_day, Session.Mode.IN_PERSON, 30)]
    today = timezone.localdate()
    # Future sessions at offsets from the day the demo is first loaded; a later
    # run (on another day) keeps those rather than adding more.
    has_upcoming = course.sessions.filter(starts_at__gt=timezone.now()).exists()
    plans += (
        []
        if has_upcoming
        else [
            (today + datetime.timedelta(days=14), Session.Mode.IN_PERSON, 30),
            (today + datetime.timedelta(days=28), Session.Mode.ONLINE, 50),
            (today + datetime.timedelta(days=42), Session.Mode.IN_PERSON, 20),
        ]
    )
    # One session earlier this year that has taken place, with a register, so the
    # reports and certificates have something to show.
    recent_sessions = course.sessions.filter(
        starts_at__gte=timezone.now() - datetime.timedelta(days=90), ends_at__lt=timezone.now()
    )
    if not recent_sessions.exists():
        plans.append((today - datetime.timedelta(days=21), Session.Mode.IN_PERSON, 30))
    for day, mode, capacity in plans:
        starts_at = _at(day, 10)
        defaults = {
            "ends_at": _at(day, 12),
            "mode": mode,
            "capacity": capacity,
            "booking_deadline": _at(day - datetime.timedelta(days=1), 17),
            "trainer": trainer,
            **(VENUE if mode == Session.Mode.IN_PERSON else {"joining_link": "https://meet.example.org/cse-intro"}),
        }
        Session.objects.update_or_create(course=course, starts_at=starts_at, defaults=defaults)
    recent = recent_sessions.first()
    if recent is not None and not recent.bookings.exists():
        _demo_register(recent)
    _demo_requests()
    return list(course.sessions.all())


# Fictional delegates of the past demo session: (sector, business type, job role, attended).
DELEGATES = [
    (Sector.BUSINESS, BusinessType.TAXI, "Taxi driver", True),
    (Sector.BUSINESS, BusinessType.TAXI, "Taxi driver", True),
    (Sector.BUSINESS, BusinessType.TAXI, "Private hire operator", True),
    (Sector.BUSINESS, BusinessType.HOTEL, "Hotel receptionist", True),
    (Sector.BUSINESS, BusinessType.HOTEL, "Night manager", True),
    (Sector.BUSINESS, BusinessType.FAST_FOOD, "Shift manager", True),
    (Sector.BUSINESS, BusinessType.ARCADE, "Arcade attendant", False),
    (Sector.SCHOOL, "", "Teaching assistant", True),
    (Sector.SCHOOL, "", "Designated safeguarding lead", True),
    (Sector.SCHOOL, "", "Teacher", True),
    (Sector.HEALTH, "", "Health visitor", True),
    (Sector.HEALTH, "", "School nurse", False),
    (Sector.VOLUNTARY, "", "Youth worker", True),
    (Sector.VOLUNTARY, "", "Sessional worker", True),
    (Sector.COUNCIL, "", "Parks and foreshore officer", True),
    (Sector.COUNCIL, "", "Leisure centre duty manager", True),
    (Sector.CHILDRENS_SOCIAL_CARE, "", "Foster carer", True),
    (Sector.CHILDRENS_SOCIAL_CARE, "", "Newly qualified social worker", True),
]
ORGANISATIONS = {
    BusinessType.TAXI: "Seaside Cars",
    BusinessType.HOTEL: "Promenade Hotel",
    BusinessType.FAST_FOOD: "Harbour Takeaway",
    BusinessType.ARCADE: "Pier Amusements",
}


def _demo_register(session: Session) -> None:
    for number, (sector, business_type, job_role, attended) in enumerate(DELEGATES, start=1):
        booking = Booking.objects.create(
            session=session,
            name=f"Demo Delegate {number}",
            email=f"delegate{number}@demo.example.org",
            organisation_name=ORGANISATIONS.get(business_type, f"Demo {Sector(sector).label}"),
            sector=sector,
            job_role=job_role,
            business_type=business_type,
            status=Booking.Status.CONFIRMED,
            attendance=Booking.Attendance.ATTENDED if attended else Booking.Attendance.NO_SHOW,
            attendance_marked_at=session.starts_at,
            # The demo does not email its fictional delegates afterwards.
            feedback_requested_at=session.ends_at,
        )
        if attended:
            certificate_issue(booking)


def _demo_requests() -> None:
    """Suggestions in the spirit of the seed's "who else should be included?"."""
    TrainingRequest.objects.get_or_create(
        business_name="Seaside Bowl",
        defaults={
            "business_type": BusinessType.BOWLING,
            "area": "Seaside Town",
            "contact_name": "Centre manager",
            "contact_email": "manager@seaside-bowl.example.org",
            "reason": "Groups of young people come in after school and some are met by older adults.",
        },
    )
    TrainingRequest.objects.get_or_create(
        business_name="Station Cinema",
        defaults={
            "business_type": BusinessType.CINEMA,
            "area": "Seaside Town",
            "contact_name": "Duty manager",
            "contact_email": "duty@station-cinema.example.org",
            "reason": "Staff asked what to do about a child who seemed to be with an adult they did not know.",
            "status": TrainingRequest.Status.CONTACTED,
        },
    )
