"""
GIN indexes of the committee search's full-text vectors (PostgreSQL only; nothing on SQLite):
of an entry's comment, and of a goal follow-up's texts. Each is the expression that
``common.search.text_search`` filters on for the same fields (``entry_search``,
``contribution_search``): if those fields change, the index must be made again
(tests/test_search.py checks that the planner can use it).
"""

from django.db import migrations

from common.search import add_search_index, remove_search_index

INDEXES = [
    ("ProgressEntry", "entry_search_vector", ("comment",), ("comment",)),
    ("GoalContribution", "contribution_search_vector",
     ("comment", "assessment_sentence", "assessment_motivation", "mandate_sentence", "mandate_motivation"),
     ("comment",)),
]  # fmt: skip


def add(apps, schema_editor):
    for model, name, fields, html_fields in INDEXES:
        add_search_index(schema_editor, apps.get_model("commitments", model), name, fields, html_fields)


def remove(apps, schema_editor):
    for model, name, _fields, _html in INDEXES:
        remove_search_index(schema_editor, apps.get_model("commitments", model), name)


class Migration(migrations.Migration):
    dependencies = [("commitments", "0015_text_limits")]

    operations = [migrations.RunPython(add, remove, elidable=False)]
