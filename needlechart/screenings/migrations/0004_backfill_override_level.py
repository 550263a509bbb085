"""Step 2 of 3 (non-null in safe steps): give every existing override its level.

The level is the engine's `override_level` of the stored result, as the protocol defines it
today; results stored before protocol 2026.12.1 carry no hard-stop or physician-level flags,
which `override_level` reads as false (the verdict rule still applies). Existing overrides
were made before confirmations existed: a `second_clinician` one is left unconfirmed, so
it waits for a second clinician like a new one (the engine's verdict stays in effect).
"""

from typing import Any

from django.db import migrations


def backfill(apps: Any, schema_editor: Any) -> None:
    import pydantic

    from needlechart.protocol import OverrideLevel, override_level
    from needlechart.protocol.results import Screening as EngineScreening

    ScreeningOverride = apps.get_model("screenings", "ScreeningOverride")
    for override in ScreeningOverride.objects.filter(level__isnull=True).select_related(
        "screening"
    ):
        try:
            level = override_level(EngineScreening.model_validate(override.screening.result))
        except pydantic.ValidationError:
            # A result that no longer parses: the guarded level a clinician can act on.
            level = OverrideLevel.CLINICIAN
        override.level = level.value
        override.save(update_fields=["level"])


class Migration(migrations.Migration):
    dependencies = [
        ("screenings", "0003_override_level_and_confirmation"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
