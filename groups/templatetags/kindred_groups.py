"""Template helpers for directory pages: vocabulary labels and distances."""

from functools import lru_cache

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import formats
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from groups.vocabularies import ALL

register = template.Library()


@register.filter
def label(code: str, vocabulary: str) -> str:
    """`{{ group.cost|label:"cost" }}` -> "Free"."""
    try:
        return ALL[vocabulary].label(code)
    except KeyError:
        return code


@register.filter
def labels(codes, vocabulary: str) -> list[tuple[str, str]]:
    return [(code, label(code, vocabulary)) for code in codes]


@register.simple_tag
def distance_text(value) -> str:
    if value is None:
        return ""
    if settings.KINDRED_DISTANCE_UNIT == "mi":
        return _("%(distance).1f miles away") % {"distance": value}
    return _("%(distance).1f km away") % {"distance": value}


_CHECKBOXES: dict[tuple[str, str], tuple[tuple[str, str, str], ...]] = {}


def _checkbox_markup(name: str, language: str, choices) -> tuple[tuple[str, str, str], ...]:
    """Escaped (code, opening, closing) markup of each checkbox, once per field and language.

    A filter's choices are a fixed vocabulary, so its name and the language are the key.
    """
    key = (name, language)
    if key not in _CHECKBOXES:
        _CHECKBOXES[key] = _build_checkboxes(name, choices)
    return _CHECKBOXES[key]


def _build_checkboxes(name: str, choices) -> tuple[tuple[str, str, str], ...]:
    return tuple(
        (
            code,
            f'<label><input type="checkbox" name="{escape(name)}" value="{escape(code)}"',
            f"> {escape(str(text))}</label>",
        )
        for code, text in choices
    )


@register.simple_tag
def filter_choices(field) -> str:
    """A fieldset of checkboxes for one multi-valued search filter.

    Built in Python from cached markup: the search page draws about 100
    checkboxes, and Django's per-option widget templates cost more than the
    whole search query.
    """
    selected = set(field.value() or [])
    markup = _checkbox_markup(field.html_name, get_language() or "", field.field.choices)
    boxes = "".join(
        opening + (" checked" if code in selected else "") + closing
        for code, opening, closing in markup
    )
    errors = format_html_join("", "<li>{}</li>", ((e,) for e in field.errors))
    return format_html(
        '<fieldset class="field{}"><legend>{}</legend>{}{}</fieldset>',
        " field-error" if field.errors else "",
        field.label,
        mark_safe(boxes),  # noqa: S308 - built from escaped pieces above
        format_html('<ul class="errorlist">{}</ul>', errors) if field.errors else "",
    )


@lru_cache(maxsize=64)
def _escaped_labels(vocabulary: str, language: str) -> dict[str, str]:
    """Vocabulary labels in one language, HTML-escaped once per process."""
    return {code: escape(str(text)) for code, text in ALL[vocabulary].terms}


@lru_cache(maxsize=16)
def _badge_words(language: str) -> dict[str, str]:
    return {
        key: escape(str(text))
        for key, text in {
            "cost": _("Cost:"),
            "peer": _("Peer-led"),
            "professional": _("Professional"),
            "mixed": _("Peer-led and professional"),
            "registration": _("Registration needed"),
            "drop_in": _("Drop in"),
            "closed": _("Not taking new members"),
            "language": _("Language:"),
            "glance": _("At a glance"),
        }.items()
    }


@register.simple_tag
def group_badges(group) -> str:
    """The "at a glance" badges of a group, in words (colour only decorates).

    Built from per-language cached, pre-escaped labels: a results page shows 20
    groups with up to 20 badges each, and this is on every search.
    """
    language = get_language() or ""
    words = _badge_words(language)
    cost_labels = _escaped_labels("cost", language)
    cost = f"{words['cost']} {cost_labels[group.cost]}"
    if group.cost_amount:
        cost += f" (${escape(group.cost_amount)})"
    free = " badge-free" if group.cost == "free" else ""
    parts = [
        f'<li class="badge badge-cost{free}">{cost}</li>',
        f'<li class="badge">{_escaped_labels("format", language)[group.format]}</li>',
        f'<li class="badge">{words.get(group.facilitation, words["mixed"])}</li>',
        '<li class="badge">'
        + (words["registration"] if group.registration_required else words["drop_in"])
        + "</li>",
    ]
    if not group.accepting_new_members:
        parts.append(f'<li class="badge badge-warning">{words["closed"]}</li>')
    languages = _escaped_labels("languages", language)
    parts += [
        f'<li class="badge badge-language" lang="{code}">{words["language"]} {languages[code]}</li>'
        for code in group.languages
    ]
    access = _escaped_labels("accessibility", language)
    parts += [f'<li class="badge badge-access">{access[c]}</li>' for c in group.accessibility]
    transport = _escaped_labels("transport", language)
    parts += [f'<li class="badge badge-transport">{transport[c]}</li>' for c in group.transport]
    return mark_safe(  # noqa: S308 - every piece above is escaped or a fixed code
        f'<ul class="badges" aria-label="{words["glance"]}">{"".join(parts)}</ul>'
    )


_PK_PLACEHOLDER = 999999999


@lru_cache(maxsize=16)
def _detail_url_parts(script_prefix: str, urlconf) -> tuple[str, str]:
    """The group page's URL around its id, from one reverse() per script prefix and urlconf."""
    url = reverse("groups:detail", args=[_PK_PLACEHOLDER])
    before, _sep, after = url.partition(str(_PK_PLACEHOLDER))
    return before, after


def _detail_url(pk: int) -> str:
    before, after = _detail_url_parts(get_script_prefix(), get_urlconf())
    return f"{before}{pk}{after}"


@lru_cache(maxsize=4096)
def _meeting_time_html(naive, offset, zone_name: str, language: str, local) -> str:
    """ "Next meeting: <time>…</time>" for one local time, in one language.

    The key is the wall-clock time, its offset and zone abbreviation (all the text
    depends on) and the language; meetings share times, so most rows hit the cache.
    """
    return format_html(
        '{} <time datetime="{}">{}, {} {}</time>',
        _("Next meeting:"),
        local.isoformat(),
        formats.date_format(local, "l j F"),
        formats.time_format(local),
        zone_name,
    )


def _meeting_html(local) -> str:
    zone_name = local.strftime("%Z")
    return _meeting_time_html(
        local.replace(tzinfo=None), local.utcoffset(), zone_name, get_language() or "", local
    )


@register.simple_tag
def result_card(group) -> str:
    """One search result: name, organization, distance, next meeting, badges.

    Drawn in Python for the same reason as the badges: 20 of them on every search.
    The group page's URL is built from a cached prefix (not a reverse() per row) and
    the meeting time's text is cached per time and language (date formatting with
    translated day and month names cost more per row than the rest of the card).
    """
    url = _detail_url(group.pk)
    if group.distance is not None:
        where = format_html("· <strong>{}</strong>", distance_text(group.distance))
        location = group.location
        if location is not None and location.city:
            place = location.city + (f", {location.region}" if location.region else "")
            where = format_html("{} ({})", where, place)
    elif group.is_online:
        text = (
            _("By phone, from anywhere") if group.format == "phone" else _("Online, from anywhere")
        )
        where = format_html("· <strong>{}</strong>", text)
    elif group.meets_in_person and group.latitude is None:
        where = format_html("· {}", _("Distance not known"))
    else:
        where = ""
    local = group.next_meeting_local
    if local is not None:
        when = _meeting_html(local)
    else:
        when = _("No meeting scheduled in the next few weeks.")
    return format_html(
        '<article class="card result"><h3><a href="{}">{}</a></h3>'
        '<p class="result-meta">{} {}</p><p>{}</p>{}</article>',
        url,
        group.name,
        group.organization.name,
        where,
        when,
        group_badges(group),
    )
