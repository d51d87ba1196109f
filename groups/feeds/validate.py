"""Validation of records against the HSDS 3.0 JSON Schemas, read at run time.

The schemas are not copied into the code: they are loaded from the folder named by
the KINDRED_HSDS_SCHEMA_DIR setting (its `compiled/` subfolder holds dereferenced
schemas). A deployment without them gets a clear error, not a silent pass.
"""

import json
from functools import cache
from pathlib import Path

import jsonschema_rs
from django.conf import settings
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match


class SchemasMissing(RuntimeError):
    """The HSDS schemas are not where the settings say; the message says how to fix it."""


def schema_dir() -> Path:
    return Path(settings.KINDRED_HSDS_SCHEMA_DIR)


def _path(name: str) -> Path:
    path = schema_dir() / name
    if not path.is_file():
        raise SchemasMissing(
            f"The HSDS 3.0 schema {name} was not found in {schema_dir()}. Copy the "
            "specification's schema/ folder there or set KINDRED_HSDS_SCHEMA_DIR."
        )
    return path


@cache
def load_schema(name: str) -> dict:
    """A schema file relative to the schema folder, e.g. "compiled/service.json"."""
    with _path(name).open(encoding="utf-8") as handle:
        return json.load(handle)


@cache
def validator(name: str) -> Draft202012Validator:
    # Formats (uuid, uri, email) are not enforced: partners' ids are rarely UUIDs,
    # and links and addresses are checked by groups/feeds/sanitize.py instead.
    return Draft202012Validator(load_schema(f"compiled/{name}.json"))


@cache
def fast_validator(name: str):
    return jsonschema_rs.validator_for(load_schema(f"compiled/{name}.json"), validate_formats=False)


def record_errors(record, *, schema: str = "service", limit: int = 3) -> list[str]:
    """Plain messages for what is wrong with one record, at most `limit` of them.

    The Rust validator answers "valid?" for every record; the reference implementation
    (jsonschema) is asked only about the few it refuses, for readable messages, and has
    the last word if the two ever disagree.
    """
    if not isinstance(record, dict):
        return [f"a record must be a JSON object, not {type(record).__name__}"]
    try:
        if fast_validator(schema).is_valid(record):
            return []
    except (ValueError, OverflowError, RecursionError):
        pass  # numbers or depth the Rust side refuses: let jsonschema decide
    checker = validator(schema)
    errors = list(checker.iter_errors(record))
    if not errors:
        return []
    first = best_match(errors)
    ordered = [first] + [e for e in errors if e is not first]
    return [_describe(e) for e in ordered[:limit]]


def _describe(error) -> str:
    where = ".".join(str(p) for p in error.absolute_path) or "record"
    message = error.message
    if len(message) > 200:
        message = message[:197] + "..."
    return f"{where}: {message}"
