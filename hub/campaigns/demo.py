"""The CSEDay18 demo campaign, from the seed briefing (shared/seeds/).

Content is the seed's, or written in our own words from the DfE guide; the
point of contact is a team mailbox at an example domain, never a named person.
"""

import datetime

from django.core.files.base import ContentFile
from django.utils import timezone

from hub.campaigns.models import Audience, Campaign, ReportingChannel, Resource

ABOUT_CSE = (
    "Child sexual exploitation (CSE) is a form of child sexual abuse. It happens when a person or group takes "
    "advantage of an imbalance of power to coerce, manipulate or deceive a child or young person under 18 into "
    "sexual activity, in exchange for something the child needs or wants, or for the gain of the person who "
    "exploits them. A child can be exploited even when the activity seems consensual, and it can happen online "
    "as well as in person.\n\n"
    "CSE can happen to any child or young person, boys as well as girls, in every community. Victims and abusers "
    "can be male or female. It is a crime with devastating and long-lasting consequences for victims and their "
    "families, and it is happening here."
)

WARNING_SIGNS = "\n".join(
    [
        "Going missing from home, care or school, or coming home late",
        "Unexplained gifts, money, phones, clothes or alcohol",
        "An older boyfriend or girlfriend, or an adult who seems to control them",
        "Getting into cars with adults the family does not know",
        "Being seen at hotels, takeaways, parties or other places with older people",
        "Secretive contact with people online or a second phone",
        "Sexual health problems or pregnancy",
        "Missing school, or a sudden drop in school work",
        "Drinking alcohol or taking drugs",
        "Changes in mood, behaviour, appearance or friends",
        "Friends who are being exploited",
    ]
)

LOCAL_COMMITMENT = (
    "The national theme fits our local commitment to community safeguarding through prevention, disruption and "
    "intervention. Community safeguarding helps children to have the best start in life by protecting them from "
    "potential risks; healthy and resilient children grow into thriving adults. Supporting awareness raising and "
    "prevention activity such as CSEDay18 helps our residents and businesses recognise and respond to child "
    "sexual exploitation."
)

CHANNELS = [
    {
        "label": "Police: emergency",
        "phone": "999",
        "when_to_use": "A child is in immediate danger or a crime is happening now.",
        "is_emergency": True,
    },
    {
        "label": "Police: non-emergency, quoting Operation Kite",
        "phone": "101",
        "when_to_use": "To report a concern about child sexual exploitation. Quote Operation Kite so your report "
        "reaches the team that deals with exploitation.",
    },
    {
        "label": "Missing People: free and confidential",
        "phone": "116000",
        "text_number": "116000",
        "email": "116000@missingpeople.org.uk",
        "url": "https://www.missingpeople.org.uk/",
        "when_to_use": "A child or young person has gone missing, or you need advice. Free to call or text, "
        "24 hours a day.",
    },
    {
        "label": "The council's child sexual exploitation page",
        "url": "https://www.westsussex.gov.uk/cse",
        "when_to_use": "Information for parents, carers and professionals on recognising and reporting CSE.",
    },
]

LINK_RESOURCES = [
    {
        "title": "Child sexual exploitation: definition and guide for practitioners",
        "summary": "The Department for Education's guide to the definition of CSE, its signs and how to respond.",
        "url": "https://www.gov.uk/government/publications/child-sexual-exploitation-definition-and-guide-for-practitioners",
        "audiences": [Audience.PROFESSIONALS, Audience.SCHOOLS],
    },
    {
        "title": "Guide to keeping your child safe online",
        "summary": "Practical steps for parents and carers on apps, games and talking with children about risks.",
        "url": "https://www.partnership.example.org/resources/keeping-your-child-safe-online",
        "audiences": [Audience.PARENTS_CARERS],
    },
    {
        "title": "Community safeguarding toolkit",
        "summary": "For businesses and community groups: spotting the signs of exploitation and what to do.",
        "url": "https://www.partnership.example.org/resources/community-safeguarding-toolkit",
        "audiences": [Audience.BUSINESSES],
    },
    {
        "title": "CSE guide for elected members",
        "summary": "What councillors need to know about child sexual exploitation in their wards.",
        "url": "https://www.partnership.example.org/resources/cse-guide-for-elected-members",
        "audiences": [Audience.ELECTED_MEMBERS],
    },
]

FLOW_CHART_TITLE = "Local CSE flow chart and risk categories"


def _flow_chart_pdf() -> bytes:
    """A one-page PDF standing in for the local flow chart download."""
    lines = [
        "Local CSE flow chart (demo)",
        "1. Concern about a child: complete the CSE Screening and Risk Assessment Tool.",
        "2. Category 0 No current CSE concern: record and keep under review.",
        "3. Category 1 At risk: share with the exploitation hub; plan with the child and family.",
        "4. Category 2 Significant risk: strategy discussion with police and children's services.",
        "5. Category 3 Serious risk: immediate strategy meeting; child protection procedures.",
        "If a child is in immediate danger, call 999.",
    ]
    text = "BT /F1 12 Tf 50 780 Td 16 TL " + " ".join(f"({line}) '" for line in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(text)} >>\nstream\n{text}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def demo_campaigns_load() -> list[Campaign]:
    """Create or refresh the CSEDay18 campaign; safe to run again."""
    campaign, _ = Campaign.objects.update_or_create(
        slug="cseday18",
        defaults={
            "name": "Child Sexual Exploitation Awareness Day 2018",
            "summary": "On 18 March we join organisations across the country to inform, educate and prevent "
            "child sexual exploitation.",
            "awareness_day": datetime.date(2018, 3, 18),
            "starts_on": datetime.date(2018, 3, 12),
            "ends_on": datetime.date(2018, 3, 18),
            "theme": "Working together to inform, educate and prevent child sexual exploitation within the UK.",
            "local_commitment": LOCAL_COMMITMENT,
            "hashtags": ["CSEDay18", "StandAgainstCSE", "HelpingHands"],
            "about_cse": ABOUT_CSE,
            "warning_signs": WARNING_SIGNS,
            "contact_name": "Safeguarding partnership campaigns team",
            "contact_email": "campaigns@partnership.example.org",
            "status": Campaign.Status.PUBLISHED,
        },
    )
    if campaign.published_at is None:
        campaign.published_at = timezone.now()
        campaign.save(update_fields=["published_at"])
    for position, channel in enumerate(CHANNELS):
        ReportingChannel.objects.update_or_create(
            campaign=campaign, label=channel["label"], defaults={**channel, "position": position}
        )
    for position, resource in enumerate(LINK_RESOURCES):
        Resource.objects.update_or_create(
            campaign=campaign, title=resource["title"], defaults={**resource, "position": position}
        )
    if not campaign.resources.filter(title=FLOW_CHART_TITLE).exists():
        content = _flow_chart_pdf()
        flow_chart = Resource(
            campaign=campaign,
            title=FLOW_CHART_TITLE,
            summary="What to do when you are worried about a child, with the four risk categories of the "
            "screening tool.",
            audiences=[Audience.PROFESSIONALS, Audience.SCHOOLS],
            file_name="local-cse-flow-chart.pdf",
            file_type="pdf",
            file_size=len(content),
            position=len(LINK_RESOURCES),
        )
        flow_chart.file.save("local-cse-flow-chart.pdf", ContentFile(content), save=False)
        flow_chart.save()
    return [campaign]
