"""Labels of every output, per language: Swedish (the default), English, German, Bokmål.

The language of a meeting's entries is the source's configured ``language``, else the
document's own, else ``[publisher] language`` (see ``language_for``). Tables, not gettext:
there are a few dozen strings, and a missing translation must fail a test, not fall back
silently (``test_feeds`` checks every table has every key).
"""

from __future__ import annotations

from datetime import date
from typing import Final

DEFAULT: Final = "sv"

LABELS: Final[dict[str, dict[str, str]]] = {
    "sv": {
        "brief_title": "{body} {date} i korthet",
        "brief_title_nodate": "{body} i korthet",
        "met": "{body} sammanträdde {date}.",
        "decisions": "Beslut",
        "no_public_decisions": "Inga offentliga beslut.",
        "confidential": "{n} av {total} ärenden omfattades av sekretess.",
        "none_confidential": "Inget av de {total} ärendena omfattades av sekretess.",
        "protocol": "Protokollet",
        "summary_page": "Sammanfattning",
        "votes": "ja {yes}, nej {no}, avstår {abstain}",
        "unanimous": "enhälligt",
        "retracted": "Protokollet har dragits tillbaka av kommunen.",
        "retracted_title": "Tillbakadraget: {title}",
        "feed_all": "{org}: protokoll i korthet",
        "feed_body": "{body}: protokoll i korthet",
        "feed_decisions": "{body}: beslut",
        "feed_search": "Sökning: {query}",
        "decision_title": "{number} {title}",
        "decision_of": "Beslut av {body} {date}",
        "case": "Diarienummer",
        "subscribe": "Prenumerera",
        "index_title": "{org}: protokoll och beslut",
        "index_intro": "Sammanfattningar av justerade protokoll, som flöden att prenumerera på.",
        "whole": "Alla organ",
        "calendar": "Kalender",
        "meetings": "Sammanträden",
        "archive": "Arkiv",
        "event_title": "{body}: sammanträde",
        "event_decisions": "Beslut och sammanfattning: {url}",
        "outcome_label": "Utfall",
        "items": "{n} ärenden",
    },
    "en": {
        "brief_title": "{body} {date} in brief",
        "brief_title_nodate": "{body} in brief",
        "met": "{body} met on {date}.",
        "decisions": "Decisions",
        "no_public_decisions": "No public decisions.",
        "confidential": "{n} of {total} items were confidential.",
        "none_confidential": "None of the {total} items was confidential.",
        "protocol": "Minutes",
        "summary_page": "Summary",
        "votes": "yes {yes}, no {no}, abstained {abstain}",
        "unanimous": "unanimous",
        "retracted": "The minutes have been withdrawn by the municipality.",
        "retracted_title": "Withdrawn: {title}",
        "feed_all": "{org}: minutes in brief",
        "feed_body": "{body}: minutes in brief",
        "feed_decisions": "{body}: decisions",
        "feed_search": "Search: {query}",
        "decision_title": "{number} {title}",
        "decision_of": "Decision of {body}, {date}",
        "case": "Case number",
        "subscribe": "Subscribe",
        "index_title": "{org}: minutes and decisions",
        "index_intro": "Summaries of approved minutes, as feeds to subscribe to.",
        "whole": "All bodies",
        "calendar": "Calendar",
        "meetings": "Meetings",
        "archive": "Archive",
        "event_title": "{body}: meeting",
        "event_decisions": "Decisions and summary: {url}",
        "outcome_label": "Outcome",
        "items": "{n} items",
    },
    "de": {
        "brief_title": "{body} {date} kurz gefasst",
        "brief_title_nodate": "{body} kurz gefasst",
        "met": "{body} tagte am {date}.",
        "decisions": "Beschlüsse",
        "no_public_decisions": "Keine öffentlichen Beschlüsse.",
        "confidential": "{n} von {total} Tagesordnungspunkten waren nicht öffentlich.",
        "none_confidential": "Keiner der {total} Tagesordnungspunkte war nicht öffentlich.",
        "protocol": "Niederschrift",
        "summary_page": "Zusammenfassung",
        "votes": "Ja {yes}, Nein {no}, Enthaltungen {abstain}",
        "unanimous": "einstimmig",
        "retracted": "Die Niederschrift wurde von der Gemeinde zurückgezogen.",
        "retracted_title": "Zurückgezogen: {title}",
        "feed_all": "{org}: Sitzungen kurz gefasst",
        "feed_body": "{body}: Sitzungen kurz gefasst",
        "feed_decisions": "{body}: Beschlüsse",
        "feed_search": "Suche: {query}",
        "decision_title": "{number} {title}",
        "decision_of": "Beschluss: {body}, {date}",
        "case": "Aktenzeichen",
        "subscribe": "Abonnieren",
        "index_title": "{org}: Sitzungen und Beschlüsse",
        "index_intro": "Zusammenfassungen genehmigter Niederschriften als abonnierbare Feeds.",
        "whole": "Alle Gremien",
        "calendar": "Kalender",
        "meetings": "Sitzungen",
        "archive": "Archiv",
        "event_title": "{body}: Sitzung",
        "event_decisions": "Beschlüsse und Zusammenfassung: {url}",
        "outcome_label": "Ergebnis",
        "items": "{n} Tagesordnungspunkte",
    },
    "nb": {
        "brief_title": "{body} {date} kort fortalt",
        "brief_title_nodate": "{body} kort fortalt",
        "met": "{body} hadde møte {date}.",
        "decisions": "Vedtak",
        "no_public_decisions": "Ingen offentlige vedtak.",
        "confidential": "{n} av {total} saker var unntatt offentlighet.",
        "none_confidential": "Ingen av de {total} sakene var unntatt offentlighet.",
        "protocol": "Protokollen",
        "summary_page": "Sammendrag",
        "votes": "ja {yes}, nei {no}, avstår {abstain}",
        "unanimous": "enstemmig",
        "retracted": "Protokollen er trukket tilbake av kommunen.",
        "retracted_title": "Trukket tilbake: {title}",
        "feed_all": "{org}: møtebøker kort fortalt",
        "feed_body": "{body}: møtebøker kort fortalt",
        "feed_decisions": "{body}: vedtak",
        "feed_search": "Søk: {query}",
        "decision_title": "{number} {title}",
        "decision_of": "Vedtak i {body} {date}",
        "case": "Saksnummer",
        "subscribe": "Abonner",
        "index_title": "{org}: møtebøker og vedtak",
        "index_intro": "Sammendrag av godkjente protokoller, som feeder å abonnere på.",
        "whole": "Alle organer",
        "calendar": "Kalender",
        "meetings": "Møter",
        "archive": "Arkiv",
        "event_title": "{body}: møte",
        "event_decisions": "Vedtak og sammendrag: {url}",
        "outcome_label": "Utfall",
        "items": "{n} saker",
    },
}

OUTCOMES: Final[dict[str, dict[str, str]]] = {
    "sv": {
        "approved": "bifall",
        "rejected": "avslag",
        "noted": "lades till handlingarna",
        "referred_back": "återremitterades",
        "postponed": "bordlades",
        "withdrawn": "utgick",
        "elected": "val",
        "recommended": "förslag till annat organ",
        "other": "övrigt beslut",
    },
    "en": {
        "approved": "approved",
        "rejected": "rejected",
        "noted": "noted",
        "referred_back": "referred back",
        "postponed": "postponed",
        "withdrawn": "withdrawn",
        "elected": "elected",
        "recommended": "recommended to another body",
        "other": "other decision",
    },
    "de": {
        "approved": "beschlossen",
        "rejected": "abgelehnt",
        "noted": "zur Kenntnis genommen",
        "referred_back": "zurückverwiesen",
        "postponed": "vertagt",
        "withdrawn": "abgesetzt",
        "elected": "gewählt",
        "recommended": "Empfehlung an ein anderes Gremium",
        "other": "sonstiger Beschluss",
    },
    "nb": {
        "approved": "vedtatt",
        "rejected": "avvist",
        "noted": "tatt til orientering",
        "referred_back": "sendt tilbake",
        "postponed": "utsatt",
        "withdrawn": "trukket",
        "elected": "valg",
        "recommended": "innstilling til annet organ",
        "other": "annet vedtak",
    },
}

MONTHS: Final[dict[str, tuple[str, ...]]] = {
    "sv": (
        "januari",
        "februari",
        "mars",
        "april",
        "maj",
        "juni",
        "juli",
        "augusti",
        "september",
        "oktober",
        "november",
        "december",
    ),  # fmt: skip
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),  # fmt: skip
    "de": (
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ),  # fmt: skip
    "nb": (
        "januar",
        "februar",
        "mars",
        "april",
        "mai",
        "juni",
        "juli",
        "august",
        "september",
        "oktober",
        "november",
        "desember",
    ),  # fmt: skip
}

#: BCP 47 tags for ``xml:lang``, ``<language>`` and ``lang=""``
BCP47: Final = {"sv": "sv-SE", "en": "en", "de": "de-DE", "nb": "nb-NO"}


def supported(language: str | None) -> str | None:
    """The label language for a tag such as ``sv``, ``sv-SE``, ``no`` or ``de-AT``, if any."""
    if not language:
        return None
    base = language.lower().replace("_", "-").split("-")[0]
    if base in ("no", "nn"):  # Norwegian without a written standard: Bokmål labels
        base = "nb"
    return base if base in LABELS else None


def language_for(*candidates: str | None) -> str:
    """The first supported candidate, else Swedish."""
    for candidate in candidates:
        lang = supported(candidate)
        if lang:
            return lang
    return DEFAULT


def label(lang: str, key: str, **values: object) -> str:
    return LABELS[language_for(lang)][key].format(**values)


def outcome(lang: str, value: str) -> str:
    table = OUTCOMES[language_for(lang)]
    return table.get(value, table["other"])


def long_date(lang: str, day: date) -> str:
    """``18 juni 2024``, ``18 June 2024``, ``18. Juni 2024``, ``18. juni 2024`` — written out
    from the tables, never through the process locale."""
    lang = language_for(lang)
    month = MONTHS[lang][day.month - 1]
    if lang in ("de", "nb"):
        return f"{day.day}. {month} {day.year}"
    return f"{day.day} {month} {day.year}"
