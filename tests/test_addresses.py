"""Email addresses in the audit log: masked and tagged, never written out."""

from hypothesis import given
from hypothesis import strategies as st

from gentle.lib.addresses import mask, tag


def test_an_address_is_masked_to_its_first_letter_and_domain():
    assert mask("rosa.maria@Example.org") == "r***@example.org"
    assert mask("  x@example.test ") == "x***@example.test"
    assert mask("not-an-address") == "***"
    assert mask("@example.org") == "***"


def test_the_tag_matches_one_address_whatever_its_case_and_not_another():
    key = "k" * 50
    assert tag("Rosa@Example.org", key=key) == tag(" rosa@example.org", key=key)
    assert tag("rosa@example.org", key=key) != tag("rose@example.org", key=key)
    assert tag("rosa@example.org", key=key) != tag("rosa@example.org", key="other" * 10)
    assert len(tag("rosa@example.org", key=key)) == 12


@given(st.emails())
def test_a_mask_keeps_only_the_first_letter_before_the_domain(address):
    local, _, domain = address.rpartition("@")
    assert mask(address) == f"{local[0]}***@{domain.lower()}"
