"""Demo data: fictional staff and patients. Idempotent: every function looks up before it
creates, so re-running `seed_demo` never duplicates. Later apps add a `seed_<thing>`
function and call it from the command, in course order.

No real patient data: the names are common, invented combinations; phone numbers are in
Ofcom's ranges reserved for drama (07700 900000-900999), e-mails use example.org.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from needlechart.accounts.models import Role, User
from needlechart.patients.models import ContactMethod, Patient, Sex
from needlechart.patients.services import patient_register

DEMO_PASSWORD = "demo-password-1"


@dataclass(frozen=True)
class DemoStaff:
    username: str
    role: Role
    display_name: str
    email: str


DEMO_STAFF = (
    DemoStaff("clinician", Role.CLINICIAN, "Dr Amara Okafor", "clinician@example.org"),
    DemoStaff("aesthetician", Role.AESTHETICIAN, "Sofia Marquez", "aesthetician@example.org"),
    DemoStaff("frontdesk", Role.FRONT_DESK, "Tom Hughes", "frontdesk@example.org"),
    DemoStaff("admin", Role.ADMIN, "Priya Shah", "admin@example.org"),
)

# (given, family, date of birth, sex, preferred contact)
DEMO_PATIENTS: tuple[tuple[str, str, str, str, str], ...] = (
    ("Olivia", "Bennett", "1996-03-14", Sex.FEMALE, ContactMethod.SMS),
    ("James", "Carter", "1989-11-02", Sex.MALE, ContactMethod.PHONE),
    ("Aisha", "Rahman", "2001-06-27", Sex.FEMALE, ContactMethod.EMAIL),
    ("Liam", "O'Connor", "1993-01-19", Sex.MALE, ContactMethod.SMS),
    ("Chloe", "Nguyen", "1998-09-08", Sex.FEMALE, ContactMethod.EMAIL),
    ("Mohammed", "Ali", "1987-04-30", Sex.MALE, ContactMethod.PHONE),
    ("Emily", "Walsh", "2000-12-11", Sex.FEMALE, ContactMethod.SMS),
    ("Daniel", "Kowalski", "1991-07-23", Sex.MALE, ContactMethod.EMAIL),
    ("Grace", "Adeyemi", "1995-02-05", Sex.FEMALE, ContactMethod.PHONE),
    ("Ethan", "Murphy", "2003-05-16", Sex.MALE, ContactMethod.SMS),
    ("Hannah", "Fischer", "1984-10-29", Sex.FEMALE, ContactMethod.EMAIL),
    ("Ryan", "Patel", "1997-08-03", Sex.MALE, ContactMethod.SMS),
    ("Zara", "Hussain", "1999-03-21", Sex.FEMALE, ContactMethod.PHONE),
    ("Noah", "Thompson", "1990-06-09", Sex.MALE, ContactMethod.EMAIL),
    ("Isabella", "Rossi", "1994-11-17", Sex.FEMALE, ContactMethod.SMS),
    ("Samuel", "Mensah", "1986-01-25", Sex.MALE, ContactMethod.PHONE),
    ("Mia", "Jones", "2014-04-12", Sex.FEMALE, ContactMethod.SMS),  # under the minimum age
    ("Lucas", "Silva", "1992-09-30", Sex.MALE, ContactMethod.EMAIL),
    ("Amelia", "Clarke", "1988-07-07", Sex.FEMALE, ContactMethod.PHONE),
    ("Arjun", "Mehta", "1996-12-01", Sex.MALE, ContactMethod.SMS),
    ("Freya", "Lindqvist", "1993-05-28", Sex.FEMALE, ContactMethod.EMAIL),
    ("Kwame", "Boateng", "1985-03-03", Sex.MALE, ContactMethod.PHONE),
    ("Sophie", "Dubois", "1999-10-19", Sex.FEMALE, ContactMethod.SMS),
    ("Jack", "Robertson", "2004-02-14", Sex.MALE, ContactMethod.SMS),
    ("Leila", "Haddad", "1991-08-22", Sex.FEMALE, ContactMethod.EMAIL),
    ("Oscar", "Evans", "1983-12-18", Sex.MALE, ContactMethod.PHONE),
    ("Yuki", "Tanaka", "1997-06-06", Sex.FEMALE, ContactMethod.EMAIL),
    ("Alex", "Morgan", "1995-09-13", Sex.OTHER, ContactMethod.SMS),
    ("Niamh", "Gallagher", "2000-01-31", Sex.FEMALE, ContactMethod.PHONE),
    ("Tariq", "Aziz", "1990-04-04", Sex.MALE, ContactMethod.SMS),
)


def seed_staff() -> list[User]:
    users = []
    for staff in DEMO_STAFF:
        user, created = User.objects.get_or_create(
            username=staff.username,
            defaults={"role": staff.role, "display_name": staff.display_name, "email": staff.email},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        users.append(user)
    return users


def seed_patients(*, by: User) -> list[Patient]:
    patients = []
    for index, (given, family, dob, sex, contact) in enumerate(DEMO_PATIENTS):
        existing = Patient.objects.filter(
            given_name=given, family_name=family, date_of_birth=dob
        ).first()
        if existing is not None:
            patients.append(existing)
            continue
        slug = f"{given}.{family}".lower().replace("'", "")
        registered = patient_register(
            by=by,
            given_name=given,
            family_name=family,
            date_of_birth=date.fromisoformat(dob),
            sex=sex,
            phone=f"07700 900{index:03d}",
            email=f"{slug}@example.org",
            preferred_contact=contact,
        )
        # Demo realism: registered some weeks before the backdated visits seeded later.
        registered_at = timezone.now() - timedelta(days=60 + index)
        Patient.objects.filter(pk=registered.pk).update(created_at=registered_at)
        registered.created_at = registered_at
        patients.append(registered)
    return patients


@transaction.atomic
def seed_all() -> list[User]:
    from needlechart.demo.course import seed_course, seed_leads

    staff = seed_staff()
    by_role = {u.role: u for u in staff}
    patients = seed_patients(by=by_role[Role.FRONT_DESK])
    seed_course(
        patients=patients,
        clinician=by_role[Role.CLINICIAN],
        aesthetician=by_role[Role.AESTHETICIAN],
    )
    seed_leads()
    return staff
