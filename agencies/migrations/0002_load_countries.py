"""Load every ISO 3166-1 country with its UN M49 grouping.

Codes and names come from django-countries (maintained, translated); the M49 region, sub-region
and intermediate region come from agencies/data/m49_regions.csv (UN Statistics Division table).
Running it again updates rows in place.
"""

import csv
from pathlib import Path

from django.db import migrations

M49_FILE = Path(__file__).resolve().parent.parent / "data" / "m49_regions.csv"


def load_countries(apps, schema_editor):
    from django.utils import translation
    from django_countries.data import COUNTRIES

    Country = apps.get_model("agencies", "Country")
    with M49_FILE.open(newline="", encoding="utf-8") as handle:
        m49 = {row["iso2"]: row for row in csv.DictReader(handle)}
    with translation.override("en"):
        for code, name in COUNTRIES.items():
            row = m49[code]
            Country.objects.update_or_create(
                code=code,
                defaults={
                    "iso3": row["iso3"],
                    "m49_code": row["m49"],
                    "name": str(name),
                    "region": row["region"],
                    "sub_region": row["sub_region"],
                    "intermediate_region": row["intermediate_region"],
                },
            )


class Migration(migrations.Migration):
    dependencies = [("agencies", "0001_initial")]

    operations = [migrations.RunPython(load_countries, migrations.RunPython.noop)]
