"""Words partners use, matched to Kindred's vocabulary codes.

Exact codes first (Kindred's own export writes "topics:depression" as a taxonomy
term code), then English labels, then keywords. A value nothing matches is kept
as text by the caller and counted in the run report.
"""

import re
from functools import lru_cache

from django.utils import translation

from groups.vocabularies import ACCESSIBILITY, AUDIENCE, COST, FACILITATION, LANGUAGES, TOPICS

KINDRED_TAXONOMY = "kindred"
TERM_VOCABULARIES = {v.name: v for v in (TOPICS, AUDIENCE, FACILITATION)}

KEYWORDS = {
    "accessibility": [
        ("wheelchair", "step_free"),
        ("step-free", "step_free"),
        ("step free", "step_free"),
        ("ramp", "step_free"),
        ("elevator", "step_free"),
        ("accessible toilet", "accessible_toilet"),
        ("accessible restroom", "accessible_toilet"),
        ("accessible bathroom", "accessible_toilet"),
        ("hearing loop", "hearing_loop"),
        ("induction loop", "hearing_loop"),
        ("sign language", "sign_language"),
        ("asl", "sign_language"),
        ("caption", "captions"),
        ("large print", "large_print"),
        ("quiet", "quiet_room"),
        ("childcare", "childcare"),
        ("child care", "childcare"),
        ("gender neutral", "gender_neutral_toilet"),
        ("gender-neutral", "gender_neutral_toilet"),
        ("all-gender", "gender_neutral_toilet"),
        ("service animal", "service_animals"),
        ("guide dog", "service_animals"),
        ("seating", "seating"),
    ],
    "topics": [
        ("depress", "depression"),
        ("anxiety", "anxiety"),
        ("panic", "anxiety"),
        ("bipolar", "bipolar"),
        ("grief", "grief"),
        ("bereave", "grief"),
        ("trauma", "trauma"),
        ("ptsd", "trauma"),
        ("substance", "substance_use"),
        ("addiction", "substance_use"),
        ("alcohol", "substance_use"),
        ("recovery", "substance_use"),
        ("eating disorder", "eating_disorders"),
        ("psychosis", "psychosis"),
        ("schizo", "psychosis"),
        ("lonel", "loneliness"),
        ("isolation", "loneliness"),
        ("suicide loss", "suicide_loss"),
        ("survivors of suicide", "suicide_loss"),
        ("postpartum", "perinatal"),
        ("perinatal", "perinatal"),
        ("ocd", "ocd"),
        ("obsessive", "ocd"),
        ("adhd", "adhd"),
        ("chronic", "chronic_illness"),
        ("caregiv", "caregiving"),
        ("self-harm", "self_harm"),
        ("self harm", "self_harm"),
        ("wellbeing", "wellbeing"),
        ("wellness", "wellbeing"),
        ("mental health", "wellbeing"),
    ],
    "audience": [
        ("youth", "youth"),
        ("teen", "youth"),
        ("adolescent", "youth"),
        ("young adult", "young_adults"),
        ("older adult", "older_adults"),
        ("senior", "older_adults"),
        ("lgbt", "lgbtq"),
        ("queer", "lgbtq"),
        ("transgender", "lgbtq"),
        ("veteran", "veterans"),
        ("famil", "families_carers"),
        ("carer", "families_carers"),
        ("women", "women"),
        ("men", "men"),
        ("parent", "new_parents"),
        ("student", "students"),
    ],
}

# ISO 639-2/3 and common names to Kindred's language codes.
LANGUAGE_ALIASES = {
    "eng": "en",
    "spa": "es",
    "zho": "zh",
    "chi": "zh",
    "cmn": "zh",
    "yue": "zh",
    "vie": "vi",
    "tgl": "tl",
    "fil": "tl",
    "ara": "ar",
    "fra": "fr",
    "fre": "fr",
    "hat": "ht",
    "kor": "ko",
    "rus": "ru",
    "por": "pt",
    "deu": "de",
    "ger": "de",
    "ita": "it",
    "pol": "pl",
    "hin": "hi",
    "urd": "ur",
    "ben": "bn",
    "pan": "pa",
    "fas": "fa",
    "per": "fa",
    "som": "so",
    "amh": "am",
    "jpn": "ja",
    "ukr": "uk",
    "nav": "nv",
    "nep": "ne",
    "swa": "sw",
    "khm": "km",
    "ell": "el",
    "gre": "el",
    "sgn": "ase",
    "asl": "ase",
    "mandarin": "zh",
    "cantonese": "zh",
    "farsi": "fa",
}


@lru_cache(maxsize=16)
def _labels(vocabulary) -> dict[str, str]:
    with translation.override("en"):
        return {str(label).lower(): code for code, label in vocabulary.terms}


def _word_match(keyword: str, text: str) -> bool:
    if len(keyword) <= 3 or keyword in ("men", "women"):
        return re.search(rf"\b{re.escape(keyword)}\b", text) is not None
    return keyword in text


@lru_cache(maxsize=8192)
def match_keywords(vocabulary_name: str, text: str) -> frozenset[str]:
    text = text.lower()
    return frozenset(
        code for keyword, code in KEYWORDS[vocabulary_name] if _word_match(keyword, text)
    )


def accessibility_codes(text: str) -> set[str]:
    lowered = text.strip().lower()
    exact = _labels(ACCESSIBILITY).get(lowered) or (
        lowered if lowered in ACCESSIBILITY.codes else None
    )
    return {exact} if exact else match_keywords("accessibility", lowered)


def language_code(*, code: str = "", name: str = "") -> str | None:
    for candidate in (code.strip().lower(), name.strip().lower()):
        if not candidate:
            continue
        base = candidate.split("-")[0].split("_")[0]
        if base in LANGUAGES.codes:
            return base
        if base in LANGUAGE_ALIASES:
            return LANGUAGE_ALIASES[base]
        by_label = _labels(LANGUAGES).get(candidate)
        if by_label:
            return by_label
    return None


def cost_code(option: str, amount) -> str | None:
    text = (option or "").strip().lower()
    if text in COST.codes:
        return text
    if "sliding" in text:
        return "sliding_scale"
    if "donation" in text:
        return "donation"
    if "free" in text or "no cost" in text:
        return "free"
    if isinstance(amount, (int, float)):
        return "free" if amount == 0 else "fee"
    if "fee" in text or "$" in text:
        return "fee"
    return None


@lru_cache(maxsize=8192)
def term_codes(*, code: str, name: str) -> dict[str, set[str]]:
    """Vocabulary name -> codes for one taxonomy term (exact Kindred codes, then keywords)."""
    found: dict[str, set[str]] = {}
    prefix, _sep, rest = code.partition(":")
    if rest and prefix in TERM_VOCABULARIES and rest in TERM_VOCABULARIES[prefix].codes:
        return {prefix: {rest}}
    if code == "registration:required":
        return {"registration": {"required"}}
    text = f"{code} {name}"
    for vocabulary in ("topics", "audience"):
        codes = match_keywords(vocabulary, text)
        if codes:
            found[vocabulary] = codes
    lowered = text.lower()
    if "peer" in lowered:
        found["facilitation"] = {"peer"}
    elif "professional" in lowered or "clinician" in lowered or "therapist" in lowered:
        found["facilitation"] = {"professional"}
    return found
