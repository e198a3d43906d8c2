"""The Swedish label of each code of the public contract's code lists (`codes.py`), as the
staff forms offer them and the reports print them."""

GENDER = {"kvinna": "Kvinna", "man": "Man", "annan": "Annan definition av kön"}

EDUCATION = {
    "grundskola": "Grundskola",
    "gymnasium": "Gymnasium",
    "eftergymnasial": "Annan eftergymnasial utbildning",
    "hogskola_upp_till_1": "Högskola, upp till 1 år",
    "hogskola_upp_till_3": "Högskola, upp till 3 år",
    "hogskola_over_3": "Högskola, mer än 3 år",
    "saknas": "Utbildning saknas",
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

WORK_CAPACITY = {
    "narmat": "Har närmat sig arbetsmarknaden",
    "lika": "Står lika långt från arbetsmarknaden",
    "langre_bort": "Har kommit längre bort från arbetsmarknaden",
}

REGISTRATION = {
    "individ": "Individregistrering",
    "volym": "Volymregistrering",
    "struktur": "Strukturinsats",
}

ACTIVITY_KIND = {
    "utbildning": "Utbildning",
    "natverk": "Nätverk",
    "konferens": "Konferens",
    "kartlaggning": "Kartläggning",
    "annan": "Annan aktivitet",
}

ROLE = {"forbundsadmin": "Förbundsadmin", "insatsansvarig": "Insatsansvarig", "lasare": "Läsare"}
