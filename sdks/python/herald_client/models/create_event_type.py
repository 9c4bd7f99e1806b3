from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.create_event_type_schema_type_0 import CreateEventTypeSchemaType0


T = TypeVar("T", bound="CreateEventType")


@_attrs_define
class CreateEventType:
    """
    Example:
        {'description': 'A referred customer paid.', 'example': {'referral_id': 'ref_123'}, 'name':
            'referral.converted', 'schema': {'properties': {'referral_id': {'type': 'string'}}, 'required': ['referral_id'],
            'type': 'object'}}

    Attributes:
        name (str):
        archived (bool | Unset):
        description (str | Unset):
        example (Any | Unset): Any JSON value that matches `schema`.
        schema (CreateEventTypeSchemaType0 | None | Unset):
    """

    name: str
    archived: bool | Unset = UNSET
    description: str | Unset = UNSET
    example: Any | Unset = UNSET
    schema: CreateEventTypeSchemaType0 | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.create_event_type_schema_type_0 import CreateEventTypeSchemaType0  # noqa: PLC0415

        name = self.name

        archived = self.archived

        description = self.description

        example = self.example

        schema: dict[str, Any] | None | Unset
        if isinstance(self.schema, Unset):
            schema = UNSET
        elif isinstance(self.schema, CreateEventTypeSchemaType0):
            schema = self.schema.to_dict()
        else:
            schema = self.schema

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
            }
        )
        if archived is not UNSET:
            field_dict["archived"] = archived
        if description is not UNSET:
            field_dict["description"] = description
        if example is not UNSET:
            field_dict["example"] = example
        if schema is not UNSET:
            field_dict["schema"] = schema

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.create_event_type_schema_type_0 import CreateEventTypeSchemaType0  # noqa: PLC0415

        d = dict(src_dict)
        name = d.pop("name")

        archived = d.pop("archived", UNSET)

        description = d.pop("description", UNSET)

        example = d.pop("example", UNSET)

        def _parse_schema(data: object) -> CreateEventTypeSchemaType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                schema_type_0 = CreateEventTypeSchemaType0.from_dict(data)

                return schema_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CreateEventTypeSchemaType0 | None | Unset, data)

        schema = _parse_schema(d.pop("schema", UNSET))

        create_event_type = cls(
            name=name,
            archived=archived,
            description=description,
            example=example,
            schema=schema,
        )

        return create_event_type
