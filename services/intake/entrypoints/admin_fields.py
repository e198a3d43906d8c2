"""The admin pages' inputs as the förbund's admins speak of them: each input's Swedish label
and what to enter when it is refused (as `domain.fields` declares the staff forms'), and the
audit log's actions in Swedish. The rules themselves are the models' (`InsatsDetails`,
`UserDetails`, `TokenDetails`) and the patterns of the contract."""

import re

from pydantic import ValidationError

from services.intake.domain.fields import Asked
from services.intake.entrypoints.form_errors import IDENTITY_NUMBER, FieldErrors
from services.intake.service_layer import commands
from services.intake.service_layer.accounts import MIN_PASSWORD_LENGTH
from shared.contract.access import USERNAME_PATTERN
from shared.contract.events import INSATS_ID_PATTERN
from shared.contract.identity import ERROR_TYPE as IDENTITY_ERROR
from shared.web import code_labels

INSATS_ID = re.compile(INSATS_ID_PATTERN)
USERNAME = re.compile(USERNAME_PATTERN)

INSATS = {
    "insats_id": Asked(
        "Id", "Ange ett id med små bokstäver (a–z), siffror och bindestreck, högst 64 tecken."
    ),
    "name": Asked("Namn", "Ange insatsens namn på en rad, högst 200 tecken."),
    "registration": Asked("Registrering", "Välj hur insatsen registreras."),
}
USER = {
    "username": Asked(
        "Användarnamn",
        "Ange 2–64 tecken: små bokstäver a–z, siffror, punkt, bindestreck eller "
        "understreck, först en bokstav eller siffra.",
    ),
    "role": Asked("Roll", "Välj en roll."),
    "insatser": Asked("Insatser", "Välj insatser i listan, var och en en gång."),
    "password": Asked(
        "Lösenord", f"Ange ett lösenord med minst {MIN_PASSWORD_LENGTH} och högst 256 tecken."
    ),
    "active": Asked("Aktiv", "Välj om kontot är aktivt."),
}
WRONG_ADMIN_TOKEN = "Fel administratörstoken. Den finns i systemets miljö (STEGVIS_ADMIN_TOKEN)."
SETUP = {"admin_token": Asked("Administratörstoken", WRONG_ADMIN_TOKEN)} | USER
"""The first account's page: the admin token, then the new förbundsadmin's name and password."""
TOKEN = {
    "username": Asked("Användare", "Välj en användare i listan."),
    "expires_in_days": Asked("Giltig antal dagar", "Ange ett helt antal dagar, minst 1."),
    "password": Asked("Ditt lösenord", "Ange ditt eget lösenord igen."),
}
_DUTIES = {
    "forbundsadmin": "insatser, användare, tokens, alla rapporter",
    "insatsansvarig": "registrerar i och läser rapporten för sina insatser",
    "lasare": "läser alla rapporter, registrerar inget",
}
ROLES = {code: f"{label} ({_DUTIES[code]})" for code, label in code_labels.ROLE.items()}
_KINDS = {
    "individ": "deltagare med start, uppföljning och avslut",
    "volym": "antal per kön",
    "struktur": "aktiviteter som utbildningar och nätverk, deltagare per kön",
}
REGISTRATIONS = {
    code: f"{label} ({_KINDS[code]})" for code, label in code_labels.REGISTRATION.items()
}
WRONG_PASSWORD = "Fel lösenord. Ange ditt eget lösenord, det du loggade in med."
INSATS_TAKEN = "Det finns redan en insats med det id:t. Välj ett annat, eller byt namn på den."
USER_TAKEN = "Det finns redan en användare med det namnet. Ändra den i listan i stället."
GRANTS_ONLY_INSATSANSVARIG = (
    "Bara en insatsansvarig får insatser; de andra rollerna ser alla. Ta bort bockarna "
    "eller välj rollen insatsansvarig."
)
DEACTIVATED = "Kontot är inaktiverat. Aktivera det under Användare först."
REGISTRATION_FIXED = (
    "Insatsen har redan registreringar, så registreringssättet kan inte ändras längre."
)


def too_long(days: int) -> str:
    return f"Ange ett helt antal dagar, 1–{days}."


ACTIONS = {
    commands.DefineInsats.ACTION: "Insats sparad",
    commands.StartParticipant.ACTION: "Start",
    commands.RecordProgress.ACTION: "Uppföljning",
    commands.StopParticipant.ACTION: "Avslut",
    commands.MoveParticipant.ACTION: "Gått vidare till annan insats",
    commands.RegisterVolume.ACTION: "Volym",
    commands.RegisterActivity.ACTION: "Aktivitet",
    commands.CorrectEvent.ACTION: "Rättelse",
    commands.VoidEvent.ACTION: "Makulering",
    commands.ImportRows.ACTION: "Import",
    commands.PutUser.ACTION: "Användare sparad",
    commands.IssueToken.ACTION: "Token skapad",
    commands.OpenSession.ACTION: "Inloggning",
    commands.RevokeToken.ACTION: "Återkallad token eller utloggning",
}
"""The audit log's actions (each command's `ACTION`) as the log page names them."""


def refusals(error: ValidationError, asked: dict[str, Asked]) -> FieldErrors:
    """The first problem of each input, said as `asked` says what to enter."""
    errors: FieldErrors = {}
    for item in error.errors():
        field = str(item["loc"][0])
        message = asked[field].refused if field in asked else "Kontrollera uppgiften."
        if item["type"] == IDENTITY_ERROR:
            message = IDENTITY_NUMBER
        errors.setdefault(field, message)
    return errors
