"""Who may open which page, through URLs and middleware."""

import pytest
from django.test import Client
from django.urls import reverse

from needlechart.accounts.models import User
from needlechart.audit.models import AuditEvent
from needlechart.patients.models import Patient

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url_name", ["dashboard", "patients:list", "patients:register", "audit:list"]
)
def test_anonymous_redirected_to_login(client: Client, url_name: str) -> None:
    url = reverse(url_name)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={url}"


def test_anonymous_chart_redirected(client: Client, patient: Patient) -> None:
    response = client.get(reverse("patients:detail", args=[patient.pk]))
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="patient.view").exists()


def test_audit_page_admin_only(
    admin_client_: Client,
    clinician_client: Client,
    front_desk_client: Client,
    aesthetician_client: Client,
) -> None:
    assert admin_client_.get(reverse("audit:list")).status_code == 200
    for client in (clinician_client, front_desk_client, aesthetician_client):
        response = client.get(reverse("audit:list"))
        assert response.status_code == 403
        assert b"access to this page" in response.content  # our 403 template


def test_front_desk_sees_header_not_clinical(front_desk_client: Client, patient: Patient) -> None:
    response = front_desk_client.get(reverse("patients:detail", args=[patient.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Olivia Bennett" in html
    assert "07700 900123" in html
    assert 'id="clinical-sections"' not in html
    assert 'id="clinical-hidden-note"' in html


@pytest.mark.parametrize("client_fixture", ["clinician_client", "aesthetician_client"])
def test_clinical_roles_see_clinical_sections(
    request: pytest.FixtureRequest, client_fixture: str, patient: Patient
) -> None:
    client: Client = request.getfixturevalue(client_fixture)
    html = client.get(reverse("patients:detail", args=[patient.pk])).content.decode()
    assert 'id="clinical-sections"' in html


def test_chart_view_is_audited(
    front_desk_client: Client, front_desk: User, patient: Patient
) -> None:
    front_desk_client.get(reverse("patients:detail", args=[patient.pk]), REMOTE_ADDR="10.1.2.3")
    event = AuditEvent.objects.get(action="patient.view")
    assert (event.actor_id, event.patient_id, event.ip) == (front_desk.pk, patient.pk, "10.1.2.3")


@pytest.mark.parametrize(
    "path",
    ["/patients/999999/", "/patients/99999999999999999999999/", "/patients/abc/", "/no-such-page/"],
)
def test_bad_ids_are_404(front_desk_client: Client, path: str) -> None:
    response = front_desk_client.get(path)
    assert response.status_code == 404
    assert b"Page not found" in response.content


def test_archive_page_refuses_front_desk(front_desk_client: Client, patient: Patient) -> None:
    url = reverse("patients:archive", args=[patient.pk])
    assert front_desk_client.get(url).status_code == 403
    assert front_desk_client.post(url, {"reason": "x"}).status_code == 403
    patient.refresh_from_db()
    assert not patient.is_archived


def test_nav_is_role_aware(admin_client_: Client, front_desk_client: Client) -> None:
    audit_url = reverse("audit:list")
    assert audit_url in admin_client_.get("/").content.decode()
    assert audit_url not in front_desk_client.get("/").content.decode()
