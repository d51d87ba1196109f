"""A set of vocabulary codes stored as one integer bitmask.

In Python the value is a tuple of codes in vocabulary order; in the database it
is a BIGINT, so "has any of these" is one bitwise AND that SQLite and PostgreSQL
both evaluate from an index-only scan.
"""

from collections.abc import Iterable

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Lookup

from groups.vocabularies import ALL, Vocabulary


class VocabularySetField(models.BigIntegerField):
    def __init__(self, *args, vocabulary: str, **kwargs):
        self.vocabulary_name = vocabulary
        kwargs.setdefault("default", 0)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    @property
    def vocabulary(self) -> Vocabulary:
        return ALL[self.vocabulary_name]

    @property
    def validators(self):
        # A bitmask has no meaningful integer range; membership is checked in to_python.
        return [*self.default_validators, *self._validators]

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["vocabulary"] = self.vocabulary_name
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        if value is None:
            return ()
        return self.vocabulary.from_mask(value)

    def to_python(self, value):
        if value is None:
            return ()
        if isinstance(value, int):
            return self.vocabulary.from_mask(value)
        if isinstance(value, str):
            value = [value] if value else []
        try:
            return self.vocabulary.ordered(self._checked(value))
        except ValueError as exc:
            raise ValidationError(str(exc), code="invalid_choice") from None

    def _checked(self, codes: Iterable[str]) -> list[str]:
        codes = list(codes)
        unknown = [c for c in codes if c not in self.vocabulary.codes]
        if unknown:
            raise ValueError(f"Unknown {self.vocabulary.name} code: {unknown[0]!r}.")
        return codes

    def get_prep_value(self, value):
        if value is None:
            return 0
        if isinstance(value, int):
            return value
        if isinstance(value, str):
            value = [value]
        return self.vocabulary.to_mask(self._checked(value))

    def value_to_string(self, obj):
        return ",".join(self.value_from_object(obj))

    def validate(self, value, model_instance):
        # The only valid values are subsets of the vocabulary, checked in to_python.
        if not self.blank and not value:
            raise ValidationError(self.error_messages["blank"], code="blank")

    def formfield(self, **kwargs):
        defaults = {
            "form_class": forms.TypedMultipleChoiceField,
            "choices": self.vocabulary.choices,
            "widget": forms.CheckboxSelectMultiple,
            "required": not self.blank,
            "coerce": str,
        }
        defaults.update(kwargs)
        defaults.pop("max_value", None)
        defaults.pop("min_value", None)
        defaults.pop("step_size", None)
        return forms.TypedMultipleChoiceField(
            **{k: v for k, v in defaults.items() if k != "form_class"}
        )


class _MaskLookup(Lookup):
    def get_db_prep_lookup(self, value, connection):
        return ("%s", [self.lhs.output_field.get_prep_value(value)])


@VocabularySetField.register_lookup
class HasAny(_MaskLookup):
    """`accessibility__has_any=["step_free", "hearing_loop"]`: at least one of them."""

    lookup_name = "has_any"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"({lhs} & {rhs}) <> 0", [*lhs_params, *rhs_params]


@VocabularySetField.register_lookup
class HasAll(_MaskLookup):
    """`accessibility__has_all=["step_free", "hearing_loop"]`: every one of them."""

    lookup_name = "has_all"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"({lhs} & {rhs}) = {rhs}", [*lhs_params, *rhs_params, *rhs_params]
