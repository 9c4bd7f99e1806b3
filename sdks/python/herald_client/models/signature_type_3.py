from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.signature_type_3_scheme import SignatureType3Scheme

T = TypeVar("T", bound="SignatureType3")


@_attrs_define
class SignatureType3:
    """`header` carries the credential chosen for the endpoint (or, failing
    that, the application) verbatim, e.g. `Authorization`.

        Attributes:
            header (str):
            scheme (SignatureType3Scheme):
    """

    header: str
    scheme: SignatureType3Scheme

    def to_dict(self) -> dict[str, Any]:
        header = self.header

        scheme = self.scheme.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "header": header,
                "scheme": scheme,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        header = d.pop("header")

        scheme = SignatureType3Scheme(d.pop("scheme"))

        signature_type_3 = cls(
            header=header,
            scheme=scheme,
        )

        return signature_type_3
