"""What patients read carries no staff-only text.

Every page, document and e-mail a patient receives is rendered for patients with rich plans
(cold sores, phototype V, PIH, a numbing-cream allergy, retinoids, quiet eczema, an RF device;
and a 19-year-old treated with the pen) and scanned for staff instructions, research notes,
evidence labels and source keys, and for the protocol's staff wording itself. Device warnings
must match the device used, and a suggested grade must never read as confirmed.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from html import unescape
from html.parser import HTMLParser
from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from needlechart.accounts.models import User
from needlechart.assessments.services import assessment_record
from needlechart.consents.models import Consent
from needlechart.notifications import due
from needlechart.notifications.collect import _preparation_steps
from needlechart.notifications.content import render as render_message
from needlechart.notifications.models import MessageKind
from needlechart.patients.models import Patient
from needlechart.plans.models import TreatmentPlan
from needlechart.portal.services import _token_create, portal_invite
from needlechart.prescreen.explain import SENTENCES
from needlechart.prescreen.questionnaire import DERMATOSES, PROCEDURES, YES_NO_PATHS
from needlechart.protocol import default_protocol
from needlechart.protocol.aftercare import aftercare_timeline
from needlechart.protocol.vocabulary import Symptom
from needlechart.scheduling.models import Appointment, AppointmentStatus
from needlechart.treatments.models import SessionRecord
from tests.factories.consents import signed_consent
from tests.factories.outcomes import signed_session
from tests.factories.plans import PRECAUTIONS, PROCEED, approved_plan
from tests.integration.test_prescreen_pages import all_clear

pytestmark = pytest.mark.django_db

# Staff-only markers: research notes, evidence labels, staff instructions.
STAFF_WORDS = (
    "unverified",
    "unsourced",
    "synthesis",
    "evidence",
    "peer_reviewed",
    "peer-reviewed",
    "clinic_practice",
    "researcher",
    "prescriber",
    "clinician sets",
    "the clinician decides",
    "record the choice",
    "session record",
    "consent should",
    "refer for acne therapy",
    "refer to physician",
    "re-screen",
)
STAFF_WORD = re.compile(r"\b(?:" + "|".join(map(re.escape, STAFF_WORDS)) + r")\b", re.IGNORECASE)
SOURCE_KEY = re.compile(r"\[[A-Z]{1,2}\d")  # "[S55]", "[C7]", "[E1"


def _words(text: str, n: int = 7) -> str:
    return " ".join(text.split()[:n])


def staff_phrases() -> list[str]:
    """The opening words of every staff wording in the protocol that has its own patient
    wording (or is never meant for patients): none may reach a patient."""
    doc = default_protocol().document
    texts = [p.text for p in doc.precautions.values()]
    texts += [s.text for s in doc.planning.preparation if s.text != s.patient_text]
    texts += [i.expected_course for i in doc.planning.indications]
    texts += [doc.planning.maintenance.text, doc.planning.endpoint.text, doc.follow_up.text]
    texts += [r.reason for r in doc.aftercare.symptoms.values()]
    texts += [r.message for r in doc.screening_rules]
    texts += [doc.grading.goodman_baron_quantitative.label]
    patient_words = " ".join(
        [p.patient_text for p in doc.precautions.values()]
        + [s.patient_text for s in doc.planning.preparation]
        + [i.patient_expected_course for i in doc.planning.indications]
        + [r.patient_reason for r in doc.aftercare.symptoms.values()]
    )
    # A staff sentence may open like its patient wording ("Pinpoint bleeding stops ...").
    return sorted(
        {_words(t) for t in texts} - {_words(t) for t in texts if _words(t) in patient_words}
    )


def staff_only(text: str) -> list[str]:
    """What of the staff-only markers and wording `text` contains (empty: clean)."""
    flat = " ".join(text.split())
    found = STAFF_WORD.findall(flat)
    found += SOURCE_KEY.findall(flat)
    found += [p for p in staff_phrases() if p in flat]
    return found


class _Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "title"):
            self._skip += 1
        for name, value in attrs:
            if name in ("alt", "title", "aria-label", "placeholder") and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "title") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return unescape(" ".join(parser.parts))


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


# ---------------------------------------------------------------- patients with rich plans


@dataclass
class Treated:
    patient: Patient
    plan: TreatmentPlan
    consent: Consent
    sessions: list[SessionRecord]
    appointment: Appointment


RICH_RF = {
    # example 02: phototype V, cold sores, PIH; plus these
    "device": "rf_microneedling",
    "history.topical_anaesthetic_allergy": "yes",
    "history.dermatoses.eczema": "inactive",
    "medications.topical_retinoids": {"status": "current"},
    "medications.isotretinoin": {"status": "past", "last_date": "2023-01-15"},
}


def _intake(changes: dict[str, Any]) -> dict[str, Any]:
    from tests.factories.plans import example_intake

    base = example_intake(PRECAUTIONS if changes is RICH_RF else PROCEED)
    for path, value in changes.items():
        *parents, leaf = path.split(".")
        node = base
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return base


def treat(
    *, patient: Patient, clinician: User, aesthetician: User, changes: dict[str, Any]
) -> Treated:
    """Approved plan, signed consent, two signed sessions (the latest yesterday, with its
    stored aftercare), a confirmed baseline grade, a suggested-only follow-up grade and a
    booked next session."""
    today = timezone.localdate()
    intake = _intake(changes)
    example = PRECAUTIONS if changes is RICH_RF else PROCEED
    plan = approved_plan(
        patient=patient,
        by=clinician,
        example=example,
        start_date=today - timedelta(weeks=6),
        intake=intake,
    )
    consent = signed_consent(plan=plan, witness=aesthetician, clinician=clinician)
    first = signed_session(plan=plan, by=clinician, number=1, performed_on=today - timedelta(30))
    second = signed_session(plan=plan, by=clinician, number=2, performed_on=today - timedelta(1))
    SessionRecord.objects.filter(pk=second.pk).update(
        aftercare=[
            d.model_dump(mode="json") for d in aftercare_timeline(session_date=second.performed_on)
        ]
    )
    second.refresh_from_db()
    scars = {"cheeks": {"rolling": 6, "boxcar_shallow": 4, "ice_pick": 3}}
    assessment_record(
        patient=patient,
        by=clinician,
        kind="baseline",
        assessed_on=today - timedelta(weeks=7),
        scar_counts=scars,
        quantitative_counts={"b_moderate_dish": 6},
        qualitative_grade=3,
    )
    assessment_record(
        patient=patient,
        by=clinician,
        kind="follow_up",
        assessed_on=today,
        scar_counts=scars,
        visible_at_social_distance="yes",
        flatten_on_stretch="yes",
        quantitative_counts={"b_moderate_dish": 4},
    )
    starts = timezone.make_aware(datetime.combine(today + timedelta(days=20), time(10)))
    appointment = Appointment.objects.create(
        patient=patient,
        plan=plan,
        session_number=3,
        practitioner=clinician,
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        status=AppointmentStatus.BOOKED,
        created_by=clinician,
    )
    return Treated(patient, plan, consent, [first, second], appointment)


@pytest.fixture(autouse=True)
def _clean(settings: Any) -> Iterator[None]:
    settings.SITE_URL = "https://clinic.example"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def rf(make_patient: Any, clinician: User, aesthetician: User) -> Treated:
    patient = make_patient(given_name="Ama", family_name="Owusu", email="ama@example.org")
    return treat(patient=patient, clinician=clinician, aesthetician=aesthetician, changes=RICH_RF)


@pytest.fixture
def young_pen(make_patient: Any, clinician: User, aesthetician: User) -> Treated:
    today = timezone.localdate()
    patient = make_patient(
        given_name="Leo",
        family_name="Young",
        email="leo@example.org",
        date_of_birth=date(today.year - 19, 1, 1),
    )
    changes = {"history.hsv_history": "yes", "fitzpatrick": "IV"}
    return treat(patient=patient, clinician=clinician, aesthetician=aesthetician, changes=changes)


def portal(patient: Patient) -> Client:
    _token, secret = _token_create(patient=patient, by=None)
    client = Client()
    assert client.post(reverse("portal:enter", args=[secret])).status_code == 302
    return client


def _get(client: Client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    if response["Content-Type"] == "application/pdf":
        return pdf_text(response.content)
    return visible(response.content.decode())


def printed_sheet(clinician_client: Client, session: SessionRecord) -> str:
    """What the staff print of the aftercare sheet puts on paper: the sheet without the
    staff site around it and without its screen-only line."""
    html = clinician_client.get(reverse("treatments:aftercare", args=[session.pk])).content
    match = re.search(r'<article class="aftercare-sheet">.*?</article>', html.decode(), re.S)
    assert match
    return visible(re.sub(r'<p class="no-print">.*?</p>', "", match.group(0), flags=re.S))


def patient_documents(t: Treated, clinician_client: Client) -> dict[str, str]:
    """Every portal page and document of the patient, and the staff printouts they are given,
    as text."""
    client = portal(t.patient)
    latest = t.sessions[-1]
    pages = {
        "home": _get(client, reverse("portal:home")),
        "aftercare": _get(client, reverse("portal:aftercare")),
        "documents": _get(client, reverse("portal:documents")),
        "progress": _get(client, reverse("portal:progress")),
        "reschedule": _get(client, reverse("portal:reschedule", args=[t.appointment.pk])),
        "check-in": _get(client, reverse("portal:check_in", args=[latest.pk, 1])),
        "consent.pdf": _get(client, reverse("portal:consent_pdf", args=[t.consent.pk])),
        "plan.pdf": _get(client, reverse("portal:plan_pdf", args=[t.plan.pk])),
        "aftercare.pdf": _get(client, reverse("portal:aftercare_pdf", args=[latest.pk])),
        "progress.pdf (patient copy)": _get(
            clinician_client, reverse("documents:progress_report", args=[t.patient.pk])
        ),
        "printable aftercare sheet": printed_sheet(clinician_client, latest),
    }
    # A check-in with every symptom offered, most of them at their worst.
    form = client.get(reverse("portal:check_in", args=[latest.pk, 1])).context["form"]
    data: dict[str, str] = {"notes": "Feels hot."}
    for code, _label in form.symptoms:
        data[f"{code}_present"] = "on"
        data[f"{code}_severity"] = "severe"
        data[f"{code}_worse"] = "on"
    response = client.post(reverse("portal:check_in", args=[latest.pk, 1]), data)
    assert response.status_code == 302, response.content[:500]
    pages["check-in result"] = _get(client, response["Location"])
    return pages


def assert_clean(pages: dict[str, str]) -> None:
    dirty = {name: staff_only(text) for name, text in pages.items()}
    assert not {name: found for name, found in dirty.items() if found}


# ---------------------------------------------------------------- the scans


def test_the_scanner_finds_staff_text() -> None:
    """The scan is only worth something if it fails on the staff wording."""
    doc = default_protocol().document
    assert staff_only(doc.precautions["antiviral_prophylaxis"].text)
    assert staff_only(doc.precautions["off_label_age"].text)
    assert staff_only(doc.grading.goodman_baron_quantitative.label)
    assert staff_only("See [S55].") and staff_only("Low evidence.")
    assert not staff_only(doc.precautions["antiviral_prophylaxis"].patient_text)


def test_portal_pages_and_documents_carry_no_staff_text(
    rf: Treated, young_pen: Treated, clinician_client: Client
) -> None:
    for treated in (rf, young_pen):
        pages = patient_documents(treated, clinician_client)
        assert_clean(pages)
        # ...and they did say something: the patient wording of the plan reached them.
        doc = default_protocol().document
        assert _words(doc.precautions["antiviral_prophylaxis"].patient_text) in " ".join(
            pages["plan.pdf"].split()
        )
        assert _words(doc.planning.maintenance.patient_text, 5) in pages["plan.pdf"]


def test_emails_of_every_kind_carry_no_staff_text(rf: Treated, clinician: User) -> None:
    patient = rf.patient
    now = timezone.now()
    steps = _preparation_steps(rf.plan.recommendation)
    assert any("prescriber" in s["text"] for s in rf.plan.recommendation["preparation"])
    contexts: dict[str, list[dict[str, Any]]] = {
        due.BOOKING_CONFIRMATION: [{"starts_at": rf.appointment.starts_at}],
        due.SESSION_REMINDER: [{"starts_at": rf.appointment.starts_at}],
        due.PREPARATION_REMINDER: [
            {"starts_at": rf.appointment.starts_at, "title": s.title, "text": s.text} for s in steps
        ],
        due.CHECK_IN_INVITATION: [{"day": 1}],
        due.FOLLOW_UP_REMINDER: [{"window_from": date(2031, 1, 1), "window_to": date(2031, 3, 1)}],
        due.MAINTENANCE_REMINDER: [{}],
        due.RESCREEN_REMINDER: [{"on": date(2031, 1, 1)}],
    }
    texts: dict[str, str] = {}
    for kind, items in contexts.items():
        for n, ctx in enumerate(items):
            message = due.DueMessage(kind, f"test:{kind}:{n}", now, patient.pk, ctx)
            subject, body = render_message(message, patient)
            texts[f"{kind} {n}"] = f"{subject}\n{body}"
    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):  # the link goes after commit
        portal_invite(patient=patient, by=clinician)
    [sign_in] = mail.outbox
    texts[MessageKind.PORTAL_SIGN_IN] = f"{sign_in.subject}\n{sign_in.body}"
    covered = {key.split(" ")[0] for key in texts}
    assert covered == set(MessageKind.values)  # a new kind of e-mail must be scanned too
    assert_clean(texts)


def _prescreen_result(client: Client, answers: dict[str, Any]) -> str:
    response = client.post("/prescreen/", answers)
    assert response.status_code == 200
    assert "outcome" in response.content.decode(), "no result page"
    return visible(response.content.decode())


def test_prescreen_pages_carry_no_staff_text(client: Client) -> None:
    recent = (timezone.localdate() - timedelta(days=3)).isoformat()
    everything = all_clear(
        age="19",
        skin_type="V",
        spots="many",
        raised_scars="yes",
        isotretinoin="now",
        retinoids="now",
        sun="now",
        **dict.fromkeys(YES_NO_PATHS, "yes"),
        **dict.fromkeys(DERMATOSES, "active_in_area"),
        **dict.fromkeys(PROCEDURES, "yes"),
        **{f"{key}_date": recent for key in PROCEDURES},
        diabetes="uncontrolled",
    )
    unsure = {k: ("unsure" if v in ("no", "none") else v) for k, v in all_clear().items()}
    pages = {
        "questionnaire": visible(client.get("/prescreen/").content.decode()),
        "result: all clear": _prescreen_result(client, all_clear()),
        "result: everything": _prescreen_result(client, everything),
        "result: not sure": _prescreen_result(client, unsure),
        "result: quiet skin conditions": _prescreen_result(
            client, all_clear(**dict.fromkeys(DERMATOSES, "inactive"))
        ),
        "thanks": visible(client.get(reverse("prescreen:thanks")).content.decode()),
    }
    assert_clean(pages)


def test_every_screening_rule_has_plain_prescreen_words() -> None:
    """Without its own sentence a finding falls back to the rule's staff title."""
    codes = {rule.code for rule in default_protocol().document.screening_rules}
    assert codes - set(SENTENCES) == set()
    assert_clean(dict(SENTENCES))


# ---------------------------------------------------------------- device warnings


RF_WARNING = "Radiofrequency microneedling can cause burns"
PEN_AGE = "cleared for adults aged 22 and over"


def test_device_warnings_match_the_device_used(
    rf: Treated, young_pen: Treated, clinician_client: Client
) -> None:
    doc = default_protocol().document
    assert doc.precautions["rf_safety"].patient_text.startswith(RF_WARNING)
    assert PEN_AGE in doc.precautions["off_label_age"].patient_text
    burns = doc.aftercare.symptoms[Symptom.BURNS].label
    rf_pages = patient_documents(rf, clinician_client)
    pen_pages = patient_documents(young_pen, clinician_client)
    for name in ("home", "plan.pdf", "consent.pdf"):
        rf_text, pen_text = (" ".join(p[name].split()) for p in (rf_pages, pen_pages))
        assert RF_WARNING in rf_text and PEN_AGE not in rf_text, name
        assert PEN_AGE in pen_text and RF_WARNING not in pen_text, name
    for name in ("aftercare", "aftercare.pdf", "printable aftercare sheet", "check-in"):
        assert burns in " ".join(rf_pages[name].split()), name
        assert burns not in " ".join(pen_pages[name].split()), name
        assert "after RF" not in pen_pages[name] and "FDA" not in pen_pages[name], name


# ---------------------------------------------------------------- grades (issue 10)


def test_portal_labels_grades_like_the_staff_chart(rf: Treated, clinician_client: Client) -> None:
    """The follow-up's grade is only the engine's suggestion: the portal, like the staff chart
    and the PDFs, says so; the confirmed baseline grade says confirmed."""
    text = " ".join(_get(portal(rf.patient), reverse("portal:progress")).split())
    assert "3 (moderate), confirmed by your clinician" in text
    assert "suggested by the software and not yet confirmed by your clinician" in text
    staff = clinician_client.get(reverse("outcomes:progress", args=[rf.patient.pk]))
    chart = visible(staff.content.decode())
    assert "(confirmed)" in chart and "(suggested)" in chart
    report = " ".join(
        _get(clinician_client, reverse("documents:progress_report", args=[rf.patient.pk])).split()
    )
    assert "confirmed by your clinician" in report and "not yet confirmed" in report
    assert "unverified" not in report.lower()
    clinical = _get(
        clinician_client,
        reverse("documents:progress_report", args=[rf.patient.pk]) + "?for=clinician",
    )
    assert "UNVERIFIED" in clinical and "(suggested)" in clinical


# ---------------------------------------------------------------- provenance stays for staff


def test_staff_plan_and_aftercare_pages_keep_their_sources(
    rf: Treated, clinician_client: Client
) -> None:
    doc = default_protocol().document
    cite = default_protocol().cite
    plan_page = clinician_client.get(reverse("plans:detail", args=[rf.plan.pk])).content.decode()
    plan_text = " ".join(visible(plan_page).split())
    antiviral = doc.precautions["antiviral_prophylaxis"]
    assert _words(antiviral.text) in plan_text  # the staff wording, for staff
    assert cite(antiviral.sources)[0] in plan_text  # with its sources
    start = next(s for s in doc.planning.preparation if s.code == "start_antiviral")
    assert _words(start.text) in plan_text and cite(start.sources)[0] in plan_text
    session = clinician_client.get(reverse("treatments:detail", args=[rf.sessions[-1].pk]))
    session_text = " ".join(visible(session.content.decode()).split())
    first = doc.aftercare.timeline[0].instructions[0]
    assert first.text in session_text and cite(first.sources)[0] in session_text
    burns = doc.aftercare.symptoms[Symptom.BURNS]  # an RF session: its warning signs include burns
    assert _words(burns.reason) in session_text and cite(burns.sources)[0] in session_text


# ---------------------------------------------------------------- red flags and extras


def test_call_us_if_list_on_the_aftercare_sheet_and_portal(
    rf: Treated, young_pen: Treated, clinician_client: Client
) -> None:
    """The protocol's red flags for the device used, urgent ones marked and saying when to
    call emergency services, and the extras (numbing cream, antiviral course)."""
    doc = default_protocol().document
    rf_only = [f.text for f in doc.aftercare.red_flags if f.applies_to_devices]
    everyone = [f for f in doc.aftercare.red_flags if not f.applies_to_devices]
    emergency = next(f.text for f in everyone if "emergency services" in f.text)
    for treated, device_flags in ((rf, True), (young_pen, False)):
        pages = patient_documents(treated, clinician_client)
        for name in ("aftercare", "aftercare.pdf", "printable aftercare sheet"):
            text = " ".join(pages[name].split())
            assert "Call us" in text, name
            for flag in everyone:
                assert flag.text in text, (name, flag.text)
            assert f"Urgent: {emergency}" in text, name
            for flag_text in rf_only:
                assert (flag_text in text) is device_flags, (name, flag_text)
            for extra in doc.aftercare.sheet_extras:
                assert extra.text in text, (name, extra.code)
