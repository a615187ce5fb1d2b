"""The site's statement with its defaults (Swedish), so that the page and the admin have one to show and edit."""

from django.db import migrations


def create_statement(apps, schema_editor):
    AccessibilityStatement = apps.get_model("accessibility", "AccessibilityStatement")
    # The fields' defaults are the statement's text; updated_on (auto_now) is today.
    AccessibilityStatement.objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("accessibility", "0001_initial")]

    operations = [migrations.RunPython(create_statement, migrations.RunPython.noop)]
