from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.signature_encoding import SignatureEncoding
from ..models.signature_key import SignatureKey
from ..models.signature_type_1_scheme import SignatureType1Scheme
from ..types import UNSET, Unset

T = TypeVar("T", bound="SignatureType1")


@_attrs_define
class SignatureType1:
    """HMAC-SHA256 of the body in `header`.

    Attributes:
        header (str):
        scheme (SignatureType1Scheme):
        encoding (SignatureEncoding | Unset): How a signature is written.
        key (SignatureKey | Unset): Which secret keys an HMAC: the endpoint's signing secret (its full text)
            or the application's credential (e.g. the customer's API key).
    """

    header: str
    scheme: SignatureType1Scheme
    encoding: SignatureEncoding | Unset = UNSET
    key: SignatureKey | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        header = self.header

        scheme = self.scheme.value

        encoding: str | Unset = UNSET
        if not isinstance(self.encoding, Unset):
            encoding = self.encoding.value

        key: str | Unset = UNSET
        if not isinstance(self.key, Unset):
            key = self.key.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "header": header,
                "scheme": scheme,
            }
        )
        if encoding is not UNSET:
            field_dict["encoding"] = encoding
        if key is not UNSET:
            field_dict["key"] = key

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        header = d.pop("header")

        scheme = SignatureType1Scheme(d.pop("scheme"))

        _encoding = d.pop("encoding", UNSET)
        encoding: SignatureEncoding | Unset
        if isinstance(_encoding, Unset):
            encoding = UNSET
        else:
            encoding = SignatureEncoding(_encoding)

        _key = d.pop("key", UNSET)
        key: SignatureKey | Unset
        if isinstance(_key, Unset):
            key = UNSET
        else:
            key = SignatureKey(_key)

        signature_type_1 = cls(
            header=header,
            scheme=scheme,
            encoding=encoding,
            key=key,
        )

        return signature_type_1
