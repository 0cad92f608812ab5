"""Respondent links: parsing what a browser sends."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from focuskit.links import Link, LinkError, check_link, make_link, new_code, parse_link


def test_a_full_link_is_read():
    link = parse_link("?campaign=q1-leaders&group=customer&segment=Small%20business"
                      "&code=Zq3_abc-DEF456&utm_source=mail")
    assert link == Link("q1-leaders", "customer", "Small business", "Zq3_abc-DEF456")


def test_group_segment_and_code_are_optional():
    assert parse_link("campaign=q1") == Link("q1")
    assert parse_link("campaign=q1&group=&segment=&code=") == Link("q1")


@pytest.mark.parametrize("query", [None, "", "?", "group=self", "campaign=&group=self"])
def test_no_campaign_is_an_incomplete_link(query):
    with pytest.raises(LinkError) as e:
        parse_link(query)
    assert e.value.kind == "incomplete"


@pytest.mark.parametrize("query", [
    "campaign=Q1",  # capitals: no campaign id can have them
    "campaign=a",
    "campaign=q1%00",
    "campaign=../../etc/passwd",
    "campaign=q1&campaign=q2",  # which one?
    "campaign=q1&group=boss",
    "campaign=q1&group=self&group=customer",
    "campaign=q1&code=abc",  # cut off
    "campaign=q1&code=has%20space%20in%20it",
    "campaign=q1&code=" + "x" * 65,
    "campaign=q1&segment=" + "s" * 101,
    "campaign=q1&segment=tab%09inside",
    "campaign=q1&code=" + "a" * 3000,
    "campaign=q1&segment=%ff%fe",  # not UTF-8
    "campaign=q1&sig=has%20space",
    "campaign=q1&sig=a&sig=b",
    "campaign=q1&sig=" + "s" * 65,
])
def test_a_link_that_cannot_be_right_is_malformed(query):
    with pytest.raises(LinkError) as e:
        parse_link(query)
    assert e.value.kind == "malformed"


def test_new_and_device_flags():
    assert parse_link("campaign=q1&new=1").new
    assert not parse_link("campaign=q1&new=0").new
    assert parse_link("campaign=q1&code=abcdefgh&device=1").device
    assert not parse_link("campaign=q1&device=1").device  # only a remembered code is "device"


SECRET = b"a-test-secret-of-enough-bytes-0123456789"


def test_made_links_round_trip_and_codes_are_fresh():
    codes = {new_code(SECRET, "q1-leaders", "customer", "Retail & trade", personal=True)
             for _ in range(200)}
    assert len(codes) == 200 and all(len(c) == 20 and c[0].isalnum() for c in codes)
    code = next(iter(codes))
    url = make_link("http://x/voila/render/take_assessment.ipynb", "q1-leaders", "customer",
                    "Retail & trade", code, secret=SECRET)
    link = parse_link(url.split("?", 1)[1])
    assert link == Link("q1-leaders", "customer", "Retail & trade", code, link.sig)
    assert len(link.sig) == 16 and check_link(SECRET, link) == "personal"
    with pytest.raises(LinkError):
        make_link("http://x/", "Bad Id", secret=SECRET)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_text_is_either_a_link_or_a_link_error(text):
    try:
        link = parse_link(text)
    except LinkError as e:
        assert e.kind in ("incomplete", "malformed")
    else:
        assert parse_link(link.query()) == link
