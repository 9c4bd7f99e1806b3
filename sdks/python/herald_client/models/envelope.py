from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.envelope_field_type_0 import EnvelopeFieldType0
    from ..models.envelope_field_type_1 import EnvelopeFieldType1


T = TypeVar("T", bound="Envelope")


@_attrs_define
class Envelope:
    """The JSON body: `raw` sends the payload exactly as published; otherwise an
    object with `fields`, in order.

        Attributes:
            fields (list[EnvelopeFieldType0 | EnvelopeFieldType1] | Unset):
            raw (bool | Unset):
    """

    fields: list[EnvelopeFieldType0 | EnvelopeFieldType1] | Unset = UNSET
    raw: bool | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.envelope_field_type_0 import EnvelopeFieldType0  # noqa: PLC0415

        fields: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.fields, Unset):
            fields = []
            for fields_item_data in self.fields:
                fields_item: dict[str, Any]
                if isinstance(fields_item_data, EnvelopeFieldType0):
                    fields_item = fields_item_data.to_dict()
                else:
                    fields_item = fields_item_data.to_dict()

                fields.append(fields_item)

        raw = self.raw

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if fields is not UNSET:
            field_dict["fields"] = fields
        if raw is not UNSET:
            field_dict["raw"] = raw

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.envelope_field_type_0 import EnvelopeFieldType0  # noqa: PLC0415
        from ..models.envelope_field_type_1 import EnvelopeFieldType1  # noqa: PLC0415

        d = dict(src_dict)
        _fields = d.pop("fields", UNSET)
        fields: list[EnvelopeFieldType0 | EnvelopeFieldType1] | Unset = UNSET
        if _fields is not UNSET:
            fields = []
            for fields_item_data in _fields:

                def _parse_fields_item(data: object) -> EnvelopeFieldType0 | EnvelopeFieldType1:
                    try:
                        if not isinstance(data, dict):
                            raise TypeError()
                        componentsschemas_envelope_field_type_0 = EnvelopeFieldType0.from_dict(data)

                        return componentsschemas_envelope_field_type_0
                    except (TypeError, ValueError, AttributeError, KeyError):
                        pass
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_envelope_field_type_1 = EnvelopeFieldType1.from_dict(data)

                    return componentsschemas_envelope_field_type_1

                fields_item = _parse_fields_item(fields_item_data)

                fields.append(fields_item)

        raw = d.pop("raw", UNSET)

        envelope = cls(
            fields=fields,
            raw=raw,
        )

        return envelope
