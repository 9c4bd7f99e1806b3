from enum import StrEnum


class SignatureType0Scheme(StrEnum):
    STANDARD_WEBHOOKS = "standard-webhooks"

    def __str__(self) -> str:
        return str(self.value)
