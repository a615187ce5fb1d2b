"""Every admin page a committee admin reaches opens: each registered model's list and its add form."""

import re

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_every_admin_list_and_add_form_a_committee_admin_reaches_opens(client, committee_admin):
    client.force_login(committee_admin)
    request = RequestFactory().get("/")
    request.user = committee_admin
    opened = []
    for model, model_admin in admin.site._registry.items():
        if not model_admin.has_module_permission(request):
            continue
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        assert client.get(url).status_code == 200, url
        assert client.get(url, {"q": "a"}).status_code == 200, url
        if model_admin.has_add_permission(request):
            add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
            assert client.get(add).status_code == 200, add
        opened.append(opts.model_name)
    assert {"plan", "goal", "reportsection", "keyfigure", "keyfiguretable", "financereport"} <= set(opened)


def test_the_report_sections_are_listed_in_reading_order(client, committee_admin):
    client.force_login(committee_admin)
    url = reverse("admin:reports_reportsection_changelist")
    page = client.get(url, {"kind": "arsanalys", "all": ""}).content.decode()
    headings = [
        h.replace("— ", "") for h in re.findall(r'<th class="field-outline_heading"><a [^>]*>([^<]*)</a>', page)
    ]
    assert headings[:6] == [
        "Sammanfattning",
        "Utveckling av verksamheten",
        "Konjunktur och arbetsmarknad",
        "Människor på flykt",
        "Nya lagar och förordningar",
        "Ny socialtjänstlag 2025",
    ]
