from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.event_type_view_schema_type_0 import EventTypeViewSchemaType0


T = TypeVar("T", bound="EventTypeView")


@_attrs_define
class EventTypeView:
    """
    Attributes:
        archived (bool):
        created_at (datetime.datetime):
        description (str):
        id (str):
        name (str):
        updated_at (datetime.datetime):
        example (Any | Unset): Any JSON value that matches `schema`.
        schema (EventTypeViewSchemaType0 | None | Unset):
    """

    archived: bool
    created_at: datetime.datetime
    description: str
    id: str
    name: str
    updated_at: datetime.datetime
    example: Any | Unset = UNSET
    schema: EventTypeViewSchemaType0 | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.event_type_view_schema_type_0 import EventTypeViewSchemaType0  # noqa: PLC0415

        archived = self.archived

        created_at = self.created_at.isoformat()

        description = self.description

        id = self.id

        name = self.name

        updated_at = self.updated_at.isoformat()

        example = self.example

        schema: dict[str, Any] | None | Unset
        if isinstance(self.schema, Unset):
            schema = UNSET
        elif isinstance(self.schema, EventTypeViewSchemaType0):
            schema = self.schema.to_dict()
        else:
            schema = self.schema

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "archived": archived,
                "created_at": created_at,
                "description": description,
                "id": id,
                "name": name,
                "updated_at": updated_at,
            }
        )
        if example is not UNSET:
            field_dict["example"] = example
        if schema is not UNSET:
            field_dict["schema"] = schema

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.event_type_view_schema_type_0 import EventTypeViewSchemaType0  # noqa: PLC0415

        d = dict(src_dict)
        archived = d.pop("archived")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        description = d.pop("description")

        id = d.pop("id")

        name = d.pop("name")

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        example = d.pop("example", UNSET)

        def _parse_schema(data: object) -> EventTypeViewSchemaType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                schema_type_0 = EventTypeViewSchemaType0.from_dict(data)

                return schema_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(EventTypeViewSchemaType0 | None | Unset, data)

        schema = _parse_schema(d.pop("schema", UNSET))

        event_type_view = cls(
            archived=archived,
            created_at=created_at,
            description=description,
            id=id,
            name=name,
            updated_at=updated_at,
            example=example,
            schema=schema,
        )

        event_type_view.additional_properties = d
        return event_type_view

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
