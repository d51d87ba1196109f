"""Template helpers for directory pages: vocabulary labels and distances."""

from django import template
from django.conf import settings
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
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


@register.simple_tag
def filter_choices(field) -> str:
    """A fieldset of checkboxes for one multi-valued search filter.

    Built in Python: the search page draws about 100 checkboxes, and Django's
    per-option widget templates cost more than the whole search query.
    """
    selected = set(field.value() or [])
    boxes = format_html_join(
        "",
        '<label><input type="checkbox" name="{}" value="{}"{}> {}</label>',
        (
            (field.html_name, code, mark_safe(" checked") if code in selected else "", text)
            for code, text in field.field.choices
        ),
    )
    errors = format_html_join("", "<li>{}</li>", ((e,) for e in field.errors))
    return format_html(
        '<fieldset class="field{}"><legend>{}</legend>{}{}</fieldset>',
        " field-error" if field.errors else "",
        field.label,
        boxes,
        format_html('<ul class="errorlist">{}</ul>', errors) if field.errors else "",
    )


@register.simple_tag
def group_badges(group) -> str:
    """The "at a glance" badges of a group, in words (colour only decorates).

    Built in Python: a results page shows 20 groups with up to 20 badges each.
    """
    from groups.vocabularies import ACCESSIBILITY, COST, FORMAT, LANGUAGES, TRANSPORT

    cost = _("Cost: %(cost)s") % {"cost": COST.label(group.cost)}
    if group.cost_amount:
        cost += f" (${group.cost_amount})"
    if group.facilitation == "peer":
        led = _("Peer-led")
    elif group.facilitation == "professional":
        led = _("Professional")
    else:
        led = _("Peer-led and professional")
    items = [
        ("badge badge-cost" + (" badge-free" if group.cost == "free" else ""), "", cost),
        ("badge", "", FORMAT.label(group.format)),
        ("badge", "", led),
        (
            "badge",
            "",
            _("Registration needed") if group.registration_required else _("Drop in"),
        ),
    ]
    if not group.accepting_new_members:
        items.append(("badge badge-warning", "", _("Not taking new members")))
    language = _("Language:")
    items += [
        ("badge badge-language", code, f"{language} {LANGUAGES.label(code)}")
        for code in group.languages
    ]
    items += [("badge badge-access", "", ACCESSIBILITY.label(c)) for c in group.accessibility]
    items += [("badge badge-transport", "", TRANSPORT.label(c)) for c in group.transport]
    lis = format_html_join(
        "",
        '<li class="{}"{}>{}</li>',
        ((cls, format_html(' lang="{}"', lang) if lang else "", text) for cls, lang, text in items),
    )
    return format_html('<ul class="badges" aria-label="{}">{}</ul>', _("At a glance"), lis)
