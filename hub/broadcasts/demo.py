"""Demo broadcasts: partner audiences, a few fictional contacts at role mailboxes, and
the "CSE Awareness Week" series of the CSEDay18 campaign.

The "Training & Guidance" bulletin is the seed's daily broadcast (shared/seeds/
cseday-daily-broadcast.txt) written as Markdown, its content kept; the named people
and their contact details are replaced by the hub's role mailbox. "Schools Resources"
is the next day's bulletin the seed promises, written from the briefing's themes.
"""

import datetime

from django.db import transaction
from django.utils.text import slugify

from hub.accounts.models import Sector
from hub.broadcasts.models import Audience, Bulletin, Contact, LawfulBasis, Series
from hub.campaigns.models import Campaign

HUB_MAILBOX = "cse-hub@partnership.example.org"

AUDIENCES = {
    "Schools": "Designated safeguarding leads and safeguarding teams in schools and colleges.",
    "Community Safety Partnerships and JAGs": "Community safety partnerships and joint action groups.",
    "Elected Members": "County, district and borough councillors.",
    "Frontline staff": "Practitioners working with children, young people and families.",
}

CONTACTS = [
    {
        "name": "Designated Safeguarding Lead, Oakfield Primary School",
        "email": "safeguarding@oakfield-primary.example.org",
        "organisation": "Oakfield Primary School",
        "sector": Sector.SCHOOL,
        "role": "Designated safeguarding lead",
        "lawful_basis": LawfulBasis.PUBLIC_TASK,
        "audiences": ["Schools"],
    },
    {
        "name": "Safeguarding Team, Harbourside Academy",
        "email": "safeguarding@harbourside-academy.example.org",
        "organisation": "Harbourside Academy",
        "sector": Sector.SCHOOL,
        "role": "Safeguarding team",
        "lawful_basis": LawfulBasis.PUBLIC_TASK,
        "audiences": ["Schools"],
    },
    {
        "name": "Community Safety Partnership Coordinator",
        "email": "community-safety@coastal-district.example.org",
        "organisation": "Coastal District Council",
        "sector": Sector.COUNCIL,
        "role": "Community safety partnership coordinator",
        "lawful_basis": LawfulBasis.PUBLIC_TASK,
        "audiences": ["Community Safety Partnerships and JAGs"],
    },
    {
        "name": "Northern Towns Joint Action Group",
        "email": "jag@northern-towns.example.org",
        "organisation": "Northern Towns Joint Action Group",
        "sector": Sector.OTHER,
        "role": "Group mailbox",
        "lawful_basis": LawfulBasis.LEGITIMATE_INTERESTS,
        "audiences": ["Community Safety Partnerships and JAGs"],
    },
    {
        "name": "Members' Services",
        "email": "members@county-council.example.org",
        "organisation": "County Council",
        "sector": Sector.COUNCIL,
        "role": "Members' services team",
        "lawful_basis": LawfulBasis.PUBLIC_TASK,
        "audiences": ["Elected Members"],
    },
    {
        "name": "Children's Services Duty Team",
        "email": "duty-team@childrens-services.example.org",
        "organisation": "County Council Children's Services",
        "sector": Sector.CHILDRENS_SOCIAL_CARE,
        "role": "Duty team",
        "lawful_basis": LawfulBasis.PUBLIC_TASK,
        "audiences": ["Frontline staff"],
    },
    {
        "name": "Youth Service Managers",
        "email": "youth-service@county-council.example.org",
        "organisation": "County Council Youth Service",
        "sector": Sector.COUNCIL,
        "role": "Youth service managers",
        "lawful_basis": LawfulBasis.LEGITIMATE_INTERESTS,
        "audiences": ["Frontline staff"],
    },
    {
        "name": "Safeguarding in Education Team",
        "email": "safeguarding-education@county-council.example.org",
        "organisation": "County Council",
        "sector": Sector.COUNCIL,
        "role": "Safeguarding in education advisers",
        "lawful_basis": LawfulBasis.PUBLIC_TASK,
        "audiences": ["Schools", "Frontline staff"],
    },
]

SERIES_SLUG = "cse-awareness-week-2018"

TRAINING_AND_GUIDANCE = f"""\
Child Sexual Exploitation Awareness Day is Sunday 18 March, and all this week we are sharing daily
insights and useful resources on a range of topics related to child abuse and the exploitation of
young people.

Child sexual exploitation (CSE) is a crime with devastating and long-lasting consequences for its
victims and their families. We know that CSE is happening in West Sussex, that it can happen to any
child or young person, both online and offline, and that both victims and abusers can be male or
female.

Together we can stop CSE, and we all have a responsibility to say something if we see something.
Please support our fight against CSE by sharing these important messages and resources.

A full range of resources can be found at [www.westsussex.gov.uk/CSE](https://www.westsussex.gov.uk/cse).

Today we share the latest updates and information about training and professional guidance.

## National and local procedures and guidance update (for frontline staff)

1. The Department for Education published *Child sexual exploitation: definition and a guide for
   practitioners* last month.
2. Local CSE procedures are being finalised and will be reissued shortly. In the meantime, here is
   the **new** local flow chart, which includes details of the risk categories. It is linked below
   and is also available to download via the learning gateway.

## CSE screening tool

For us to know and understand our profile of children who have been identified as at risk of CSE,
it is vital that the CSE Screening and Risk Assessment Tool is used. Please make sure you complete
and share the tool as directed if you are concerned about any child being at risk.

## New investment

A series of training sessions has already been completed by frontline staff and those working with
young people. However, the community are also our "eyes and ears" and can play an important part in
helping to tackle CSE.

The children's charity Barnardo's has received partnership funding to run awareness-raising
sessions with key industries and members of the community. Parks and foreshore officers, leisure
centre staff and those working in coffee shops, fast-food outlets, bowling alleys, amusement
arcades, cinemas and other popular places will be offered free training.

If you have any ideas about who else should be included in the free training sessions, please email
your suggestions to [{HUB_MAILBOX}](mailto:{HUB_MAILBOX}).

## Introducing

A Missing and Exploitation Coordinator is now in post. If you have any questions about the new
procedures or the screening tool, contact the exploitation hub at
[{HUB_MAILBOX}](mailto:{HUB_MAILBOX}).

Look out for tomorrow's bulletin, which focuses on **schools resources**.

Kind regards,

The learning and development team, Safeguarding Children Partnership
"""

SCHOOLS_RESOURCES = f"""\
Child Sexual Exploitation Awareness Day is Sunday 18 March. Today's bulletin is for schools and
colleges: resources to help staff, pupils and parents recognise child sexual exploitation (CSE) and
know how to report it.

Schools are often the first to notice that something is wrong. A pupil who starts missing lessons,
has unexplained gifts or money, a new older "boyfriend" or "girlfriend", or a second phone may be
being groomed, online or in person.

## For staff

- The Department for Education's *definition and guide for practitioners* explains what CSE is,
  its signs and how to respond. It is linked below.
- The local flow chart shows what to do when you are worried about a child, with the risk
  categories of the CSE Screening and Risk Assessment Tool.
- There are still places on *An Introduction to Child Sexual Exploitation, Radicalisation and
  Extremism*, a free two-hour session on Thursday 15 March run with Barnardo's. It is particularly
  useful for teachers and teaching assistants.

## For parents and carers

Please share our *Guide to keeping your child safe online* in your newsletter or on your website.
It gives practical steps on apps and games, and on talking with children about the risks.

## For pupils

Invite pupils to write a personal pledge on their hand and share a picture with **#HelpingHands**
and **#StandAgainstCSE**, and join the conversation on **#CSEDay18**.

## How to report a concern

- If a child is in immediate danger, call 999.
- Otherwise, call Sussex Police on 101 and quote *Operation Kite*.
- Missing People's free and confidential line is 116000 (call or text), or email
  [116000@missingpeople.org.uk](mailto:116000@missingpeople.org.uk).
- Follow your school's safeguarding procedures and tell your designated safeguarding lead.

Questions about these resources? Email the exploitation hub at [{HUB_MAILBOX}](mailto:{HUB_MAILBOX}).

Kind regards,

The learning and development team, Safeguarding Children Partnership
"""

BULLETINS = [
    {
        "day": datetime.date(2018, 3, 13),
        "topic": "Training & Guidance",
        "subject": "CSE Awareness Week: training and guidance",
        "body_markdown": TRAINING_AND_GUIDANCE,
        "audiences": ["Frontline staff", "Community Safety Partnerships and JAGs", "Elected Members"],
        "resources": [
            "Child sexual exploitation: definition and guide for practitioners",
            "Local CSE flow chart and risk categories",
        ],
    },
    {
        "day": datetime.date(2018, 3, 14),
        "topic": "Schools Resources",
        "subject": "CSE Awareness Week: resources for schools",
        "body_markdown": SCHOOLS_RESOURCES,
        "audiences": ["Schools"],
        "resources": [
            "Child sexual exploitation: definition and guide for practitioners",
            "Local CSE flow chart and risk categories",
            "Guide to keeping your child safe online",
        ],
    },
]


def demo_broadcasts_load() -> Series:
    """Create or refresh the demo audiences, contacts and series; safe to run again.
    A demo bulletin that has started sending is left as it is."""
    campaign = Campaign.objects.filter(slug="cseday18").first()
    if campaign is None:
        from hub.campaigns.demo import demo_campaigns_load

        campaign = demo_campaigns_load()[0]
    with transaction.atomic():
        audiences = {}
        for name, description in AUDIENCES.items():
            audiences[name], _ = Audience.objects.update_or_create(
                slug=slugify(name), defaults={"name": name, "description": description}
            )
        for fields in CONTACTS:
            fields = dict(fields)
            names = fields.pop("audiences")
            contact, _ = Contact.objects.update_or_create(email=fields["email"], defaults=fields)
            contact.audiences.set([audiences[name] for name in names])
        series, _ = Series.objects.update_or_create(
            slug=SERIES_SLUG,
            defaults={
                "name": "CSE Awareness Week",
                "campaign": campaign,
                "description": "A bulletin a day to partners in the week before CSE Awareness Day, 18 March 2018.",
            },
        )
        for fields in BULLETINS:
            fields = dict(fields)
            audience_names, resource_titles = fields.pop("audiences"), fields.pop("resources")
            bulletin = series.bulletins.filter(day=fields["day"]).first() or Bulletin(series=series)
            if bulletin.status in Bulletin.LOCKED:
                continue
            for name, value in fields.items():
                setattr(bulletin, name, value)
            bulletin.save()
            bulletin.audiences.set([audiences[name] for name in audience_names])
            bulletin.resources.set(campaign.resources.filter(title__in=resource_titles))
    return series
