from enum import StrEnum


class TokenScope(StrEnum):
    ADMIN = "admin"
    APPLICATION = "application"

    def __str__(self) -> str:
        return str(self.value)
