"""
A GIN index of the committee search's full-text vector of an outcome's comment and reason for
no figure (PostgreSQL only): the expression ``common.search.text_search`` filters on in
``outcome_search`` (tests/test_search.py checks that the planner can use it).
"""

from django.db import migrations

from common.search import add_search_index, remove_search_index

NAME, FIELDS, HTML_FIELDS = "outcome_search_vector", ("comment", "unavailable_reason"), ("comment",)


def add(apps, schema_editor):
    add_search_index(schema_editor, apps.get_model("indicators", "Outcome"), NAME, FIELDS, HTML_FIELDS)


def remove(apps, schema_editor):
    remove_search_index(schema_editor, apps.get_model("indicators", "Outcome"), NAME)


class Migration(migrations.Migration):
    dependencies = [("indicators", "0006_text_limits")]

    operations = [migrations.RunPython(add, remove, elidable=False)]
