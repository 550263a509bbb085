"""Step 3 of 3: every override has its level (0004), so the column is required."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("screenings", "0004_backfill_override_level"),
    ]

    operations = [
        migrations.AlterField(
            model_name="screeningoverride",
            name="level",
            field=models.CharField(
                choices=[
                    ("aesthetician", "Aesthetician or clinician"),
                    ("clinician", "Clinician"),
                    ("second_clinician", "Clinician, confirmed by a second"),
                ],
                max_length=32,
                verbose_name="who may override",
            ),
        ),
    ]
