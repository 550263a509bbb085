"""Reads of patients, scoped by the acting user."""

import re
from datetime import date, datetime

from django.db.models import Q, QuerySet
from django.http import Http404

from needlechart.accounts.models import User
from needlechart.accounts.permissions import require_staff
from needlechart.core.dates import DATE_FORMATS as DATE_FORMATS  # re-exported
from needlechart.patients.models import Patient, phone_digits

_PHONE_QUERY = re.compile(r"^[0-9+()\-\s.]+$")
MIN_PHONE_DIGITS = 6
MAX_DUPLICATES = 10
MAX_DB_ID = 2**63 - 1


def parse_date(text: str) -> date | None:
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _phone_core(digits: str) -> str:
    """Drop a UK trunk 0 or country code so "+44 7700" and "07700" meet."""
    if digits.startswith("44") and len(digits) > 10:
        return digits[2:]
    return digits.lstrip("0")


def patient_search(*, user: User, query: str = "") -> QuerySet[Patient]:
    """Active patients matching `query`, ordered by name.

    The query may be a phone number (digits match anywhere), or words where each word
    is either a date of birth (YYYY-MM-DD or DD/MM/YYYY) or part of a name; all words
    must match. Cost: one query, no joins.
    """
    require_staff(user)
    qs = Patient.objects.active().order_by("family_name", "given_name", "id")
    query = query.strip()[:100]
    if not query:
        return qs
    digits = phone_digits(query)
    if _PHONE_QUERY.match(query) and len(digits) >= MIN_PHONE_DIGITS and parse_date(query) is None:
        return qs.filter(phone_digits__contains=_phone_core(digits))
    for word in query.split():
        if (dob := parse_date(word)) is not None:
            qs = qs.filter(date_of_birth=dob)
        else:
            qs = qs.filter(Q(given_name__icontains=word) | Q(family_name__icontains=word))
    return qs


def patient_possible_duplicates(
    given_name: str,
    family_name: str,
    date_of_birth: date | None,
    phone: str = "",
    *,
    exclude_id: int | None = None,
) -> list[Patient]:
    """Existing patients (archived included) who may be the same person.

    A match is: same full name; or same date of birth and same given or family name;
    or the same phone number. Names compare case-insensitively.
    """
    given_name, family_name = given_name.strip(), family_name.strip()
    condition = Q(given_name__iexact=given_name, family_name__iexact=family_name)
    if date_of_birth is not None:
        condition |= Q(date_of_birth=date_of_birth) & (
            Q(given_name__iexact=given_name) | Q(family_name__iexact=family_name)
        )
    digits = phone_digits(phone)
    if len(digits) >= MIN_PHONE_DIGITS:
        condition |= Q(phone_digits=digits)
    qs = Patient.objects.filter(condition)
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    return list(qs.order_by("family_name", "given_name", "id")[:MAX_DUPLICATES])


def patient_get_for(*, user: User, patient_id: int) -> Patient:
    """The patient, if this user may open their chart. Archived charts stay readable."""
    require_staff(user)
    if not 0 < patient_id <= MAX_DB_ID:  # an absurd id in the URL is a 404, not a 500
        raise Http404("No such patient.")
    try:
        return Patient.objects.get(pk=patient_id)
    except Patient.DoesNotExist:
        raise Http404("No such patient.") from None
