from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.urls import reverse

from needlechart.demo.seed import DEMO_PASSWORD, seed_all
from needlechart.patients.models import Patient


class Command(BaseCommand):
    help = "Create demo staff and fictional patients. Safe to run again: nothing duplicates."

    def handle(self, *args: Any, **options: Any) -> None:
        staff = seed_all()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(staff)} staff, {Patient.objects.count()} patients."
            )
        )
        self.stdout.write("")
        self.stdout.write(f"  {'username':<14} {'password':<17} role")
        self.stdout.write(f"  {'-' * 14} {'-' * 17} {'-' * 22}")
        for user in staff:
            self.stdout.write(
                f"  {user.username:<14} {DEMO_PASSWORD:<17} {user.get_role_display()}"
            )
        self.stdout.write("")
        self.stdout.write(f"  Sign in at {settings.SITE_URL}{reverse('accounts:login')}")
