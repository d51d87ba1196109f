"""The fixed vocabularies every filter, form, badge and API field uses.

Each term has a stable code (used in URLs, the API and partner mappings) and a
translatable label. Multi-valued vocabularies are stored as bitmasks, so a term's
position is its bit: append new terms at the end, never reorder or remove one.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


@dataclass(frozen=True)
class Vocabulary:
    name: str
    terms: tuple[tuple[str, Promise], ...]

    def __post_init__(self):
        if len(self.terms) > 63:
            raise ValueError(f"Vocabulary {self.name} has more terms than a bitmask can hold.")

    @property
    def choices(self) -> list[tuple[str, Promise]]:
        return list(self.terms)

    @cached_property
    def codes(self) -> tuple[str, ...]:
        return tuple(code for code, _label in self.terms)

    @cached_property
    def _code_of_bit(self) -> dict[int, str]:
        return {1 << i: code for i, code in enumerate(self.codes)}

    @cached_property
    def _labels(self) -> dict:
        return dict(self.terms)

    def label(self, code: str) -> str:
        return str(self._labels[code])

    def bit(self, code: str) -> int:
        try:
            return 1 << self.codes.index(code)
        except ValueError:
            raise ValueError(f"{code!r} is not a {self.name} code.") from None

    def to_mask(self, codes: Iterable[str]) -> int:
        mask = 0
        for code in codes:
            mask |= self.bit(code)
        return mask

    def from_mask(self, mask: int) -> tuple[str, ...]:
        """The codes of the bits set, in vocabulary order (bits past the last code are ignored).

        Runs for six columns of every result row: it visits only the bits set,
        lowest first, not every code of the vocabulary.
        """
        codes = []
        mask &= (1 << len(self.codes)) - 1  # a 64th bit read back as a negative bigint
        while mask:
            bit = mask & -mask
            mask ^= bit
            codes.append(self._code_of_bit[bit])
        return tuple(codes)

    def ordered(self, codes: Iterable[str]) -> tuple[str, ...]:
        wanted = set(codes)
        return tuple(code for code in self.codes if code in wanted)


COST = Vocabulary(
    "cost",
    (
        ("free", _("Free")),
        ("donation", _("Donation welcome")),
        ("sliding_scale", _("Sliding scale")),
        ("fee", _("Fee")),
    ),
)

FORMAT = Vocabulary(
    "format",
    (
        ("in_person", _("In person")),
        ("online", _("Online")),
        ("hybrid", _("In person and online")),
        ("phone", _("By phone")),
    ),
)

FACILITATION = Vocabulary(
    "facilitation",
    (
        ("peer", _("Peer-led")),
        ("professional", _("Led by a professional")),
        ("mixed", _("Peer and professional")),
    ),
)

ACCESSIBILITY = Vocabulary(
    "accessibility",
    (
        ("step_free", _("Step-free access")),
        ("accessible_toilet", _("Accessible toilet")),
        ("hearing_loop", _("Hearing loop")),
        ("sign_language", _("Sign language interpreting")),
        ("captions", _("Captions")),
        ("large_print", _("Large print materials")),
        ("quiet_room", _("Quiet room")),
        ("childcare", _("Childcare")),
        ("gender_neutral_toilet", _("Gender-neutral toilet")),
        ("service_animals", _("Service animals welcome")),
        ("seating", _("Seating with arms and back support")),
    ),
)

TRANSPORT = Vocabulary(
    "transport",
    (
        ("near_transit", _("Near public transit")),
        ("parking", _("Parking")),
        ("ride_help", _("Help with rides")),
        ("bike_parking", _("Bike parking")),
        ("accessible_parking", _("Accessible parking")),
    ),
)

AUDIENCE = Vocabulary(
    "audience",
    (
        ("youth", _("Young people (under 18)")),
        ("young_adults", _("Young adults (18-25)")),
        ("older_adults", _("Older adults")),
        ("lgbtq", _("LGBTQ+")),
        ("veterans", _("Veterans")),
        ("families_carers", _("Families and carers")),
        ("culturally_specific", _("Culturally specific")),
        ("women", _("Women")),
        ("men", _("Men")),
        ("new_parents", _("New and expecting parents")),
        ("students", _("Students")),
    ),
)

TOPICS = Vocabulary(
    "topics",
    (
        ("depression", _("Depression")),
        ("anxiety", _("Anxiety")),
        ("bipolar", _("Bipolar disorder")),
        ("grief", _("Grief and loss")),
        ("trauma", _("Trauma and PTSD")),
        ("substance_use", _("Substance use and recovery")),
        ("eating_disorders", _("Eating disorders")),
        ("psychosis", _("Psychosis and schizophrenia")),
        ("loneliness", _("Loneliness and isolation")),
        ("suicide_loss", _("Loss to suicide")),
        ("perinatal", _("Pregnancy and postpartum")),
        ("ocd", _("OCD")),
        ("adhd", _("ADHD")),
        ("chronic_illness", _("Living with chronic illness")),
        ("caregiving", _("Caring for someone")),
        ("self_harm", _("Self-harm")),
        ("wellbeing", _("General wellbeing")),
    ),
)

# ISO 639 codes (639-1 where one exists, 639-3 otherwise, e.g. "ase" for ASL).
LANGUAGES = Vocabulary(
    "languages",
    (
        ("en", _("English")),
        ("es", _("Spanish")),
        ("zh", _("Chinese")),
        ("vi", _("Vietnamese")),
        ("tl", _("Tagalog")),
        ("ar", _("Arabic")),
        ("fr", _("French")),
        ("ht", _("Haitian Creole")),
        ("ko", _("Korean")),
        ("ru", _("Russian")),
        ("pt", _("Portuguese")),
        ("de", _("German")),
        ("it", _("Italian")),
        ("pl", _("Polish")),
        ("hi", _("Hindi")),
        ("ur", _("Urdu")),
        ("bn", _("Bengali")),
        ("pa", _("Punjabi")),
        ("fa", _("Persian")),
        ("so", _("Somali")),
        ("am", _("Amharic")),
        ("hmn", _("Hmong")),
        ("ja", _("Japanese")),
        ("uk", _("Ukrainian")),
        ("nv", _("Navajo")),
        ("ase", _("American Sign Language")),
        ("ne", _("Nepali")),
        ("sw", _("Swahili")),
        ("km", _("Khmer")),
        ("el", _("Greek")),
    ),
)

DAYS = Vocabulary(
    "days",
    (
        ("mon", _("Monday")),
        ("tue", _("Tuesday")),
        ("wed", _("Wednesday")),
        ("thu", _("Thursday")),
        ("fri", _("Friday")),
        ("sat", _("Saturday")),
        ("sun", _("Sunday")),
    ),
)

TIME_OF_DAY = Vocabulary(
    "time_of_day",
    (
        ("morning", pgettext_lazy("time of day", "Morning (before noon)")),
        ("afternoon", pgettext_lazy("time of day", "Afternoon (noon to 5 pm)")),
        ("evening", pgettext_lazy("time of day", "Evening (after 5 pm)")),
    ),
)

ALL = {
    v.name: v
    for v in (
        COST,
        FORMAT,
        FACILITATION,
        ACCESSIBILITY,
        TRANSPORT,
        AUDIENCE,
        TOPICS,
        LANGUAGES,
        DAYS,
        TIME_OF_DAY,
    )
}


def time_of_day_code(hour: int) -> str:
    if hour < 12:
        return "morning"
    if hour < 17:
        return "afternoon"
    return "evening"
