"""A listing's public fields as plain JSON: snapshot, apply, and show side by side.

The same snapshot format serves three purposes: a pending revision's proposed values,
the history's old→new pairs, and the moderator's diff. Vocabulary sets are lists of
codes, money is a string, the location is a nested dict; labels are added only when
shown, so a stored revision reads the same in any language.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model
from django.utils.translation import gettext as _

from groups.fields import VocabularySetField
from groups.models import Group, Location

# Public fields that wait for a moderator once the listing is published.
MODERATED_FIELDS = (
    "name",
    "description",
    "what_to_expect",
    "format",
    "facilitation",
    "registration_required",
    "audience",
    "topics",
    "languages",
    "languages_other",
    "cost",
    "cost_amount",
    "cost_detail",
    "accessibility",
    "accessibility_detail",
    "transport",
    "online_url",
    "online_url_public",
    "contact_name",
    "contact_email",
    "contact_phone",
    "website",
)
# Operational fields an organizer must be able to change at once (a group that is full
# says so today, not after review). They are still recorded in the history.
IMMEDIATE_FIELDS = ("accepting_new_members", "capacity")
LOCATION_FIELDS = ("name", "address_1", "address_2", "city", "region", "postcode", "directions")
# Changing these moves the place, so its coordinates must be found again.
ADDRESS_FIELDS = ("address_1", "address_2", "city", "region", "postcode")


def _json_value(value):
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, Decimal):
        return str(value)
    return value


def location_snapshot(location: Location | None) -> dict | None:
    if location is None:
        return None
    return {name: getattr(location, name) for name in LOCATION_FIELDS}


def _field_value(group: Group, name: str):
    value = getattr(group, name)
    field = group._meta.get_field(name)
    if isinstance(field, VocabularySetField):
        # An unsaved instance may still hold the column's integer default.
        return list(field.to_python(value))
    return _json_value(value)


def listing_snapshot(group: Group) -> dict:
    """The moderated public fields and the location, as JSON-ready values."""
    values = {name: _field_value(group, name) for name in MODERATED_FIELDS}
    values["location"] = location_snapshot(group.location)
    return values


def values_from_form(
    cleaned_data: dict, names=MODERATED_FIELDS, *, with_location: bool = True
) -> dict:
    """The same shape as a snapshot, from a listing form's cleaned data."""
    values = {name: _json_value(cleaned_data.get(name)) for name in names}
    if with_location and "location" in cleaned_data:
        values["location"] = cleaned_data["location"]
    return values


def apply_values(group: Group, values: dict) -> None:
    """Set the snapshot's plain fields on the group (the location is the caller's job)."""
    for name, value in values.items():
        if name == "location":
            continue
        if name == "cost_amount" and value is not None:
            value = Decimal(value)
        setattr(group, name, value)


def changed_fields(old: dict, new: dict) -> dict:
    """{field: [old, new]} for each field whose value differs; the location by sub-field."""
    changes = {}
    for name in new:
        if name == "location":
            old_loc, new_loc = old.get("location") or {}, new.get("location") or {}
            for sub in LOCATION_FIELDS:
                if (old_loc.get(sub) or "") != (new_loc.get(sub) or ""):
                    changes[f"location.{sub}"] = [old_loc.get(sub, ""), new_loc.get(sub, "")]
        elif _normal(old.get(name)) != _normal(new.get(name)):
            changes[name] = [old.get(name), new.get(name)]
    return changes


def _normal(value):
    if value in (None, "", []):
        return None
    if isinstance(value, list):
        return sorted(value)
    return value


# --- Shown to people --------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldRow:
    name: str
    label: str
    old: str
    new: str

    @property
    def changed(self) -> bool:
        return self.old != self.new


def _model_field(model: type[Model], name: str):
    return model._meta.get_field(name)


def field_label(name: str) -> str:
    if name.startswith("location."):
        return _("Place: %(field)s") % {"field": _model_field(Location, name[9:]).verbose_name}
    return str(_model_field(Group, name).verbose_name).capitalize()


def display_value(name: str, value) -> str:
    """A stored value in words: vocabulary labels, choice labels, yes/no."""
    if value in (None, "", []):
        return "—"
    if name.startswith("location."):
        return str(value)
    field = _model_field(Group, name)
    if isinstance(field, VocabularySetField):
        vocabulary = field.vocabulary
        return ", ".join(vocabulary.label(c) for c in value if c in vocabulary.codes)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return str(value)


def field_rows(old: dict, new: dict, *, only_changed: bool = False) -> list[FieldRow]:
    """Rows for a side-by-side table of two snapshots, in form order."""
    names = [n for n in new if n != "location"]
    rows = [
        FieldRow(n, field_label(n), display_value(n, old.get(n)), display_value(n, new.get(n)))
        for n in names
    ]
    old_loc, new_loc = old.get("location") or {}, new.get("location") or {}
    if "location" in new or "location" in old:
        for sub in LOCATION_FIELDS:
            name = f"location.{sub}"
            rows.append(
                FieldRow(
                    name,
                    field_label(name),
                    display_value(name, old_loc.get(sub)),
                    display_value(name, new_loc.get(sub)),
                )
            )
    return [r for r in rows if r.changed] if only_changed else rows


def change_rows(changes: dict) -> list[FieldRow]:
    """Rows for one history entry's {field: [old, new]}."""
    rows = []
    for name, pair in changes.items():
        try:
            label = field_label(name)
            old, new = display_value(name, pair[0]), display_value(name, pair[1])
        except FieldDoesNotExist:  # a field renamed since: still show the raw values
            label, old, new = name, str(pair[0]), str(pair[1])
        rows.append(FieldRow(name, label, old, new))
    return rows
