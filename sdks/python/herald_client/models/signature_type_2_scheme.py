from enum import StrEnum


class SignatureType2Scheme(StrEnum):
    HMAC_SHA1 = "hmac-sha1"

    def __str__(self) -> str:
        return str(self.value)
