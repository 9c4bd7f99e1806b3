from enum import StrEnum


class SignatureType1Scheme(StrEnum):
    HMAC_SHA256 = "hmac-sha256"

    def __str__(self) -> str:
        return str(self.value)
