"""OParl Meetings: the two third-party samples and our own variants, each parsed once.

Expected values were written by reading the documents. Karlsruhe (real, Ortschaftsrat Durlach
2025-02-12) has no ``resultsProtocol``; the spec example has one.
"""

from __future__ import annotations

import codecs
import json
import random
import re
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from publisher.errors import MalformedDocument
from publisher.extract import ExtractOptions, detect, extract, oparl, parsing
from publisher.extract.oparl import body_name_from_meeting
from publisher.model import Item, Outcome, Protocol, Status, Votes, to_dict

from .conftest import FIXTURES, run_cli, third_party

OWN = FIXTURES / "oparl"
DOCUMENTS: dict[str, Path] = {
    "karlsruhe": third_party("oparl/karlsruhe-meeting-10023.json"),
    "spec": third_party("oparl/spec-Meeting-01.json"),
    "lindenau-umwelt": OWN / "umweltausschuss-lindenau-2024-09-12.json",
    "lindenau-entwurf": OWN / "gemeinderat-lindenau-2025-03-20-entwurf.json",
    "lindenau-abgesagt": OWN / "bauausschuss-lindenau-2025-01-15-abgesagt.json",
    "listenseite": OWN / "sitzungsliste-seite-1.json",
}


@cache
def parsed(name: str) -> Protocol:
    """Each document through the public entry point (detection + privacy), once."""
    return extract(DOCUMENTS[name].read_bytes())


def item(name: str, number: str) -> Item:
    matches = [i for i in parsed(name).items if i.number == number]
    assert len(matches) == 1, [i.number for i in parsed(name).items]
    return matches[0]


def meeting_json(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DOCUMENTS[name].read_bytes())
    return data


def from_json(data: Any, **options: Any) -> Protocol:
    return extract(json.dumps(data).encode(), "oparl", ExtractOptions(**options))


# --- Karlsruhe: a real council information system ------------------------------------------


def test_karlsruhe_body_is_named_from_the_meeting_name() -> None:
    body = parsed("karlsruhe").body
    assert body.name == "Ortschaftsrat Durlach"
    assert body.id == "https://web1.karlsruhe.de/oparl/bodies/0001/organizations/gr/40333"


def test_karlsruhe_numbers_as_printed_in_meeting_order() -> None:
    numbers = [i.number for i in parsed("karlsruhe").items]
    assert numbers == ["1", "1.1", "1.2", "1.3", "1.4", "1.5", *map(str, range(2, 11))]


@pytest.mark.parametrize(
    ("number", "outcome"),
    [
        ("1", Outcome.OTHER),  # a heading without result
        ("1.1", Outcome.APPROVED),  # einstimmig beschlossen
        ("1.3", Outcome.NOTED),  # erledigt
        ("2", Outcome.NOTED),  # Kenntnisnahme
        ("5", Outcome.NOTED),  # erledigt
        ("6", Outcome.REFERRED_BACK),  # verwiesen in Fachausschuss
        ("10", Outcome.OTHER),  # Mündliche Fragen: no result
    ],
)
def test_karlsruhe_results_map_to_outcomes(number: str, outcome: Outcome) -> None:
    assert item("karlsruhe", number).outcome is outcome


def test_karlsruhe_keeps_the_original_result_wording() -> None:
    assert item("karlsruhe", "8").outcome_text == "verwiesen in Fachausschuss"
    assert item("karlsruhe", "9").outcome_text is None


def test_karlsruhe_unanimous_only_where_the_result_says_so() -> None:
    assert item("karlsruhe", "1.1").unanimous is True
    assert item("karlsruhe", "2").unanimous is None


def test_karlsruhe_without_results_protocol_is_a_draft() -> None:
    state = parsed("karlsruhe").protocol
    assert state.status is Status.DRAFT
    assert state.approved_at is None


def test_karlsruhe_meeting_time_and_place() -> None:
    meeting = parsed("karlsruhe").meeting
    assert meeting.start == datetime.fromisoformat("2025-02-12T17:00:00+01:00")
    assert meeting.date == date(2025, 2, 12)
    assert meeting.location == "Bürgersaal im Rathaus, Pfinztalstr. 33"


def test_karlsruhe_midnight_end_before_the_start_is_dropped() -> None:
    # Karlsruhe sends end = 00:00 of the meeting day when no end time is known
    assert parsed("karlsruhe").meeting.end is None


def test_karlsruhe_links_invitation_and_posted_protocol_file() -> None:
    links = parsed("karlsruhe").links
    assert [link.title for link in links] == [
        "Tagesordnung OR 12.02.2025",
        "Protokoll OR 12.02.2025",
    ]
    assert links[0].url.endswith("/downloadfiles/a/00664558.pdf")  # accessUrl first
    assert {link.media_type for link in links} == {"application/pdf"}


def test_karlsruhe_item_attachment() -> None:
    (attachment,) = item("karlsruhe", "2").attachments
    assert attachment.title == "TOP 2 - Präsentation Vorstellung Projekt Glasfaserausbau"
    assert attachment.url.endswith("/00664895.pdf")


def test_karlsruhe_ids_are_the_oparl_urls() -> None:
    protocol = parsed("karlsruhe")
    assert protocol.source_id == "https://web1.karlsruhe.de/oparl/bodies/0001/meetings/10023"
    assert protocol.meeting.id == protocol.source_id
    assert item("karlsruhe", "1.1").id == (
        "https://web1.karlsruhe.de/oparl/bodies/0001/agendaitems/92043"
    )


def test_karlsruhe_language_defaults_to_german() -> None:
    assert parsed("karlsruhe").language == "de"


# --- the spec example: approved -------------------------------------------------------------


def test_spec_example_with_results_protocol_is_approved() -> None:
    assert parsed("spec").protocol.status is Status.APPROVED


def test_spec_example_approval_date_before_the_meeting_is_dropped() -> None:
    # the example's Protokoll is dated 2012-01-08, a year before the 2013-01-04 meeting
    assert parsed("spec").protocol.approved_at is None


def test_spec_example_body_from_genitive_meeting_name() -> None:
    assert parsed("spec").body.name == "Finanzausschuss"
    assert parsed("spec").body.id == "https://oparl.example.org/organization/34"


def test_spec_example_item() -> None:
    (only,) = parsed("spec").items
    assert only.number == "10.1"
    assert only.title == "Satzungsänderung für Ausschreibungen"
    assert only.outcome is Outcome.APPROVED
    assert only.outcome_text == "Geändert beschlossen"
    assert only.decision == "Der Beschluss weicht wie folgt vom Antrag ab: ..."


def test_spec_example_links_every_file_with_its_name() -> None:
    titles = [link.title for link in parsed("spec").links]
    assert titles == ["Einladung", "Protokoll", "Wortprotokoll", "Nachtrags-Tagesordnung"]


def test_spec_example_meeting_end() -> None:
    assert parsed("spec").meeting.end == datetime.fromisoformat("2013-01-04T12:00:00+01:00")


# --- our committee meeting: confidential items, mixed results, missing numbers --------------


def test_approved_at_is_the_results_protocol_date() -> None:
    state = parsed("lindenau-umwelt").protocol
    assert state.status is Status.APPROVED
    assert state.approved_at == date(2024, 9, 30)


def test_body_from_ausschuss_fuer_meeting_name() -> None:
    assert parsed("lindenau-umwelt").body.name == "Ausschuss für Umwelt und Klimaschutz"


def test_non_public_items_are_withheld_in_the_output() -> None:
    protocol = parsed("lindenau-umwelt")
    withheld = [i for i in protocol.items if not i.public]
    assert [i.number for i in withheld] == ["12", "N 2"]
    assert all(i.title is None and i.decision is None for i in withheld)
    assert protocol.counts.confidential == 2
    output = json.dumps(to_dict(protocol), ensure_ascii=False)
    for secret in ("Beispielfrau", "Flurstück 412/7", "180.000", "Leitung des Umweltamtes"):
        assert secret not in output


@pytest.mark.parametrize(
    ("number", "outcome"),
    [
        ("1", Outcome.APPROVED),  # einstimmig beschlossen
        ("2", Outcome.APPROVED),  # mehrheitlich beschlossen
        ("3", Outcome.REJECTED),  # mehrheitlich abgelehnt
        ("4", Outcome.NOTED),  # zur Kenntnis genommen
        ("5", Outcome.POSTPONED),  # vertagt
        ("6", Outcome.WITHDRAWN),  # zurückgezogen
        ("7", Outcome.ELECTED),  # gewählt
        ("8", Outcome.APPROVED),  # approved as amended
        ("9", Outcome.POSTPONED),  # deferred to the next meeting
        ("10", Outcome.REFERRED_BACK),  # verwiesen in Fachausschuss
        ("11", Outcome.NOTED),  # erledigt
        ("14", Outcome.OTHER),  # Verschiedenes, no result
    ],
)
def test_german_and_english_results(number: str, outcome: Outcome) -> None:
    assert item("lindenau-umwelt", number).outcome is outcome


def test_vote_counts_from_the_resolution_text() -> None:
    assert item("lindenau-umwelt", "2").votes == Votes(yes=9, no=3, abstain=1)


def test_html_in_resolution_text_becomes_plain_lines() -> None:
    decision = item("lindenau-umwelt", "2").decision
    assert decision is not None
    assert "<" not in decision
    assert decision.splitlines() == [
        "Der Ausschuss stimmt dem Radverkehrskonzept Nordstadt in der Fassung vom 20.08.2024 zu.",
        "Abstimmung: Ja: 9, Nein: 3, Enthaltung: 1",
    ]


def test_case_number_from_an_embedded_paper() -> None:
    assert item("lindenau-umwelt", "2").case_number == "VO/2024/0815"


def test_resolution_and_auxiliary_files_become_attachments() -> None:
    assert [a.title for a in item("lindenau-umwelt", "2").attachments] == [
        "Beschluss Radverkehrskonzept"
    ]
    (report,) = item("lindenau-umwelt", "4").attachments
    assert report.url.endswith("/luftqualitaet-2023.pdf")  # downloadUrl when no accessUrl


def test_missing_number_falls_back_to_order_then_position() -> None:
    numbers = [i.number for i in parsed("lindenau-umwelt").items]
    assert numbers[2] == "3"  # no number, order 3
    assert numbers[-1] == "14"  # neither number nor order: 14th item
    assert (
        item("lindenau-umwelt", "3").title == "Antrag der Fraktion Grüne Liste: Baumschutzsatzung"
    )


def test_location_composed_from_address_parts() -> None:
    location = parsed("lindenau-umwelt").meeting.location
    assert location == "Sitzungssaal 2, Marktstraße 5, 12345 Lindenau"


def test_file_without_any_url_is_not_linked() -> None:
    titles = [link.title for link in parsed("lindenau-umwelt").links]
    assert titles == [
        "Einladung 7. Sitzung UKA",
        "Niederschrift öffentlicher Teil",
        "Anwesenheitsliste",
    ]


def test_first_of_several_organizations_is_the_body_id() -> None:
    assert parsed("lindenau-umwelt").body.id == (
        "https://ris.lindenau.example/oparl/v1/organization/31"
    )


# --- a future meeting (OParl 1.0 style): draft ----------------------------------------------


def test_meeting_without_results_protocol_is_draft() -> None:
    assert parsed("lindenau-entwurf").protocol.status is Status.DRAFT


def test_embedded_organization_name_is_the_body() -> None:
    body = parsed("lindenau-entwurf").body
    assert body.name == "Gemeinderat Lindenau"
    assert body.id == "https://ris.lindenau.example/oparl/v1/organization/2"


def test_url_only_and_deleted_agenda_items_are_skipped() -> None:
    assert [i.number for i in parsed("lindenau-entwurf").items] == ["Ö 1", "Ö 2", "Ö 3", "N 1"]


def test_sessionnet_n_number_without_public_flag_is_confidential() -> None:
    withheld = item("lindenau-entwurf", "N 1")
    assert withheld.public is False
    assert withheld.title is None
    assert "Kramer" not in json.dumps(to_dict(parsed("lindenau-entwurf")), ensure_ascii=False)


def test_item_without_public_flag_or_n_number_is_public() -> None:
    assert item("lindenau-entwurf", "Ö 3").public is True


def test_utc_start_is_kept_aware_and_dated_locally() -> None:
    meeting = parsed("lindenau-entwurf").meeting
    assert meeting.start == datetime.fromisoformat("2025-03-20T18:30:00+01:00")
    assert meeting.date == date(2025, 3, 20)


def test_location_given_as_plain_text() -> None:
    assert parsed("lindenau-entwurf").meeting.location == "Rathaus Lindenau, Großer Saal"


def test_link_title_falls_back_to_file_name() -> None:
    (invitation,) = parsed("lindenau-entwurf").links
    assert invitation.title == "einladung-gr-2025-03-20.pdf"


# --- a cancelled meeting --------------------------------------------------------------------


def test_cancelled_meeting_is_a_draft() -> None:
    protocol = parsed("lindenau-abgesagt")
    assert protocol.protocol.status is Status.DRAFT
    assert protocol.meeting.cancelled is True
    assert parsed("lindenau-umwelt").meeting.cancelled is False
    assert protocol.body.name == "Bau- und Planungsausschuss"
    assert item("lindenau-abgesagt", "2").outcome is Outcome.WITHDRAWN  # abgesetzt


def test_cancelled_meeting_is_never_approved_even_with_a_protocol() -> None:
    data = meeting_json("lindenau-abgesagt")
    data["resultsProtocol"] = {"accessUrl": "https://ris.example/p.pdf", "date": "2025-01-20"}
    state = from_json(data).protocol
    assert state.status is Status.DRAFT
    assert state.approved_at is None


# --- a list page holding one meeting -------------------------------------------------------


def test_list_page_with_one_meeting_is_read() -> None:
    protocol = parsed("listenseite")
    assert protocol.body.name == "Jugendhilfeausschuss"
    assert protocol.protocol.status is Status.APPROVED  # resultsProtocol as a bare URL
    assert (
        protocol.links[0].url == "https://ris.lindenau.example/files/92050/niederschrift-jha-03.pdf"
    )


def test_compact_vote_notation_in_result() -> None:
    assert item("listenseite", "1").votes == Votes(yes=11, no=2, abstain=0)


def test_outcome_from_resolution_text_when_there_is_no_result() -> None:
    report = item("listenseite", "2")
    assert report.outcome is Outcome.NOTED
    assert report.outcome_text is None


def test_list_page_with_several_meetings_is_refused() -> None:
    page = meeting_json("listenseite")
    page["data"].append(dict(page["data"][0], id="https://ris.example/meeting/2"))
    with pytest.raises(MalformedDocument, match="2 meetings"):
        from_json(page)


# --- options and refusals ------------------------------------------------------------------


def test_configured_body_overrides_the_derived_name() -> None:
    data = meeting_json("karlsruhe")
    assert from_json(data, body="Ortschaftsrat Durlach (Karlsruhe)").body.name == (
        "Ortschaftsrat Durlach (Karlsruhe)"
    )


def test_configured_language_wins() -> None:
    assert from_json(meeting_json("spec"), language="en").language == "en"


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"type": "https://schema.oparl.org/1.1/Paper", "id": "x", "name": "Antrag"}, "Paper"),
        ({"id": "x", "type": "https://schema.oparl.org/1.1/Meeting", "deleted": True}, "deleted"),
        ({"data": [], "links": {}}, "without a Meeting"),
        ([{"agendaItem": []}], "not an OParl Meeting"),
        ({"type": "https://schema.oparl.org/1.1/Meeting", "agendaItem": []}, "names no body"),
    ],
)
def test_json_that_is_not_a_usable_meeting_is_malformed(document: Any, message: str) -> None:
    with pytest.raises(MalformedDocument, match=message):
        from_json(document)


def test_nameless_meeting_takes_the_configured_body() -> None:
    data = {"type": "https://schema.oparl.org/1.1/Meeting", "agendaItem": []}
    assert from_json(data, body="Kreistag").body.name == "Kreistag"


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("Ortschaftsrat Durlach (öffentlich/nicht öffentlich)", "Ortschaftsrat Durlach"),
        ("4. Sitzung des Finanzausschusses", "Finanzausschuss"),
        ("Öffentliche Sitzung des Stadtrates", "Stadtrat"),
        ("12. Sitzung des Kreistages", "Kreistag"),
        ("Sitzung des Haupt- und Finanzausschusses", "Haupt- und Finanzausschuss"),
        ("Sitzung des Rates der Stadt Köln", "Rat der Stadt Köln"),
        ("Sitzung der Bezirksvertretung Mitte", "Bezirksvertretung Mitte"),
        ("Sitzung des Bezirksbeirats Nord", "Bezirksbeirat Nord"),
        ("Gemeinderat - öffentliche Sitzung", "Gemeinderat"),
        ("Bauausschuss, 3. Sitzung", "Bauausschuss"),
        ("Gemeinderatssitzung", "Gemeinderat"),
        ("Sitzung des Jugendhilfeausschusses am Dienstag, 04.03.2025", "Jugendhilfeausschuss"),
        ("Ausschuss für Planung, Bauwesen und Umwelt (Ausschuss II)", None),
    ],
)
def test_body_name_from_meeting_name(name: str, body: str | None) -> None:
    # None: the name is already the body's name and stays as it is
    assert body_name_from_meeting(name) == (body or name)


# --- every document, every item ------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_detected_as_oparl(name: str) -> None:
    assert detect(DOCUMENTS[name].read_bytes()) == "oparl"


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_meeting_start_is_timezone_aware(name: str) -> None:
    start = parsed(name).meeting.start
    assert start is not None
    assert start.utcoffset() is not None


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_every_document_names_its_body_and_language(name: str) -> None:
    protocol = parsed(name)
    assert protocol.body.name.strip()
    assert protocol.language == "de"
    assert protocol.source_id and protocol.source_id.startswith("https://")


ITEMS = [
    pytest.param(name, index, id=f"{name}-{i.number}")
    for name in sorted(DOCUMENTS)
    for index, i in enumerate(parsed(name).items)
]


@pytest.mark.parametrize(("name", "index"), ITEMS)
def test_item_invariants(name: str, index: int) -> None:
    data = to_dict(parsed(name))["items"][index]
    assert data["number"].strip()
    assert data["outcome"] in {o.value for o in Outcome}
    if data["outcome_text"] is None and data["decision"] is None:
        assert data["outcome"] == Outcome.OTHER.value
    if not data["public"]:
        assert data["title"] is None
        assert data["decision"] is None
        assert data["outcome_text"] is None
        assert data["votes"] is None
        assert data["attachments"] == []


def test_cli_extracts_karlsruhe() -> None:
    result = run_cli("extract", str(DOCUMENTS["karlsruhe"]))
    assert result.returncode == 0, result.stderr.decode()
    data = json.loads(result.stdout)
    assert data["format"] == "oparl"
    assert data["body"]["name"] == "Ortschaftsrat Durlach"
    assert data["counts"] == {"items": 15, "confidential": 0, "public": 15}
    assert data["protocol"]["status"] == "draft"
    assert datetime.fromisoformat(data["meeting"]["start"]).utcoffset() == timedelta(hours=1)


# --- the speed-only shortcuts give what the plain computation gives ------------------------


def _random_strings(alphabet: str, seed: int, count: int = 3000, longest: int = 30) -> list[str]:
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    return [
        "".join(rng.choice(alphabet) for _ in range(rng.randint(0, longest))) for _ in range(count)
    ]


_TEXTY = "aAäÄ ß\u00a0\u00ad\u0308\t\n\x07\x7f\x85\u2028\u200b\ufeffİıſ\u212a/:1.\ufe0f\ufb01"


@pytest.mark.parametrize(
    "text",
    ["", " ", "  x  ", "a  b", "Ausschu\u0308sse", "a\u00a0b", "x\u00ady", "tab\tx", "ſ", "\ud800"],
)
def test_text_is_clean(text: str) -> None:
    assert oparl._text(text) == parsing.clean(text)


def test_text_is_clean_on_random_text() -> None:
    for text in _random_strings(_TEXTY, seed=21):
        assert oparl._text(text) == parsing.clean(text), repr(text)


_DATY = "0123456789١٢ .-–—,:\namvoMDFSsſİK()öffentlichsitzung"


def test_date_tail_shortcut_matches_the_expression() -> None:
    names = [
        "Sitzung des Bau- und Planungsausschusses am 15.01.2025",
        "Kommission 15.01.",
        "Rat, vom Mo, 3. 4. 25 und 2025-01-02",
        "a b c d e 1.2.",
        "1.2.",
        "x\n1.2.\n3.4.",
        *_random_strings(_DATY, seed=22, count=4000, longest=40),
    ]
    as_read = re.compile(oparl._DATE_TAIL_AS_READ, re.IGNORECASE)
    for name in names:
        expected = as_read.sub("", name)
        assert oparl._DATE_TAIL.sub("", name) == expected, repr(name)
        if core := oparl._DATE_CORE.search(name):
            assert oparl._without_date_tail(name, core.start()) == expected, repr(name)
        else:
            assert expected == name, repr(name)


def test_body_name_prefilters_skip_no_match() -> None:
    words = ["Gemeinderatssitzung", "GEMEINDERATSſITZUNG", "Rates", "BeiratS", "Kreistagſ"]
    words += _random_strings("ratsgiunzRATSGIUNZſıİe", seed=23, count=4000, longest=14)
    for word in filter(None, words):
        if oparl._COMPOUND_SITZUNG.match(word):
            assert oparl.fold(word[-7:]) == "sitzung", word
        if oparl._GENITIVE.match(word):
            assert oparl.fold(word[-1]) == "s", word
    for name in _random_strings(_DATY, seed=24):
        if oparl._NOISE_PAREN.search(name):
            assert "(" in name


_JSON = json.dumps(
    {"type": "https://schema.oparl.org/1.1/Meeting", "name": "Rat", "x": "äö§"}, ensure_ascii=False
)


@pytest.mark.parametrize(
    "data",
    [
        _JSON.encode(),
        codecs.BOM_UTF8 + _JSON.encode(),
        codecs.BOM_UTF16_LE + _JSON.encode("utf-16-le"),
        _JSON.encode("utf-16-le"),
        _JSON.encode("cp1252"),
        _JSON.replace("Rat", "<meta charset=windows-1252>").encode(),
        _JSON.replace("Rat", "<META charset='koi8-r'>").encode(),
        b'<?xml version="1.0" encoding="latin-1"?>' + _JSON.encode(),
        _JSON.replace("äö", "\x7f" * 20).encode(),
        _JSON.replace("äö", "\u0085" * 20).encode(),
        _JSON.replace("äö", "\x7f\u0085" * 5).encode(),
        _JSON.replace("Rat", "\\u0007" * 30).encode(),
        _JSON.replace("Rat", "\x07").encode(),
        _JSON.replace("x", "y" * 70000).encode(),
        _JSON.encode()[:-1],
        b"[" * 100000,
        b"1" * 5000,
        b"\xc2\xa0 ",
        b"  \n ",
        b"",
    ],
)
def test_json_fast_path_is_the_full_path(data: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    # parse_json skips decode_text for plain UTF-8 JSON: same value, same exception
    def outcome() -> Any:
        try:
            return parsing.parse_json(data, parsing.DEFAULT_MAX_BYTES)
        except Exception as exc:  # noqa: BLE001 - the very exception is what is compared
            return type(exc), str(exc)

    fast = outcome()
    monkeypatch.setattr(parsing, "_parse_plain_utf8_json", lambda data: parsing._NOT_PLAIN)
    assert fast == outcome()


def test_non_public_item_is_read_as_withheld() -> None:
    data = meeting_json("lindenau-umwelt")
    data["agendaItem"] = [
        {
            "id": "https://ris.example/item/1",
            "number": "7",
            "name": "Personalsache 811218-9876",
            "public": False,
            "result": "einstimmig beschlossen",
            "resolutionText": "Ja: 9, Nein: 3",
        }
    ]
    (withheld,) = from_json(data).items
    # (not even its id: ids are often made of titles)
    assert withheld == Item(number="7", outcome=Outcome.OTHER, public=False)


def test_decision_text_fills_only_what_the_result_leaves_open() -> None:
    data = meeting_json("lindenau-umwelt")
    data["agendaItem"] = [
        {"name": "a", "public": True, "result": "abgelehnt", "resolutionText": "einstimmig"},
        {"name": "b", "public": True, "result": "einstimmig beschlossen", "resolutionText": "x"},
        {"name": "c", "public": True, "resolutionText": "Beschlossen. Ja: 9, Nein: 3"},
        {"name": "d", "public": True, "result": "Ja: 5, Nein: 1", "resolutionText": "Ja: 9"},
    ]
    first, second, third, fourth = from_json(data).items
    assert (first.outcome, first.unanimous) == (Outcome.REJECTED, True)
    assert (second.outcome, second.unanimous) == (Outcome.APPROVED, True)
    assert (third.outcome, third.votes) == (Outcome.APPROVED, Votes(yes=9, no=3))
    assert fourth.votes == Votes(yes=5, no=1)


def _meeting(name: str, *items: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {
        "type": "https://schema.oparl.org/1.1/Meeting",
        "name": name,
        "start": "2024-11-12T18:00:00+01:00",
        "resultsProtocol": {"accessUrl": "https://ris.example.org/niederschrift.pdf"},
        "organization": [{"id": "https://ris.example.org/org/1", "name": "Gemeinderat"}],
        "agendaItem": list(items),
        **fields,
    }


@pytest.mark.parametrize(
    ("name", "closed"),
    [
        ("Nichtöffentliche Sitzung des Gemeinderates", True),
        ("Öffentliche/Nichtöffentliche Sitzung des Gemeinderates", False),
        ("Gemeinderatssitzung (öffentlich, anschließend nichtöffentlicher Teil)", False),
        ("Sitzung des Gemeinderates (nicht öffentlich)", True),
    ],
)
def test_a_meeting_with_a_public_part_is_not_closed(name: str, closed: bool) -> None:
    public = {"number": "1", "name": "Haushalt 2025", "public": True, "result": "beschlossen"}
    protocol = from_json(_meeting(name, public))
    assert protocol.meeting.closed is closed
    assert protocol.items[0].public is not closed


def test_an_item_numbered_n_dot_oe_dot_is_not_public() -> None:
    protocol = from_json(
        _meeting(
            "Sitzung des Gemeinderates",
            {"number": "TOP 5 (n.ö.)", "name": "Stundungsantrag", "result": "beschlossen"},
            {"number": "TOP 6", "name": "Verschiedenes", "result": "Kenntnisnahme"},
        )
    )
    assert [item.public for item in protocol.items] == [False, True]


def test_a_meeting_file_that_says_it_is_confidential_is_not_published() -> None:
    protocol = from_json(
        _meeting(
            "Sitzung des Hauptausschusses",
            {"number": "1", "name": "Haushalt", "public": True, "result": "beschlossen"},
            auxiliaryFile=[
                {
                    "accessUrl": "https://ris.example.org/tv6.pdf",
                    "name": "Tischvorlage zu TOP 6 (vertraulich): Abfindung Bernd Kowalski",
                },
                {"accessUrl": "https://ris.example.org/liste.pdf", "name": "Anwesenheitsliste"},
            ],
        )
    )
    titles = [link.title for link in protocol.links]
    assert "Anwesenheitsliste" in titles and not any("Kowalski" in (t or "") for t in titles)


@pytest.mark.parametrize(
    ("paper", "public"),
    [
        ({"name": "Vertrauliche Vorlage: Grundstücksankauf Molenweg"}, False),
        ({"name": "Ankauf", "paperType": "Vorlage (nichtöffentlich)"}, False),
        ({"name": "Haushaltssatzung 2025", "paperType": "Beschlussvorlage"}, True),
    ],
)
def test_the_paper_an_item_consults_on_can_say_it_is_not_public(
    paper: dict[str, str], public: bool
) -> None:
    item = {
        "number": "5",
        "name": "Grundstücksangelegenheit",
        "public": True,
        "result": "beschlossen",
        "consultation": {"role": "Beschlussfassung", "paper": paper},
    }
    (got,) = from_json(_meeting("Sitzung des Gemeinderates", item)).items
    assert got.public is public
