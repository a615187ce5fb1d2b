"""The lists build their rows' addresses without a reverse() per row: the same addresses as reverse()."""

import pytest
from django.urls import reverse

from followup.views import row_url


@pytest.mark.parametrize(
    ("code", "department"), [("A03", "AMA"), ("3.1 a", "IFO"), ("Å?Ä#", "bts&stab"), ("x:y@z~", "D-1")]
)
def test_row_url_is_what_reverse_gives(code, department):
    list_url = reverse("followup:list", args=["asn", "2019-helar"])
    assert row_url(list_url, code, department) == reverse(
        "followup:entry", args=["asn", "2019-helar", code, department]
    )
