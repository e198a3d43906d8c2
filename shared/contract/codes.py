"""The code lists of the public contract (api.md, "Codes").

The codes never change within v1; the mapping from avslutsanledning to outcome class is
policy, so only its default lives here (see `OutcomePolicy`).
"""

import calendar
from datetime import date
from enum import StrEnum
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field


class Gender(StrEnum):
    KVINNA = "kvinna"
    MAN = "man"
    ANNAN = "annan"


GENDERS: tuple[Gender, ...] = tuple(Gender)


class Registration(StrEnum):
    INDIVID = "individ"
    VOLYM = "volym"
    STRUKTUR = "struktur"
    """Structural: activities (training, networks, conferences) counted by kön, no one
    followed individually."""


class ActivityKind(StrEnum):
    UTBILDNING = "utbildning"
    NATVERK = "natverk"
    KONFERENS = "konferens"
    KARTLAGGNING = "kartlaggning"
    ANNAN = "annan"


class Reason(StrEnum):
    ARBETE = "arbete"
    ARBETE_SUBVENTIONERAT = "arbete_subventionerat"
    STUDIER = "studier"
    ARBETSSOKANDE = "arbetssokande"
    ARBETSTRANING = "arbetstraning"
    TILLBAKA_REMITTENT = "tillbaka_remittent"
    ANNAN_INSATS = "annan_insats"
    SJUKDOM = "sjukdom"
    FORALDRALEDIGHET = "foraldraledighet"
    PENSION = "pension"
    FLYTT = "flytt"
    EGEN_BEGARAN = "egen_begaran"
    EJ_KONTAKT = "ej_kontakt"
    ANNAT = "annat"


class Education(StrEnum):
    GRUNDSKOLA = "grundskola"
    GYMNASIUM = "gymnasium"
    EFTERGYMNASIAL = "eftergymnasial"
    HOGSKOLA_UPP_TILL_1 = "hogskola_upp_till_1"
    HOGSKOLA_UPP_TILL_3 = "hogskola_upp_till_3"
    HOGSKOLA_OVER_3 = "hogskola_over_3"
    SAKNAS = "saknas"


class SupportType(StrEnum):
    SJUKPENNING = "sjukpenning"
    AKTIVITETSERSATTNING = "aktivitetsersattning"
    SJUKERSATTNING = "sjukersattning"
    A_KASSA = "a_kassa"
    AKTIVITETSSTOD = "aktivitetsstod"
    FORSORJNINGSSTOD = "forsorjningsstod"
    ETABLERINGSERSATTNING = "etableringsersattning"
    ANNAN = "annan"
    INGEN = "ingen"


class Referrer(StrEnum):
    FK = "fk"
    AF = "af"
    KOMMUN = "kommun"
    REGION = "region"
    ANNAN = "annan"


class WorkCapacity(StrEnum):
    NARMAT = "narmat"
    LIKA = "lika"
    LANGRE_BORT = "langre_bort"


class OutcomeClass(StrEnum):
    POSITIVE = "positive"
    UNCLEAR = "unclear"
    OTHER = "other"


DEFAULT_OUTCOME_CLASSES: dict[Reason, OutcomeClass] = {
    Reason.ARBETE: OutcomeClass.POSITIVE,
    Reason.ARBETE_SUBVENTIONERAT: OutcomeClass.POSITIVE,
    Reason.STUDIER: OutcomeClass.POSITIVE,
    Reason.ARBETSSOKANDE: OutcomeClass.POSITIVE,
    Reason.ARBETSTRANING: OutcomeClass.POSITIVE,
    Reason.TILLBAKA_REMITTENT: OutcomeClass.UNCLEAR,
    Reason.ANNAN_INSATS: OutcomeClass.UNCLEAR,
}
"""Reasons not listed here are `OutcomeClass.OTHER`."""

WORK_OR_STUDIES: frozenset[Reason] = frozenset(
    {Reason.ARBETE, Reason.ARBETE_SUBVENTIONERAT, Reason.STUDIER}
)
"""The reasons that say a participant is in work or studies (a follow-up's `status`)."""

DEFAULT_DIRECT_REASONS: frozenset[Reason] = WORK_OR_STUDIES | {Reason.ARBETSSOKANDE}

FollowupMonths = Literal[3, 6, 12]
"""The months after the stop a follow-up may be made at (`months_after`)."""
FOLLOWUP_MONTHS: tuple[int, ...] = get_args(FollowupMonths)


def followup_due(end_date: date, months_after: int) -> date:
    """When the follow-up `months_after` months after a stop on `end_date` is due: the same
    day of the month so many months on (the month's last day where it has no such day)."""
    year, month = divmod(end_date.month - 1 + months_after, 12)
    year += end_date.year
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(end_date.day, last))


class OutcomePolicy(BaseModel):
    """A förbund's mapping of avslutsanledning to outcome class (configuration, not code).

    Only the reasons that differ from the default need to be given.
    """

    model_config = ConfigDict(frozen=True)

    classes: dict[Reason, OutcomeClass] = Field(default_factory=dict)
    direct: frozenset[Reason] = DEFAULT_DIRECT_REASONS

    def outcome_class(self, reason: Reason) -> OutcomeClass:
        return self.classes.get(reason, DEFAULT_OUTCOME_CLASSES.get(reason, OutcomeClass.OTHER))

    def is_direct(self, reason: Reason) -> bool:
        # Direct to work/studies is a subset of the positive exits, whatever the mapping.
        return reason in self.direct and self.outcome_class(reason) is OutcomeClass.POSITIVE
