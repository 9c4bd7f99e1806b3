from enum import StrEnum


class SignatureType4Scheme(StrEnum):
    NONE = "none"

    def __str__(self) -> str:
        return str(self.value)
