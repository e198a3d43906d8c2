"""An insats as reporting knows it (from outcomes' `InsatsRegistered`)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Insats:
    insats_id: str
    name: str
    registration: str
    position: int
    """Of the registration it comes from: a newer one replaces an older one, never back."""

    def as_json(self) -> dict:
        return {"insats_id": self.insats_id, "name": self.name, "registration": self.registration}
