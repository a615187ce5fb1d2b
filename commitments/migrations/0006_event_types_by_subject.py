"""
Store event types by what they concern, not by model name ("progressentry.submit" becomes
"entry.submit"), and name each row's subject in ``subject_label`` as the log shows it.
"""

from django.db import migrations

#: Old prefix (the model's name) -> the subject's stable name.
RENAMES = {"progressentry": "entry", "goalcontribution": "contribution", "sectiontext": "text"}


def label_of(apps, event):
    """Name the row an event concerns as the workflow does (code · department), if it still exists."""
    if event.content_type_id is None or event.object_id is None:
        return ""
    content_type = apps.get_model("contenttypes", "ContentType").objects.get(pk=event.content_type_id)
    try:
        model = apps.get_model(content_type.app_label, content_type.model)
        obj = model.objects.get(pk=event.object_id)
    except (LookupError, model.DoesNotExist):
        return ""
    department = event.department.name if event.department_id else ""
    title = {
        "progressentry": lambda: obj.commitment.code,
        "goalcontribution": lambda: obj.goal.code,
        "sectiontext": lambda: f"“{obj.section.heading}”",
        "outcome": lambda: obj.indicator.code,
    }.get(content_type.model)
    return f"{title()} · {department}"[:300] if title else ""


def forwards(apps, schema_editor):
    Event = apps.get_model("commitments", "Event")
    for event in Event.objects.select_related("department", "period__plan").iterator():
        subject, _dot, action = event.type.partition(".")
        event.type = f"{RENAMES.get(subject, subject)}.{action}"
        if subject == "period":
            event.subject_label = f"{event.period.name} {event.period.plan.year}" if event.period_id else ""
        else:
            event.subject_label = label_of(apps, event)
        event.save(update_fields=["type", "subject_label"])


def backwards(apps, schema_editor):
    Event = apps.get_model("commitments", "Event")
    old = {new: old for old, new in RENAMES.items()}
    for event in Event.objects.iterator():
        subject, _dot, action = event.type.partition(".")
        event.type = f"{old.get(subject, subject)}.{action}"
        event.save(update_fields=["type"])


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0005_typed_events"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
