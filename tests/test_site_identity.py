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


def test_each_committee_has_its_own_form_of_diarienummer(demo):
    asn = Committee.objects.get(slug="asn")
    assert asn.diarienummer_problem("ASN-2019-1234") is None
    assert asn.diarienummer_problem("XYZ 2016/45") == "Skriv diarienumret i nämndens form, t.ex. ASN-2019-1234."
    other = Committee(
        slug="xyz", name="Kulturnämnden", organisation="Exempelkommunen",
        diarienummer_pattern=r"^XYZ \d{4}/\d+$", diarienummer_example="XYZ 2016/45",
    )  # fmt: skip
    other.full_clean()
    assert other.diarienummer_problem("XYZ 2016/45") is None
    assert other.diarienummer_problem("ASN-2019-1234") is not None
    free = Committee(slug="fri", name="Fria nämnden", organisation="Exempelkommunen")
    assert free.diarienummer_problem("Dnr 12/2016") is None  # no form given: as it stands in the register
    assert free.diarienummer_problem("x" * 41) is not None
    assert free.diarienummer_problem("ASN\n2019") is not None


def test_a_committees_form_of_diarienummer_must_be_a_regular_expression_its_example_fits():
    committee = Committee(slug="x", name="X", organisation="Y", diarienummer_pattern="^(XYZ", diarienummer_example="")
    with pytest.raises(ValidationError) as raised:
        committee.full_clean()
    assert "diarienummer_pattern" in raised.value.message_dict
    committee.diarienummer_pattern, committee.diarienummer_example = r"^XYZ \d+$", "ABC 1"
    with pytest.raises(ValidationError) as raised:
        committee.full_clean()
    assert "diarienummer_example" in raised.value.message_dict
