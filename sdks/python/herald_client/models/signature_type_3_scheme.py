from enum import StrEnum


class SignatureType3Scheme(StrEnum):
    STATIC_HEADER = "static-header"

    def __str__(self) -> str:
        return str(self.value)
