"""The site's name and a committee's organisation come from settings and data, not from code (issue 14)."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.urls import reverse

from commitments.models import Committee

pytestmark = pytest.mark.django_db


@override_settings(SITE_NAME="Kulturnämndens uppföljning")
def test_the_site_name_comes_from_the_settings(admin_client):
    page = Client().get(reverse("login")).content.decode()
    assert "<title>" in page
    assert "– Kulturnämndens uppföljning</title>" in page
    assert "ASN uppföljning" not in page
    admin_page = admin_client.get(reverse("admin:index")).content.decode()
    assert "Kulturnämndens uppföljning – planförvaltning" in admin_page


def test_a_committee_has_no_organisation_by_default():
    assert not Committee._meta.get_field("organisation").has_default()
    committee = Committee(slug="kn", name="Kulturnämnden", short_name="KN")
    with pytest.raises(ValidationError) as raised:
        committee.full_clean()
    assert "organisation" in raised.value.message_dict
