"""Default opening hours: Monday to Friday 09:00-18:00, Saturday 09:00-13:00, Sunday closed.

The clinic admin changes them on the opening hours page; this only seeds a fresh database
and never overwrites hours that already exist.
"""

from datetime import time

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

DEFAULT_HOURS = [(day, time(9, 0), time(18, 0)) for day in range(5)] + [
    (5, time(9, 0), time(13, 0))
]


def seed(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    OpeningHours = apps.get_model("scheduling", "OpeningHours")
    for weekday, opens, closes in DEFAULT_HOURS:
        OpeningHours.objects.get_or_create(
            weekday=weekday, defaults={"opens": opens, "closes": closes}
        )


def unseed(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    OpeningHours = apps.get_model("scheduling", "OpeningHours")
    for weekday, opens, closes in DEFAULT_HOURS:
        OpeningHours.objects.filter(weekday=weekday, opens=opens, closes=closes).delete()


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
