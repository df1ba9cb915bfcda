"""What Litestar's OpenAPI schema leaves out of our input types, put back.

Litestar writes a msgspec ``Struct``'s schema from its fields, but (2.25) it does not say
that a Struct made with ``forbid_unknown_fields`` refuses other fields, and it drops a
text field's length and pattern when the field may also be ``null``. A client reading
the schema (Schemathesis among them) would then send what the API refuses, and learn the
rules only from 400s. This plugin takes Litestar's schema for a Struct and adds both, and
says what a decimal written as text looks like (Litestar gives it as any string).
"""
from __future__ import annotations

from typing import Any

import msgspec
from litestar._openapi.schema_generation.plugins.struct import StructSchemaPlugin
from litestar.openapi.spec import Schema
from litestar.typing import FieldDefinition

_STR_LIMITS = {"max_length": "max_length", "min_length": "min_length", "pattern": "pattern"}
DECIMAL_TEXT = r"^-?[0-9]{1,9}([.][0-9]{1,6})?$"
"""A decimal as the API takes and gives it: "7.5", "-120.25"."""
DATE_RANGE = r"^(19[0-9]{2}|2[01][0-9]{2})-"
"""The years a date may have (core.forms.DATE_MIN..DATE_MAX): JSON Schema has no bounds
for a date, so the first four digits say it."""


def _is_date(field_type: Any) -> bool:
    if isinstance(field_type, msgspec.inspect.Metadata):
        field_type = field_type.type
    if isinstance(field_type, msgspec.inspect.DateType):
        return True
    return isinstance(field_type, msgspec.inspect.UnionType) and any(_is_date(t) for t in field_type.types)


def _is_decimal(field_type: Any) -> bool:
    if isinstance(field_type, msgspec.inspect.Metadata):
        field_type = field_type.type
    if isinstance(field_type, msgspec.inspect.DecimalType):
        return True
    return isinstance(field_type, msgspec.inspect.UnionType) and any(_is_decimal(t) for t in field_type.types)


def _string_branches(prop: Schema) -> list[Schema]:
    branches = [b for b in (prop.one_of or prop.any_of or []) if isinstance(b, Schema)]
    return [b for b in [prop, *branches] if b.type == "string" or getattr(b.type, "value", None) == "string"]


def _nullable_text(field_type: Any) -> msgspec.inspect.StrType | None:
    """The text type inside ``str | None``, when it carries limits."""
    if isinstance(field_type, msgspec.inspect.UnionType):
        texts = [t for t in field_type.types if isinstance(t, msgspec.inspect.StrType)]
        if len(texts) == 1 and any(isinstance(t, msgspec.inspect.NoneType) for t in field_type.types):
            return texts[0]
    return None


class StrictStructSchemaPlugin(StructSchemaPlugin):
    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator: Any) -> Schema:
        schema = super().to_openapi_schema(field_definition, schema_creator)
        info = msgspec.inspect.type_info(field_definition.type_)
        if not isinstance(info, msgspec.inspect.StructType):
            return schema
        if info.forbid_unknown_fields:
            schema.additional_properties = False
        for field in info.fields:
            prop = (schema.properties or {}).get(field.encode_name)
            if _is_decimal(field.type) and isinstance(prop, Schema):
                for branch in _string_branches(prop):
                    branch.pattern = DECIMAL_TEXT
            if _is_date(field.type) and isinstance(prop, Schema):
                for branch in _string_branches(prop):
                    branch.pattern = DATE_RANGE
            text = _nullable_text(field.type)
            if text is None or not isinstance(prop, Schema):
                continue
            for branch in prop.one_of or prop.any_of or []:
                if isinstance(branch, Schema) and branch.type == "string" or getattr(branch.type, "value", None) == "string":
                    for attr in _STR_LIMITS:
                        value = getattr(text, attr)
                        if value is not None:
                            setattr(branch, attr, value)
        return schema
