"""Template helpers for directory pages: vocabulary labels and distances."""

import html
from functools import lru_cache

from django import template
from django.conf import settings
from django.template.loader import render_to_string
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


_UNCHOSEN_FIELDSETS: dict[tuple[type, str, str], str] = {}


@register.simple_tag
def filter_choices(field) -> str:
    """A fieldset of checkboxes for one multi-valued search filter.

    Built in Python from cached markup: the search page draws about 100
    checkboxes, and Django's per-option widget templates cost more than the
    whole search query. A fieldset with nothing ticked (most of them, on most
    searches) is drawn once per field and language.
    """
    selected = set(field.value() or [])
    errors = field.errors
    language = get_language() or ""
    if selected or errors:
        return _fieldset(field, language, selected, errors)
    key = (type(field.form), field.html_name, language)
    if key not in _UNCHOSEN_FIELDSETS:
        _UNCHOSEN_FIELDSETS[key] = _fieldset(field, language, selected, errors)
    return _UNCHOSEN_FIELDSETS[key]


def _fieldset(field, language: str, selected: set, errors) -> str:
    markup = _checkbox_markup(field.html_name, language, field.field.choices)
    boxes = "".join(
        opening + (" checked" if code in selected else "") + closing
        for code, opening, closing in markup
    )
    return format_html(
        '<fieldset class="field{}"><legend>{}</legend>{}{}</fieldset>',
        " field-error" if errors else "",
        field.label,
        mark_safe(boxes),  # noqa: S308 - built from escaped pieces above
        format_html(
            '<ul class="errorlist">{}</ul>',
            format_html_join("", "<li>{}</li>", ((e,) for e in errors)),
        )
        if errors
        else "",
    )


@register.simple_tag
def search_field(field) -> str:
    """One search-form field with the markup of `_form_field.html`, drawn in Python.

    Seven of these are on every search, and the template include cost about 0.25 ms
    each. Fields shown as a fieldset or a lone checkbox (none on the search form)
    still go through the template. tests/groups/test_search_speedups.py checks
    that both give the same markup, with and without errors, in every language.
    """
    if field.use_fieldset or field.widget_type == "checkbox":
        return render_to_string("_form_field.html", {"field": field})
    errors = field.errors
    if errors or field.help_text:
        return _field_with_notes(field, errors)
    language = get_language() or ""
    key = _unchanging_field_key(field, language)
    drawn = _FIELDS_DRAWN.get(key) if key is not None else None
    if drawn is None:
        opening = _field_opening(language, field)
        drawn = mark_safe(f"{opening}{field.as_widget()}</div>")  # noqa: S308 - escaped pieces
        if key is not None:
            _FIELDS_DRAWN[key] = drawn
    return drawn


# Whole fields (label and widget) whose value is empty or one of the widget's own
# choices: most of the search form on most searches. Building the widget's attributes
# and markup cost about 0.07 ms a field. Emptied when a setting changes (groups.apps).
_FIELDS_DRAWN: dict[tuple, str] = {}


def _unchanging_field_key(field, language: str) -> tuple | None:
    """The key of a field drawn the same for everyone, or None: a value someone typed
    is never a key (nor kept)."""
    value = field.value()
    if value is None or value == "":
        values = ()
    elif hasattr(field.field.widget, "chosen_values"):
        values = field.field.widget.chosen_values(value)
        if values is None:
            return None
    else:
        return None
    return (type(field.form), field.html_name, language, values)


def forget_drawn_fields() -> None:
    _FIELDS_DRAWN.clear()


_FIELD_OPENINGS: dict[tuple[type, str, str], str] = {}


def _field_opening(language: str, field) -> str:
    """`<div class="field"><label …>…</label>` of a field without errors, once per form
    class, field and language."""
    key = (type(field.form), field.html_name, language)
    if key not in _FIELD_OPENINGS:
        _FIELD_OPENINGS[key] = format_html(
            '<div class="field"><label for="{}">{}{}</label>',
            field.id_for_label,
            field.label,
            "" if field.field.required else _optional_html(language),
        )
    return _FIELD_OPENINGS[key]


def _field_with_notes(field, errors) -> str:
    help_html = (
        format_html('<p class="help" id="{}_helptext">{}</p>', field.auto_id, field.help_text)
        if field.help_text
        else ""
    )
    errors_html = (
        format_html(
            '<ul class="errorlist" id="{}_error">{}</ul>',
            field.auto_id,
            format_html_join("", "<li>{}</li>", ((e,) for e in errors)),
        )
        if errors
        else ""
    )
    return format_html(
        '<div class="field{}"><label for="{}">{}{}</label>{}{}{}</div>',
        " field-error" if errors else "",
        field.id_for_label,
        field.label,
        "" if field.field.required else _optional_html(get_language() or ""),
        field.as_widget(),
        help_html,
        errors_html,
    )


@lru_cache(maxsize=16)
def _optional_html(language: str) -> str:
    return format_html(' <span class="help">({})</span>', _("optional"))


@lru_cache(maxsize=64)
def _escaped_labels(vocabulary: str, language: str) -> dict[str, str]:
    """Vocabulary labels in one language, HTML-escaped once per process."""
    return {code: escape(str(text)) for code, text in ALL[vocabulary].terms}


@lru_cache(maxsize=16)
def _words(language: str) -> dict[str, str]:
    """The fixed words of the badges and result cards in one language, escaped once."""
    return {
        key: escape(str(text))
        for key, text in {
            "mi": _("%(distance).1f miles away"),
            "km": _("%(distance).1f km away"),
            "phone": _("By phone, from anywhere"),
            "online": _("Online, from anywhere"),
            "unknown": _("Distance not known"),
            "no_meeting": _("No meeting scheduled in the next few weeks."),
            "refer": _("Refer a client to %(name)s"),
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
    """The "at a glance" badges of a group, in words (colour only decorates)."""
    return mark_safe(_badges(group, get_language() or ""))  # noqa: S308 - escaped in _badges


def _badges(group, language: str) -> str:
    """Built from per-language cached, pre-escaped labels: a results page shows 20
    groups with up to 20 badges each, and this is on every search."""
    words = _words(language)
    cost_labels = _escaped_labels("cost", language)
    cost = f"{words['cost']} {cost_labels[group.cost]}"
    if group.cost_amount:
        cost += f" (${html.escape(str(group.cost_amount))})"
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
    return f'<ul class="badges" aria-label="{words["glance"]}">{"".join(parts)}</ul>'


_PK_PLACEHOLDER = 999999999


@lru_cache(maxsize=16)
def _url_parts(name: str, script_prefix: str, urlconf) -> tuple[str, str]:
    """A URL around its id, from one reverse() per URL name, script prefix and urlconf."""
    url = reverse(name, args=[_PK_PLACEHOLDER])
    before, _sep, after = url.partition(str(_PK_PLACEHOLDER))
    return before, after


def _url_around_id(name: str) -> tuple[str, str]:
    return _url_parts(name, get_script_prefix(), get_urlconf())


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


def _card(group, language: str, words: dict[str, str], detail, refer) -> str:
    """One card; `detail` and `refer` (None: no link) are URLs around the group's id."""
    if group.distance is not None:
        distance = words["mi" if settings.KINDRED_DISTANCE_UNIT == "mi" else "km"]
        where = f"· <strong>{distance % {'distance': group.distance}}</strong>"
        if group.city:
            place = group.city + (f", {group.region}" if group.region else "")
            where += f" ({html.escape(place)})"
    elif group.is_online:
        where = f"· <strong>{words['phone' if group.format == 'phone' else 'online']}</strong>"
    elif group.meets_in_person and group.latitude is None:
        where = f"· {words['unknown']}"
    else:
        where = ""
    local = group.next_meeting_local
    if local is not None:
        when = _meeting_time_html(
            local.replace(tzinfo=None), local.utcoffset(), local.strftime("%Z"), language, local
        )
    else:
        when = words["no_meeting"]
    # html.escape is what Django's escape() calls, less its check for lazy arguments
    # (40 calls a page); the values here are plain strings.
    name = html.escape(group.name)
    card = (
        f'<article class="card result"><h3><a href="{detail[0]}{group.pk}{detail[1]}">{name}'
        f'</a></h3><p class="result-meta">{html.escape(group.organization_name)} {where}</p>'
        f"<p>{when}</p>{_badges(group, language)}</article>"
    )
    if refer is not None:
        card += (
            f'\n<p class="refer-link"><a href="{refer[0]}{group.pk}{refer[1]}">'
            f"{words['refer'] % {'name': name}}</a></p>"
        )
    return card


@register.simple_tag
def result_cards(groups, can_refer: bool = False) -> str:
    """The search results: name, organization, distance, next meeting, badges, and for
    a case worker the "Refer a client" link.

    Drawn in Python, with the language's words looked up once for the page: 20
    cards are on every search. The group page's URL is built from a cached prefix
    (not a reverse() per row), and the meeting time's text is cached per time and
    language (date formatting with translated day and month names cost more per row
    than the rest of the card). Every piece of text is escaped here.
    """
    language = get_language() or ""
    words = _words(language)
    detail = _url_around_id("groups:detail")
    refer = _url_around_id("referrals:create") if can_refer else None
    return mark_safe(  # noqa: S308 - _card escapes every piece
        "\n".join(_card(group, language, words, detail, refer) for group in groups)
    )


def result_card(group) -> str:
    """One result card (the page draws them all at once with result_cards)."""
    return result_cards([group])
