"""Decision wording → outcome and counts: the wording families of
``publisher/extract/outcomes.py`` and ``publisher/extract/votecounts.py``.

One behaviour a test, each with the neighbours that must keep their answer.
"""

from __future__ import annotations

import pytest

from publisher.extract.outcomes import classify, without_rejected_motions
from publisher.extract.votecounts import find_votes
from publisher.model import Votes


def _outcome(text: str) -> str:
    return classify(text).value


# --- a negated approval is a refusal ---------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Kommunstyrelsen beslutar att inte godkänna det framlagda köpeavtalet.",
        "Tekniska nämnden beslutar att inte medge undantag från renhållningsföreskrifterna.",
        "Byggnadsnämnden beslutar att inte bevilja bygglov.",
        "Nämnden beslutade att ej anta planen.",
        "Socialnämnden godkänner inte avtalet.",
        "Ansökan om bidrag beviljas inte.",
    ],
)
def test_swedish_negated_decision_is_rejected(text: str) -> None:
    assert _outcome(text) == "rejected"


@pytest.mark.parametrize(
    "text",
    [
        "Nämnden beslutar att godkänna avtalet.",
        # the decision's own verb approves; a later negated clause does not undo it
        "Nämnden beslutar att godkänna avtalet och att inte bevilja förlängd tid.",
        # not an approving verb: the decision itself stands
        "Nämnden beslutar att inte vidta någon ytterligare åtgärd.",
    ],
)
def test_swedish_plain_decision_stays_approved(text: str) -> None:
    assert _outcome(text) == "approved"


@pytest.mark.parametrize(
    "text",
    [
        "Der Antrag wird nicht angenommen.",
        "The amendment was put to the vote and was not agreed to.",
        "Amendment 9 disagreed.",
        "Le vœu n'est pas adopté : 6 voix pour, 19 voix contre.",
        "La délibération n'a pas été approuvée.",
        "Le conseil décide de ne pas adopter le vœu.",
        "L'emendamento non è approvato.",
        "Il Consiglio non approva la mozione.",
        "La moción no es aprobada.",
        "El Pleno no aprueba la moción.",
    ],
)
def test_negated_approval_in_other_languages_is_rejected(text: str) -> None:
    assert _outcome(text) == "rejected"


@pytest.mark.parametrize(
    "text",
    ["Amendment 7 agreed.", "Question put and agreed to.", "Le procès-verbal est adopté."],
)
def test_plain_approval_in_other_languages_stays_approved(text: str) -> None:
    assert _outcome(text) == "approved"


# --- a rejected procedural motion is not the outcome ------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Kommunstyrelsen avslår yrkandet om återremiss och beslutar att anvisa 18,5 miljoner.",
        "Kommunfullmäktige avslår yrkandet om återremiss och bifaller kommunstyrelsens förslag.",
        "Nämnden avslår yrkandet om bordläggning och beslutar att avveckla förskolan.",
        "Yrkandet om återremiss avslås. Kommunfullmäktige bifaller förslaget.",
        "Återremissyrkandet avslås och fullmäktige bifaller förslaget.",
        "Fullmäktige avslår Anna Anderssons (S) yrkande om återremiss och bifaller förslaget.",
        "Fullmäktige beslutar, med avslag på yrkandet om återremiss, att bifalla förslaget.",
        "Fullmäktige avslår yrkandet att ärendet ska återremitteras och bifaller förslaget.",
        "Fullmäktige avslår ändringsyrkandet och bifaller kommunstyrelsens förslag.",
        "Der Antrag auf Vertagung wird abgelehnt. Der Bebauungsplan wird beschlossen.",
        "The motion to refer the report back was lost. The report was approved.",
        "Utsettelsesforslaget falt. Innstillingen ble vedtatt.",
    ],
)
def test_rejected_procedural_motion_leaves_the_decision_to_the_rest(text: str) -> None:
    assert _outcome(text) == "approved"


def test_rejected_procedural_motion_then_a_rejection_is_rejected() -> None:
    text = "Kommunfullmäktige avslår yrkandet om återremiss och avslår motionen."
    assert _outcome(text) == "rejected"


def test_a_rejected_procedural_motion_alone_states_no_outcome() -> None:
    assert _outcome("Kommunfullmäktige avslår yrkandet om återremiss.") == "other"
    text = "Forslaget fra Kari Dahl (FrP) om å sende saken tilbake falt med 10 mot 25 stemmer."
    assert _outcome(text) == "other"


@pytest.mark.parametrize(
    ("text", "outcome"),
    [
        ("Kommunfullmäktige bifaller yrkandet om återremiss.", "referred_back"),
        ("Ärendet återremitteras till förvaltningen.", "referred_back"),
        ("Yrkandet om återremiss bifalls och motionen avslås.", "referred_back"),
        ("Ärendet bordläggs.", "postponed"),
        ("Der Antrag auf Vertagung wird angenommen.", "postponed"),
    ],
)
def test_an_accepted_procedural_motion_keeps_its_outcome(text: str, outcome: str) -> None:
    assert _outcome(text) == outcome


def test_only_the_rejected_motion_is_taken_out() -> None:
    text = "Fullmäktige avslår yrkandet om återremiss och bifaller förslaget."
    assert without_rejected_motions(text) == "Fullmäktige   och bifaller förslaget."


# --- recommendations from a committee to another body -----------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Individutskottet föreslår socialnämnden att anta riktlinjerna.",
        "Arbetsutskottet föreslår kommunstyrelsen att anta yttrandet.",
        "Utskottet föreslår barn- och utbildningsnämnden besluta att anta planen.",
        "Utskottet föreslår socialnämnden att avslå ansökan.",
    ],
)
def test_committee_proposing_to_another_body_is_recommended(text: str) -> None:
    assert _outcome(text) == "recommended"


@pytest.mark.parametrize(
    "text",
    [
        "Ordföranden föreslår nämnden att bifalla förvaltningens förslag.",
        "Socialnämnden beslutar enligt förvaltningens förslag.",
    ],
)
def test_a_proposal_to_the_body_itself_is_not_a_recommendation(text: str) -> None:
    assert _outcome(text) == "approved"


# --- German resolution verbs ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Der Gemeinderat lehnt den Antrag der Fraktion Freie Wähler ab.",
        "Der Rat lehnte den Antrag vom 12.03.2025 ab.",
        "Die Mitglieder lehnen die Vorlage ab und beauftragen die Verwaltung.",
    ],
)
def test_separable_lehnt_ab_is_rejected(text: str) -> None:
    assert _outcome(text) == "rejected"


def test_lehnt_without_its_ab_is_no_rejection() -> None:
    text = "Der Rat lehnt sich an den Vorschlag an; der Haushalt ab 2026 wird beschlossen."
    assert _outcome(text) == "approved"


@pytest.mark.parametrize(
    "text",
    [
        "Ein Beschluss wird nicht gefasst.",
        "Die Anfrage wird mündlich beantwortet. Ein Beschluss wird nicht gefasst.",
        "Kein Beschluss.",
    ],
)
def test_no_resolution_taken_is_noted_not_approved(text: str) -> None:
    assert _outcome(text) == "noted"


def test_wahlt_is_an_election() -> None:
    text = "Der Gemeinderat wählt Frau Renate Kühn einstimmig zur Schiedsperson."
    assert _outcome(text) == "elected"


@pytest.mark.parametrize("text", ["Der Antrag findet keine Mehrheit.", "Keine Mehrheit."])
def test_no_majority_is_rejected(text: str) -> None:
    assert _outcome(text) == "rejected"


@pytest.mark.parametrize(
    "text", ["Bericht erfolgt", "Der Bericht wurde erstattet.", "Die Anfrage wurde beantwortet."]
)
def test_report_given_is_noted(text: str) -> None:
    assert _outcome(text) == "noted"


# --- Norwegian --------------------------------------------------------------------------------


def test_norwegian_falt_is_rejected() -> None:
    assert _outcome("Forslaget fra Ole Brekke (Sp) om nattbuss falt.") == "rejected"


@pytest.mark.parametrize(
    "text",
    [
        "Kommunestyret vedtok innstillingen med 25 mot 10 stemmer.",
        "Kommunestyret vedtok formannskapets innstilling.",
        # a counter-proposal falls, the recommendation is adopted
        "Forslaget fra Sp falt. Innstillingen ble vedtatt.",
        "Forslaget fra Sp ble ikke vedtatt. Innstillingen ble vedtatt.",
    ],
)
def test_norwegian_adopted_recommendation_is_approved(text: str) -> None:
    assert _outcome(text) == "approved"


def test_norwegian_recommendation_to_the_council_stays_recommended() -> None:
    text = "Formannskapet vedtar slik innstilling til kommunestyret: planen godkjennes."
    assert _outcome(text) == "recommended"


def test_norwegian_recommendation_that_fell_is_rejected() -> None:
    assert _outcome("Innstillingen falt.") == "rejected"
    assert _outcome("Innstillingen ble ikke vedtatt.") == "rejected"


# --- withdrawn --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["Queda retirada.", "La enmienda ha sido retirada.", "Amendment 3 not moved."]
)
def test_withdrawn_wordings(text: str) -> None:
    assert _outcome(text) == "withdrawn"


def test_spanish_withdrawal_as_a_subject_is_not_a_result() -> None:
    text = "Proposición no de ley sobre la retirada de tropas. Queda aprobada."
    assert _outcome(text) == "approved"


# --- consent ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Kommunfullmäktige medger att interpellationen får ställas.",
        "Kammaren medgav att motionstiden förlängdes.",
    ],
)
def test_consent_is_approval(text: str) -> None:
    assert _outcome(text) == "approved"


def test_refused_consent_is_rejected() -> None:
    assert _outcome("Nämnden medger inte undantag.") == "rejected"


# --- vote counts ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "votes"),
    [
        ("Kommunestyret vedtok innstillingen med 25 mot 10 stemmer.", Votes(yes=25, no=10)),
        ("Vedtatt med 20 stemmer mot 15.", Votes(yes=20, no=15)),
        ("Kammaren biföll förslaget med 281 röster mot 43.", Votes(yes=281, no=43)),
    ],
)
def test_med_n_mot_m_counts(text: str, votes: Votes) -> None:
    assert find_votes(text) == votes


def test_riksdag_tally_lines_count() -> None:
    votes = find_votes("Votering: 281 för utskottet 43 för res. 1 25 frånvarande")
    assert votes == Votes(yes=281, no=43, absent=25)


def test_lords_contents_and_not_contents_count() -> None:
    votes = find_votes("Division on Amendment 7. Contents 210; Not-Contents 185.")
    assert votes == Votes(yes=210, no=185)


@pytest.mark.parametrize(
    "text",
    [
        "Planen gäller med 2 mot 1 i förhållande.",  # no unit: not a vote
        "See the table of contents 3.",
        "Nämnden ger uppdrag för utskottet 2024.",
        "Skälen för reservationen 2 redovisas.",
        "Reservationen fick 43 röster för reservationen 2.",
        "Recurso contra 2 acuerdos del Pleno.",
        "De raad stemt tegen 3 moties.",
    ],
)
def test_everyday_words_alone_are_no_count(text: str) -> None:
    assert find_votes(text) is None


# --- Dutch ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "outcome"),
    [
        ("Het voorstel wordt met algemene stemmen aangenomen.", "approved"),
        ("De motie is verworpen.", "rejected"),
        ("Het amendement wordt niet aangenomen.", "rejected"),
        ("Mevrouw J. de Vries wordt benoemd tot lid van de rekenkamercommissie.", "elected"),
        ("Het voorstel wordt aangehouden.", "postponed"),
        ("De agenda wordt ongewijzigd vastgesteld.", "approved"),
        ("De jaarrekening 2023 wordt niet vastgesteld.", "rejected"),
        # "besloten" is "decided" (and "besloten vergadering" a closed session): no outcome
        ("De raad heeft besloten de vergadering te schorsen.", "other"),
    ],
)
def test_dutch_wordings(text: str, outcome: str) -> None:
    assert _outcome(text) == outcome


@pytest.mark.parametrize(
    "text",
    [
        "Aangenomen met 17 stemmen voor en 8 tegen.",
        "De motie is verworpen: 17 stemmen voor, 8 tegen.",
    ],
)
def test_dutch_vote_counts(text: str) -> None:
    assert find_votes(text) == Votes(yes=17, no=8)


# --- Portuguese -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "outcome"),
    [
        ("O projeto de resolução foi aprovado por unanimidade.", "approved"),
        ("Aprovada a ata da reunião anterior.", "approved"),
        ("O requerimento foi rejeitado.", "rejected"),
        ("Rejeitada a proposta de alteração.", "rejected"),
        ("O projeto de lei não foi aprovado.", "rejected"),
        ("A proposta não foi aprovada.", "rejected"),
        ("Baixa à Comissão de Economia sem votação por um prazo de 30 dias.", "referred_back"),
        ("Foi eleito presidente da mesa o deputado João Silva.", "elected"),
        ("Eleita a vogal da comissão.", "elected"),
        ("O ponto foi adiado para a próxima reunião.", "postponed"),
        ("Adiada a votação.", "postponed"),
        # after a vote, "baixa à comissão" routes the approved text: no referral back
        ("Aprovado na generalidade; baixa à 6.ª Comissão.", "approved"),
    ],
)
def test_portuguese_wordings(text: str, outcome: str) -> None:
    assert _outcome(text) == outcome


@pytest.mark.parametrize(
    "text",
    [
        "Aprovado, com votos «sim» 180, votos «não» 25, abstenções 14.",
        "Aprovado com a favor: 180, contra: 25, abstenções: 14.",
    ],
)
def test_portuguese_vote_counts(text: str) -> None:
    assert find_votes(text) == Votes(yes=180, no=25, abstain=14)


# --- Swedish, Finland-Swedish -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "outcome"),
    [
        ("Fullmäktige förkastade motionen.", "rejected"),
        ("Motionen förkastas.", "rejected"),
        ("Styrelsen beviljade ansvarsfrihet.", "approved"),
        ("Styrelsen beviljade inte ansökan.", "rejected"),
        ("Fullmäktige förrättar val av nämndemän för perioden 2024–2027.", "elected"),
        ("Fullmäktige förrättade val av ordförande.", "elected"),
        ("Anmäldes och bordlades.", "postponed"),
        ("Ärendet bordlades.", "postponed"),
        (
            "Fullmäktige beslöt med 30 röster mot 21 att ärendet skulle återförvisas.",
            "referred_back",
        ),
    ],
)
def test_swedish_wordings(text: str, outcome: str) -> None:
    assert _outcome(text) == outcome


@pytest.mark.parametrize(
    ("text", "votes"),
    [
        (
            "Kommunstyrelsens förslag (JA) fick 15 röster, Anna Anderssons förslag (NEJ) fick "
            "11 röster. 1 ledamot röstade blankt.",
            Votes(yes=15, no=11, abstain=1),
        ),
        (
            "Förslaget fick 60 röster för och 19 röster emot; 2 ledamöter avstår.",
            Votes(yes=60, no=19, abstain=2),
        ),
        (
            "Omröstningen gav 45 ja-röster, 32 nej-röster och 4 som avstår.",
            Votes(yes=45, no=32, abstain=4),
        ),
        ("Ja — 172, Nej — 139, Avstod — 12", Votes(yes=172, no=139, abstain=12)),
    ],
)
def test_swedish_vote_counts(text: str, votes: Votes) -> None:
    assert find_votes(text) == votes


# --- English: "as recommended" ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "outcome"),
    [
        ("RESOLVED: that the application be refused as recommended.", "rejected"),
        ("RESOLVED: that the application be approved as recommended.", "approved"),
        # a recommendation to another body stays one
        ("RECOMMENDED to Council: that the application be refused.", "recommended"),
        ("The committee recommends to Council that the scheme be adopted.", "recommended"),
    ],
)
def test_as_recommended_is_the_decision_not_a_recommendation(text: str, outcome: str) -> None:
    assert _outcome(text) == outcome
