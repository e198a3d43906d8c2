"""The registration forms: for each, its page, the kind of insats it is for and the command
(the JSON API's, run the same way), whose details its inputs become."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import get_type_hints

from pydantic import BaseModel

from services.intake.domain.fields import Kind, kind_of
from services.intake.domain.model import Insats, Participant
from services.intake.entrypoints.form_input import FormSpec
from services.intake.service_layer import commands
from services.intake.service_layer.commands import Command
from shared.contract.codes import Registration


@dataclass(frozen=True)
class Subject:
    """What a registration form is about, as stored now."""

    insats: Insats
    participant: Participant | None
    others: tuple[Insats, ...] = ()
    """The insatser a move may go to (a move's form only)."""


@dataclass(frozen=True)
class RegistrationForm:
    template: str
    command: Callable[..., Command]
    """The JSON API's command: made of the insats, the participant (on a participant's
    forms) and the details, whose model the form's inputs fill."""
    registration: Registration
    """The kind of insats it registers in."""
    done: str
    """The confirmation's heading."""
    assigns_code: bool = False
    """Its confirmation shows the participant's new code."""
    chooses_insats: bool = False
    """It names another insats (a move's): its page lists those the caller may choose."""
    after_stop: bool = False
    """It is about a participant who has stopped (a follow-up's), not one still in it."""
    prefilled: Mapping[str, str] = field(default_factory=dict)
    """Query parameters of its page that fill in a field (by its name) of a new form."""

    @property
    def spec(self) -> FormSpec:
        details = get_type_hints(self.command)["details"]
        assert issubclass(details, BaseModel)
        return FormSpec(details)

    @property
    def date_field(self) -> str:
        """The registration's date (its model's first): today's on a new form."""
        details = self.spec.details
        return next(name for name in details.model_fields if kind_of(details, name) is Kind.DATE)

    def command_about(self, subject: "Subject", details: BaseModel) -> Command:
        about = [subject.insats.insats_id]
        if subject.participant is not None:
            about.append(subject.participant.participant_id)
        return self.command(*about, details)


START = RegistrationForm(
    "start.html",
    commands.StartParticipant,
    Registration.INDIVID,
    "Deltagaren är inskriven",
    assigns_code=True,
)
PROGRESS = RegistrationForm(
    "progress.html", commands.RecordProgress, Registration.INDIVID, "Uppföljningen är registrerad"
)
STOP = RegistrationForm(
    "stop.html", commands.StopParticipant, Registration.INDIVID, "Deltagaren är avslutad"
)
MOVE = RegistrationForm(
    "move.html",
    commands.MoveParticipant,
    Registration.INDIVID,
    "Deltagaren har gått vidare",
    chooses_insats=True,
)
FOLLOWUP = RegistrationForm(
    "followup.html",
    commands.FollowUpParticipant,
    Registration.INDIVID,
    "Uppföljningen efter avslut är registrerad",
    after_stop=True,
    prefilled={"manader": "months_after"},  # from *Att följa upp*
)
VOLUME = RegistrationForm(
    "volume.html", commands.RegisterVolume, Registration.VOLYM, "Volymen är registrerad"
)
ACTIVITY = RegistrationForm(
    "activity.html", commands.RegisterActivity, Registration.STRUKTUR, "Aktiviteten är registrerad"
)

PARTICIPANT_PAGE = "/insatser/{insats_id}/deltagare/{participant_id}"
"""A participant's page; its forms are below it."""
REGISTRATION_FORMS = {
    "/insatser/{insats_id}/ny-deltagare": START,
    f"{PARTICIPANT_PAGE}/uppfoljning": PROGRESS,
    f"{PARTICIPANT_PAGE}/avsluta": STOP,
    f"{PARTICIPANT_PAGE}/ga-vidare": MOVE,
    f"{PARTICIPANT_PAGE}/efter-avslut": FOLLOWUP,
    "/insatser/{insats_id}/volym": VOLUME,
    "/insatser/{insats_id}/aktivitet": ACTIVITY,
}
"""Each form's page: GET shows it, POST registers."""
CORRECTION_FORMS = {"start": START, "progress": PROGRESS, "stop": STOP, "followup": FOLLOWUP}
"""The form of each kind of a participant's registrations
(`shared.contract.events.correction_kind`), in which it is shown with its values to be corrected."""


def insats_page(insats: Insats) -> str:
    """Where an insats's registrations start: its caseload, or the one form of an insats
    that counts people rather than follows them (volume, activity)."""
    if insats.registration is Registration.INDIVID:
        return f"/insatser/{insats.insats_id}"
    return next(
        path
        for path, form in REGISTRATION_FORMS.items()
        if form.registration is insats.registration
    ).format(insats_id=insats.insats_id)
