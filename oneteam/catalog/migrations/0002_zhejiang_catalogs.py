"""The three catalogs named by the Zhejiang regulation and 瑞政办〔2022〕70号.

They are configuration with a default: another province adds its own catalogs
in the admin; their contents always come from an import (``oneteam import-catalog``).
"""

from django.db import migrations

CATALOGS = [
    ("zj-unified", "浙江省综合行政执法事项统一目录", "province", False, 10),
    ("zj-township", "浙江省乡镇(街道)综合行政执法事项指导目录", "province", True, 20),
    ("wz-extension", "温州市综合行政执法扩展目录", "prefecture", True, 30),
]


def create(apps, schema_editor):
    Catalog = apps.get_model("catalog", "Catalog")
    for code, name, level, selectable, order in CATALOGS:
        Catalog.objects.get_or_create(code=code, defaults={"name": name, "level": level,
                                                           "township_selectable": selectable, "order": order})


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
