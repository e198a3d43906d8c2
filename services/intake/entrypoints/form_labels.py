"""Swedish words of the staff forms: the code lists' labels (`shared.web.code_labels`, the same
words the reports print, are the templates' `codes`), and the forms' own."""

from dataclasses import dataclass

from services.intake.entrypoints.form_input import NO, YES
from shared.contract.codes import FOLLOWUP_MONTHS as FOLLOWUP_MONTH_CODES
from shared.contract.codes import OutcomeClass, OutcomePolicy, Reason
from shared.web import code_labels

OUTCOME_GROUPS = {
    OutcomeClass.POSITIVE: "Positiva avslut – närmare arbete eller studier",
    OutcomeClass.UNCLEAR: "Otydlig stegförflyttning – utan tydlig plan mot arbete",
    OutcomeClass.OTHER: "Övriga avslut",
}

# The exit answers are radios where "" is the participant's "no answer".
NOT_ANSWERED = {"": "Ej besvarat"}
WORK_CAPACITY = code_labels.WORK_CAPACITY | NOT_ANSWERED
YES_NO = {YES: "Ja", NO: "Nej"} | NOT_ANSWERED
REACHED = {YES: "Ja", NO: "Nej"}
FOLLOWUP_MONTHS = {str(months): f"{months} månader" for months in FOLLOWUP_MONTH_CODES}
RESPECT = {str(score): str(score) for score in range(1, 7)} | NOT_ANSWERED

INDICATORS = {
    "jobbsokning": "Jobbsökning",
    "kompetenser": "Arbetsrelaterade kompetenser",
    "social_kompetens": "Social kompetens",
    "halsa": "Hälsa",
    "personliga_forhallanden": "Personliga förhållanden",
}
"""The indicator card's areas (the BIP method), each scored 1–5 at a check-in."""


def reason_groups(policy: OutcomePolicy) -> list[tuple[str, dict[str, str]]]:
    """The avslutsanledningar grouped by the förbund's outcome class (its policy), so the
    choice shows what it counts as."""
    groups = []
    for outcome_class, group in OUTCOME_GROUPS.items():
        reasons = {
            code: label
            for code, label in code_labels.REASON.items()
            if policy.outcome_class(Reason(code)) is outcome_class
        }
        if reasons:
            groups.append((group, reasons))
    return groups


@dataclass(frozen=True)
class RegistrationWords:
    """How the forms speak of one kind of a participant's registrations (a correction's
    kind: start, progress or stop)."""

    name: str
    """Heads the registration on the participant's page."""
    definite: str
    """In a sentence: "Rätta inskrivningen av …"."""
    corrected: str
    voided: str


REGISTRATIONS = {
    "start": RegistrationWords(
        "Inskrivning", "inskrivningen", "Inskrivningen är rättad", "Inskrivningen är makulerad"
    ),
    "progress": RegistrationWords(
        "Uppföljning", "uppföljningen", "Uppföljningen är rättad", "Uppföljningen är makulerad"
    ),
    "stop": RegistrationWords("Avslut", "avslutet", "Avslutet är rättat", "Avslutet är makulerat"),
    "followup": RegistrationWords(
        "Uppföljning efter avslut",
        "uppföljningen efter avslut",
        "Uppföljningen efter avslut är rättad",
        "Uppföljningen efter avslut är makulerad",
    ),
}
