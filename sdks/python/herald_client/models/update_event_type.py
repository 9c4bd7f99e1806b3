from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.update_event_type_schema_type_0 import UpdateEventTypeSchemaType0


T = TypeVar("T", bound="UpdateEventType")


@_attrs_define
class UpdateEventType:
    """
    Attributes:
        archived (bool | None | Unset):
        description (None | str | Unset):
        example (Any | Unset):
        schema (None | Unset | UpdateEventTypeSchemaType0):
    """

    archived: bool | None | Unset = UNSET
    description: None | str | Unset = UNSET
    example: Any | Unset = UNSET
    schema: None | Unset | UpdateEventTypeSchemaType0 = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.update_event_type_schema_type_0 import UpdateEventTypeSchemaType0  # noqa: PLC0415

        archived: bool | None | Unset
        if isinstance(self.archived, Unset):
            archived = UNSET
        else:
            archived = self.archived

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        example = self.example

        schema: dict[str, Any] | None | Unset
        if isinstance(self.schema, Unset):
            schema = UNSET
        elif isinstance(self.schema, UpdateEventTypeSchemaType0):
            schema = self.schema.to_dict()
        else:
            schema = self.schema

        field_dict: dict[str, Any] = {}

        field_dict.update({})
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
        from ..models.update_event_type_schema_type_0 import UpdateEventTypeSchemaType0  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_archived(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        archived = _parse_archived(d.pop("archived", UNSET))

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        example = d.pop("example", UNSET)

        def _parse_schema(data: object) -> None | Unset | UpdateEventTypeSchemaType0:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                schema_type_0 = UpdateEventTypeSchemaType0.from_dict(data)

                return schema_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UpdateEventTypeSchemaType0, data)

        schema = _parse_schema(d.pop("schema", UNSET))

        update_event_type = cls(
            archived=archived,
            description=description,
            example=example,
            schema=schema,
        )

        return update_event_type
