"""Swedish words of the staff forms: the code lists' labels, in the order the forms offer
them. Pure data (reporting keeps its own for the reports: each service owns its pages)."""

from shared.codes import OutcomeClass, OutcomePolicy, Reason
from services.intake.entrypoints.form_input import NO, YES

GENDER = {"kvinna": "Kvinna", "man": "Man", "annan": "Annan definition av kön"}

EDUCATION = {
    "grundskola": "Grundskola",
    "gymnasium": "Gymnasium",
    "eftergymnasial": "Annan eftergymnasial utbildning",
    "hogskola_upp_till_1": "Högskola, upp till 1 år",
    "hogskola_upp_till_3": "Högskola, upp till 3 år",
    "hogskola_over_3": "Högskola, mer än 3 år",
    "saknas": "Saknas/okänd",
}

SUPPORT = {
    "sjukpenning": "Sjukpenning/rehabiliteringspenning",
    "aktivitetsersattning": "Aktivitetsersättning",
    "sjukersattning": "Sjukersättning",
    "a_kassa": "A-kassa",
    "aktivitetsstod": "Aktivitetsstöd",
    "forsorjningsstod": "Försörjningsstöd",
    "etableringsersattning": "Etableringsersättning",
    "annan": "Annan offentlig försörjning",
    "ingen": "Ingen offentlig försörjning",
}

REFERRER = {
    "fk": "Försäkringskassan",
    "af": "Arbetsförmedlingen",
    "kommun": "Kommunen",
    "region": "Regionen/vården",
    "annan": "Annan",
}

REASON = {
    "arbete": "Arbete utan lönesubvention",
    "arbete_subventionerat": "Arbete med lönesubvention",
    "studier": "Studier",
    "arbetssokande": "Aktivt arbetssökande (inskriven på Arbetsförmedlingen)",
    "arbetstraning": "Arbetsträning/praktik",
    "tillbaka_remittent": "Tillbaka till remittent",
    "annan_insats": "Annan förberedande insats/fortsatt rehabilitering",
    "sjukdom": "Sjukdom",
    "foraldraledighet": "Föräldraledighet",
    "pension": "Ålderspension",
    "flytt": "Flytt",
    "egen_begaran": "Egen begäran",
    "ej_kontakt": "Avbrutit/ej anträffbar",
    "annat": "Annat",
}

OUTCOME_GROUPS = {
    OutcomeClass.POSITIVE: "Positiva avslut – närmare arbete eller studier",
    OutcomeClass.UNCLEAR: "Otydlig stegförflyttning – utan tydlig plan mot arbete",
    OutcomeClass.OTHER: "Övriga avslut",
}

# The exit answers are radios where "" is the participant's "no answer".
NOT_ANSWERED = {"": "Ej besvarat"}
WORK_CAPACITY = {
    "narmat": "Har närmat sig arbetsmarknaden",
    "lika": "Står lika långt från arbetsmarknaden",
    "langre_bort": "Har kommit längre bort från arbetsmarknaden",
} | NOT_ANSWERED
YES_NO = {YES: "Ja", NO: "Nej"} | NOT_ANSWERED
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
            for code, label in REASON.items()
            if policy.outcome_class(Reason(code)) is outcome_class
        }
        if reasons:
            groups.append((group, reasons))
    return groups
