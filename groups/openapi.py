"""The OpenAPI 3.1 document for the search API, generated from the FilterSet.

Generating the parameters from GroupSearchFilter keeps the document and the
code from drifting apart: a filter added there is documented here.
"""

import django_filters
from django.conf import settings
from django.utils.encoding import force_str

from groups.search.filters import GroupSearchFilter
from groups.vocabularies import ALL


def _parameter(name: str, flt) -> dict:
    description = force_str(flt.label or name)
    if isinstance(flt, django_filters.MultipleChoiceFilter):
        schema = {
            "type": "array",
            "items": {"type": "string", "enum": [c for c, _ in flt.extra["choices"]]},
        }
        description += ". Several values (repeated or comma-separated) mean any of them."
        return {
            "name": name,
            "in": "query",
            "required": False,
            "description": description,
            "style": "form",
            "explode": True,
            "schema": schema,
        }
    if isinstance(flt, django_filters.ChoiceFilter):
        schema = {"type": "string", "enum": [c for c, _ in flt.extra["choices"]]}
    elif isinstance(flt, django_filters.BooleanFilter):
        schema = {"type": "boolean"}
    elif isinstance(flt, django_filters.NumberFilter):
        schema = {"type": "number"}
        if "min_value" in flt.extra:
            schema["minimum"] = flt.extra["min_value"]
        if "max_value" in flt.extra:
            schema["maximum"] = flt.extra["max_value"]
        if flt.field_class.__name__ == "IntegerField":
            schema["type"] = "integer"
    else:
        schema = {"type": "string"}
        if "max_length" in flt.extra:
            schema["maxLength"] = flt.extra["max_length"]
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


def _coded(vocabulary: str) -> dict:
    return {
        "type": "object",
        "properties": {
            "code": {"type": "string", "enum": list(ALL[vocabulary].codes)},
            "label": {"type": "string"},
        },
    }


def _group_schema() -> dict:
    coded_list = {v: {"type": "array", "items": _coded(v)} for v in ALL}
    nullable_string = {"type": ["string", "null"]}
    return {
        "type": "object",
        "required": ["id", "name", "url", "format", "distance_km", "next_meeting"],
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "url": {"type": "string", "format": "uri"},
            "api_url": {"type": "string", "format": "uri"},
            "organization": {"type": "string"},
            "format": _coded("format"),
            "facilitation": _coded("facilitation"),
            "registration_required": {"type": "boolean"},
            "accepting_new_members": {"type": "boolean"},
            "distance_km": {"type": ["number", "null"]},
            "next_meeting": {
                **nullable_string,
                "format": "date-time",
                "description": "ISO 8601 with the group's local UTC offset.",
            },
            "cost": {
                "type": "object",
                "properties": {
                    "code": {"type": "string", "enum": list(ALL["cost"].codes)},
                    "label": {"type": "string"},
                    "amount": nullable_string,
                    "detail": {"type": "string"},
                },
            },
            "accessibility": coded_list["accessibility"],
            "transport": coded_list["transport"],
            "languages": coded_list["languages"],
            "topics": coded_list["topics"],
            "audience": coded_list["audience"],
            "city": nullable_string,
            "region": nullable_string,
        },
    }


def document() -> dict:
    parameters = [_parameter(name, f) for name, f in GroupSearchFilter.base_filters.items()]
    parameters.append(
        {
            "name": "page",
            "in": "query",
            "required": False,
            "schema": {"type": "integer", "minimum": 1},
            "description": "Page number (20 results a page).",
        }
    )
    errors = {
        "description": "A parameter has a bad value; errors are listed by parameter.",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "errors": {
                            "type": "object",
                            "additionalProperties": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "properties": {
                                        "message": {"type": "string"},
                                        "code": {"type": "string"},
                                    },
                                },
                            },
                        }
                    },
                }
            }
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{settings.SITE_NAME} group search API",
            "version": "1.0.0",
            "description": (
                "Search published community support groups. Several values in one "
                "parameter mean OR; different parameters mean AND. Online and phone "
                "groups are included whatever the location unless online=exclude."
            ),
        },
        "servers": [{"url": settings.SITE_URL}],
        "paths": {
            "/api/groups/": {
                "get": {
                    "operationId": "searchGroups",
                    "summary": "Search groups",
                    "parameters": parameters,
                    "responses": {
                        "200": {
                            "description": "One page of results.",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": [
                                            "count",
                                            "count_exact",
                                            "next",
                                            "previous",
                                            "results",
                                        ],
                                        "properties": {
                                            "count": {
                                                "type": "integer",
                                                "description": (
                                                    "Groups found. Each part of a search "
                                                    "(near the place; online and phone) "
                                                    "is counted up to 200: when "
                                                    "count_exact is false there are more."
                                                ),
                                            },
                                            "count_exact": {"type": "boolean"},
                                            "next": {"type": ["string", "null"], "format": "uri"},
                                            "previous": {
                                                "type": ["string", "null"],
                                                "format": "uri",
                                            },
                                            "results": {
                                                "type": "array",
                                                "items": {"$ref": "#/components/schemas/Group"},
                                            },
                                        },
                                    }
                                }
                            },
                        },
                        "400": errors,
                    },
                }
            },
            "/api/groups/{id}/": {
                "get": {
                    "operationId": "getGroup",
                    "summary": "One published group",
                    "parameters": [
                        {
                            "name": "id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer"},
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "The group, with its schedule and next meetings.",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Group"}
                                }
                            },
                        },
                        "404": {"description": "No published group with this id."},
                    },
                }
            },
        },
        "components": {"schemas": {"Group": _group_schema()}},
    }
