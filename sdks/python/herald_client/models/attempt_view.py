from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="AttemptView")


@_attrs_define
class AttemptView:
    """
    Attributes:
        attempt_number (int):
        endpoint_id (str):
        id (str):
        latency_ms (int):
        manual (bool): Asked for by hand (a replay), outside the retry schedule.
        msg_id (str):
        status (str):
        timestamp (datetime.datetime):
        url (str):
        error (None | str | Unset):
        response_body (None | str | Unset):
        status_code (int | None | Unset):
    """

    attempt_number: int
    endpoint_id: str
    id: str
    latency_ms: int
    manual: bool
    msg_id: str
    status: str
    timestamp: datetime.datetime
    url: str
    error: None | str | Unset = UNSET
    response_body: None | str | Unset = UNSET
    status_code: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        attempt_number = self.attempt_number

        endpoint_id = self.endpoint_id

        id = self.id

        latency_ms = self.latency_ms

        manual = self.manual

        msg_id = self.msg_id

        status = self.status

        timestamp = self.timestamp.isoformat()

        url = self.url

        error: None | str | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        else:
            error = self.error

        response_body: None | str | Unset
        if isinstance(self.response_body, Unset):
            response_body = UNSET
        else:
            response_body = self.response_body

        status_code: int | None | Unset
        if isinstance(self.status_code, Unset):
            status_code = UNSET
        else:
            status_code = self.status_code

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "attempt_number": attempt_number,
                "endpoint_id": endpoint_id,
                "id": id,
                "latency_ms": latency_ms,
                "manual": manual,
                "msg_id": msg_id,
                "status": status,
                "timestamp": timestamp,
                "url": url,
            }
        )
        if error is not UNSET:
            field_dict["error"] = error
        if response_body is not UNSET:
            field_dict["response_body"] = response_body
        if status_code is not UNSET:
            field_dict["status_code"] = status_code

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        attempt_number = d.pop("attempt_number")

        endpoint_id = d.pop("endpoint_id")

        id = d.pop("id")

        latency_ms = d.pop("latency_ms")

        manual = d.pop("manual")

        msg_id = d.pop("msg_id")

        status = d.pop("status")

        timestamp = datetime.datetime.fromisoformat(d.pop("timestamp"))

        url = d.pop("url")

        def _parse_error(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        error = _parse_error(d.pop("error", UNSET))

        def _parse_response_body(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        response_body = _parse_response_body(d.pop("response_body", UNSET))

        def _parse_status_code(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        status_code = _parse_status_code(d.pop("status_code", UNSET))

        attempt_view = cls(
            attempt_number=attempt_number,
            endpoint_id=endpoint_id,
            id=id,
            latency_ms=latency_ms,
            manual=manual,
            msg_id=msg_id,
            status=status,
            timestamp=timestamp,
            url=url,
            error=error,
            response_body=response_body,
            status_code=status_code,
        )

        attempt_view.additional_properties = d
        return attempt_view

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
