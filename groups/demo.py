"""Realistic demo data: metro areas and rural counties, online groups, demo accounts.

Deterministic (a seeded random generator) and fast (bulk inserts; occurrences
are materialized by the same service the beat job uses).
"""

import datetime as dt
import random
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from accounts.models import Membership, Organization, User
from groups import geo
from groups.geocoding import gazetteer
from groups.models import Group, Location, Schedule
from groups.services import occurrences_refresh

# (area, centre city, state, IANA zone, radius km, groups, extra language)
AREAS = [
    ("Chicago metro", "Chicago", "IL", "America/Chicago", 30, 55, "es"),
    ("Houston metro", "Houston", "TX", "America/Chicago", 35, 50, "vi"),
    ("Phoenix metro", "Phoenix", "AZ", "America/Phoenix", 30, 40, "es"),
    ("Atlanta metro", "Atlanta", "GA", "America/New_York", 30, 40, "ko"),
    ("Seattle metro", "Seattle", "WA", "America/Los_Angeles", 25, 40, "so"),
    ("Philadelphia metro", "Philadelphia", "PA", "America/New_York", 25, 35, "ht"),
    ("Coos County, NH (rural)", "Berlin", "NH", "America/New_York", 45, 10, "fr"),
    ("McKinley County, NM (rural)", "Gallup", "NM", "America/Denver", 50, 10, "nv"),
    ("Perry County, KY (rural)", "Hazard", "KY", "America/New_York", 40, 10, "es"),
    ("Beltrami County, MN (rural)", "Bemidji", "MN", "America/Chicago", 45, 10, "hmn"),
]
ONLINE_GROUPS = 40
DEMO_PASSWORD = "kindred-demo-password"  # noqa: S105 - documented in docs/search.md

TOPIC_NAMES = {
    "depression": "Depression Support",
    "anxiety": "Anxiety Circle",
    "bipolar": "Bipolar Peer Support",
    "grief": "Grief and Loss Group",
    "trauma": "Trauma Recovery Circle",
    "substance_use": "Recovery Together",
    "loneliness": "Connection Café",
    "suicide_loss": "Survivors of Suicide Loss",
    "perinatal": "New Parents Wellbeing Group",
    "caregiving": "Family and Carers Support",
    "psychosis": "Hearing Voices Group",
    "ocd": "OCD Peer Support",
    "wellbeing": "Wellness and Recovery Circle",
}
PLACES = [
    "Public Library",
    "Community Center",
    "First Methodist Church Hall",
    "YMCA",
    "Recovery Community Center",
    "Senior Center",
    "Health Clinic Conference Room",
    "Neighborhood House",
]
STREETS = ["Main St", "Oak Ave", "Elm St", "Park Blvd", "Washington St", "Lincoln Ave", "2nd St"]
RULES = [
    ("FREQ=WEEKLY;BYDAY={day}", "weekly"),
    ("FREQ=WEEKLY;INTERVAL=2;BYDAY={day}", "every two weeks"),
    ("FREQ=MONTHLY;BYDAY={nth}{day}", "monthly"),
    ("FREQ=MONTHLY;BYDAY=-1FR", "last Friday"),
    ("FREQ=WEEKLY;BYDAY={day},{day2}", "twice weekly"),
]
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
TIMES = [
    dt.time(10, 0),
    dt.time(12, 30),
    dt.time(14, 0),
    dt.time(18, 0),
    dt.time(18, 30),
    dt.time(19, 0),
]
ORGANIZATIONS = [
    ("Riverside Peer Network", "riverside-peer-network"),
    ("Hillcrest Wellbeing", "hillcrest-wellbeing"),
    ("Open Door Recovery", "open-door-recovery"),
    ("Families Together Alliance", "families-together"),
    ("Lakeside Counseling Collective", "lakeside-counseling"),
    ("Mountain Valley Mental Health", "mountain-valley-mh"),
]
AGENCY = ("Eastside Family Services", "eastside-family-services")


def _zips_near(city: str, state: str, radius_km: float) -> list[gazetteer.Entry]:
    gaz = gazetteer.get()
    centre = gaz.candidates(city, state)[0]
    found = [
        (code, entry)
        for code, entry in sorted(gaz.zips.items())
        if entry.region == state
        and geo.haversine_km(centre.latitude, centre.longitude, entry.latitude, entry.longitude)
        <= radius_km
    ]
    return found


def _pick(rng: random.Random, items, k_max: int, k_min: int = 0) -> list:
    return rng.sample(items, rng.randint(k_min, k_max))


# Who each demo group is for, in words a resident would use ("adults affected by
# wellbeing" is what a template sentence gave).
TOPIC_AUDIENCE = {
    "depression": "adults living with depression",
    "anxiety": "adults living with anxiety or panic",
    "bipolar": "adults living with bipolar disorder",
    "grief": "anyone grieving the death of someone close",
    "trauma": "adults recovering from trauma",
    "substance_use": "people in or seeking recovery from alcohol or drug use",
    "eating_disorders": "adults recovering from an eating disorder",
    "psychosis": "adults living with psychosis or schizophrenia",
    "loneliness": "anyone who feels lonely or cut off",
    "suicide_loss": "people who have lost someone to suicide",
    "perinatal": "parents during pregnancy and the first year after a birth",
    "ocd": "adults living with OCD",
    "adhd": "adults living with ADHD",
    "chronic_illness": "adults whose long-term illness weighs on their mood",
    "caregiving": "people caring for a family member or friend",
    "self_harm": "adults who self-harm or have in the past",
    "wellbeing": "anyone who wants to look after their mental health",
}


def _group_fields(rng: random.Random, topic: str, extra_language: str) -> dict:
    cost = rng.choices(["free", "donation", "sliding_scale", "fee"], [55, 20, 15, 10])[0]
    languages = ["en"] + ([extra_language] if rng.random() < 0.3 else [])
    if rng.random() < 0.05:
        languages.append("ase")
    return {
        "description": (
            f"A welcoming group for {TOPIC_AUDIENCE[topic]}. "
            "We share what helps, listen without judgement and keep what is said private."
        ),
        "what_to_expect": rng.choice(
            [
                "A volunteer meets you at the door. You never have to speak: many people just "
                "listen the first time. We start with a short check-in and end on time.",
                "Coffee and tea from 15 minutes before. The facilitator explains the ground "
                "rules, then we go round the room; you can say “pass”.",
                "A trained facilitator leads a structured session with a short talk and time "
                "for questions. Bring nothing but yourself.",
            ]
        ),
        "facilitation": rng.choices(["peer", "professional", "mixed"], [60, 25, 15])[0],
        "registration_required": rng.random() < 0.25,
        "accepting_new_members": rng.random() < 0.9,
        "topics": (topic, *(["anxiety"] if topic == "depression" and rng.random() < 0.5 else [])),
        "languages": tuple(languages),
        "audience": tuple(
            _pick(
                rng,
                [
                    "young_adults",
                    "older_adults",
                    "lgbtq",
                    "veterans",
                    "families_carers",
                    "women",
                    "men",
                    "students",
                ],
                1,
            )
        ),
        "cost": cost,
        "cost_amount": {"fee": 15, "sliding_scale": 10}.get(cost),
        "cost_detail": {
            "donation": "Donations welcome, never expected.",
            "sliding_scale": "$0–$20, pay what you can.",
            "fee": "$15 a session; ask about free places.",
        }.get(cost, ""),
        "accessibility": tuple(
            _pick(
                rng,
                [
                    "step_free",
                    "accessible_toilet",
                    "hearing_loop",
                    "large_print",
                    "quiet_room",
                    "childcare",
                    "gender_neutral_toilet",
                    "service_animals",
                    "seating",
                ],
                4,
            )
        ),
        "status": Group.Status.PUBLISHED,
        "last_verified_at": timezone.now() - dt.timedelta(days=rng.choice([3, 20, 60, 120, 200])),
        "contact_email": "groups@example.org",
        "contact_phone": f"555-01{rng.randint(10, 99)}",
    }


def _schedule(rng: random.Random, group: Group, zone: str) -> Schedule:
    template, _kind = rng.choice(RULES)
    day, day2 = rng.sample(DAYS, 2)
    rule = template.format(day=day, day2=day2, nth=rng.choice([1, 2, 3]))
    return Schedule(
        group=group,
        rrule=rule,
        start_date=dt.date(2026, 1, 5),
        start_time=rng.choice(TIMES),
        duration_minutes=rng.choice([60, 90, 90, 120]),
        time_zone=zone,
    )


def demo_seed(*, seed: int = 2026, say: Callable[[str], None] = print) -> dict:
    """Load the demo directory. Returns counts. Run inside an empty-ish database."""
    rng = random.Random(seed)
    with transaction.atomic():
        orgs = [
            Organization.objects.get_or_create(
                slug=slug, defaults={"name": name, "kind": Organization.Kind.PROVIDER}
            )[0]
            for name, slug in ORGANIZATIONS
        ]
        agency = Organization.objects.get_or_create(
            slug=AGENCY[1], defaults={"name": AGENCY[0], "kind": Organization.Kind.AGENCY}
        )[0]
        _demo_accounts(orgs[0], agency)
        schedules: list[Schedule] = []
        groups: list[Group] = []
        for area, city, state, _zone, radius, count, extra_language in AREAS:
            zips = _zips_near(city, state, radius)
            say(f"  {area}: {count} groups across {len(zips)} ZIP codes")
            for _i in range(count):
                code, entry = rng.choice(zips)
                jitter = lambda: rng.uniform(-0.01, 0.01)  # noqa: E731
                location = Location(
                    name=f"{entry.name} {rng.choice(PLACES)}",
                    address_1=f"{rng.randint(10, 4999)} {rng.choice(STREETS)}",
                    city=entry.name,
                    region=state,
                    postcode=code,
                    latitude=round(entry.latitude + jitter(), 5),
                    longitude=round(entry.longitude + jitter(), 5),
                    geocode_status=Location.GeocodeStatus.OK,
                    directions=rng.choice(
                        [
                            "Bus stop outside. Enter by the side door; the room is on the "
                            "ground floor.",
                            "Free parking behind the building. Ring the bell marked ‘Groups’.",
                            "Two blocks from the train station. Take the elevator to floor 2.",
                        ]
                    ),
                )
                topic = rng.choice(list(TOPIC_NAMES))
                fields = _group_fields(rng, topic, extra_language)
                group = Group(
                    organization=rng.choice(orgs),
                    name=f"{entry.name} {TOPIC_NAMES[topic]}",
                    format=rng.choices(["in_person", "hybrid"], [85, 15])[0],
                    location=location,
                    transport=tuple(
                        _pick(
                            rng,
                            ["near_transit", "parking", "ride_help", "accessible_parking"],
                            3,
                            1,
                        )
                    ),
                    **fields,
                )
                groups.append(group)
        Location.objects.bulk_create([g.location for g in groups], batch_size=500)
        for group in groups:
            group.location_id = group.location.pk
        for _i in range(ONLINE_GROUPS):
            topic = rng.choice(list(TOPIC_NAMES))
            fields = _group_fields(rng, topic, rng.choice(["es", "zh", "vi", "ar"]))
            fields["accessibility"] = tuple(
                _pick(rng, ["captions", "large_print", "sign_language"], 2)
            )
            groups.append(
                Group(
                    organization=rng.choice(orgs),
                    name=f"Online {TOPIC_NAMES[topic]} #{_i + 1}",
                    format=rng.choices(["online", "phone"], [85, 15])[0],
                    online_url="https://meet.example.org/kindred-demo",
                    online_url_public=rng.random() < 0.5,
                    **fields,
                )
            )
        Group.objects.bulk_create(groups, batch_size=500)
        zones = {a[1]: a[3] for a in AREAS}
        for group in groups:
            zone = zones.get(group.location.city if group.location else "")
            if zone is None:
                zone = _zone_for(group)
            schedules.append(_schedule(rng, group, zone))
        Schedule.objects.bulk_create(schedules, batch_size=500)
    say(f"  materializing meetings for {len(groups)} groups")
    now = timezone.now()
    with transaction.atomic():
        for group in groups:
            occurrences_refresh(group_id=group.pk, now=now)
    return {"groups": len(groups), "organizations": len(orgs) + 1}


def _zone_for(group: Group) -> str:
    if group.location is None:
        return "America/New_York"
    for _area, _city, state, zone, *_rest in AREAS:
        if group.location.region == state:
            return zone
    return "America/New_York"


def _demo_accounts(provider: Organization, agency: Organization) -> None:
    for email, name, org, role, staff in [
        (
            "organizer@demo.kindred.invalid",
            "Olivia Organizer",
            provider,
            Membership.Role.ORGANIZER,
            False,
        ),
        (
            "caseworker@demo.kindred.invalid",
            "Carla Caseworker",
            agency,
            Membership.Role.CASE_WORKER,
            False,
        ),
        ("moderator@demo.kindred.invalid", "Morgan Moderator", None, None, True),
    ]:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, DEMO_PASSWORD, full_name=name, is_staff=staff)
        if org is not None:
            Membership.objects.get_or_create(user=user, organization=org, defaults={"role": role})
