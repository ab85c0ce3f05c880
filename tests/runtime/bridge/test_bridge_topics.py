"""MQTT topic matching, filter subsumption and the filter trie (pure functions)."""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from iot_tiers_runtime.bridge.topics import (
    FilterTrie,
    InvalidTopic,
    allowed_by_claims,
    filter_join,
    filter_subsumes,
    filters_overlap,
    topic_matches,
    validate_filter,
    validate_topic,
)

# -- examples straight from the MQTT specification (4.7) -----------------------------------


@pytest.mark.parametrize(
    "filt, topic, expected",
    [
        ("sport/tennis/player1/#", "sport/tennis/player1", True),
        ("sport/tennis/player1/#", "sport/tennis/player1/ranking", True),
        ("sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon", True),
        ("sport/#", "sport", True),
        ("#", "sport/tennis", True),
        ("sport/tennis/+", "sport/tennis/player1", True),
        ("sport/tennis/+", "sport/tennis/player1/ranking", False),
        ("sport/+", "sport", False),
        ("sport/+", "sport/", True),
        ("+/+", "/finance", True),
        ("/+", "/finance", True),
        ("+", "/finance", False),
        ("+/tennis/#", "sport/tennis", True),
        ("#", "$SYS/broker/uptime", False),
        ("+/monitor/Clients", "$SYS/monitor/Clients", False),
        ("$SYS/#", "$SYS/monitor/Clients", True),
        ("$SYS/monitor/+", "$SYS/monitor/Clients", True),
        ("a/$x", "a/$x", True),
        ("+/$x", "a/$x", True),
        ("a//b", "a//b", True),
        ("a/+/b", "a//b", True),
        ("A/b", "a/b", False),
    ],
)
def test_topic_matches_follows_the_mqtt_spec_examples(filt, topic, expected):
    assert topic_matches(filt, topic) is expected


@pytest.mark.parametrize("bad", ["", "a/#/b", "a#", "a/b+", "+a/b", "a/\x00", "$share/g/a/b", 42, None, "x" * 65536])
def test_invalid_filters_are_rejected_with_the_rule_they_break(bad):
    with pytest.raises(InvalidTopic):
        validate_filter(bad)


@pytest.mark.parametrize("good", ["#", "+", "a/#", "+/+/#", "/", "a//b", "$SYS/#", "devices/+/telemetry"])
def test_valid_filters_are_returned_unchanged(good):
    assert validate_filter(good) == good


@pytest.mark.parametrize("bad", ["", "a/+", "a/#", "a\x00"])
def test_topic_names_reject_wildcards_and_nul(bad):
    with pytest.raises(InvalidTopic):
        validate_topic(bad)


def test_error_message_names_the_rule():
    with pytest.raises(InvalidTopic, match="'#' must be the whole last level"):
        validate_filter("a/#/b")
    with pytest.raises(InvalidTopic, match="'\\+' must fill a whole level"):
        validate_filter("a/b+")


@pytest.mark.parametrize(
    "claim, requested, expected",
    [
        ("devices/+/telemetry", "devices/d1/telemetry", True),
        ("devices/+/telemetry", "devices/+/telemetry", True),
        ("devices/+/telemetry", "devices/#", False),
        ("devices/+/telemetry", "devices/d1/#", False),
        ("devices/#", "devices", True),
        ("devices/#", "devices/+/telemetry", True),
        ("devices/+/#", "devices", False),
        ("#", "$SYS/#", False),
        ("#", "$SYS/x", False),
        ("+/x", "$SYS/x", False),
        ("$SYS/#", "$SYS/x", True),
        ("#", "+/#", True),
        ("+/#", "#", True),  # both match every topic not starting with '$'
        ("+/+/#", "#", False),
        ("/+/#", "/#", True),  # '/#' also matches its parent, the empty topic, which is not valid
        ("tenants/t1/#", "tenants/t2/#", False),
        ("tenants/t1/#", "tenants/+/devices", False),
        ("a/b", "a/b/c", False),
        ("a/b/c", "a/b", False),
    ],
)
def test_filter_subsumption_is_topic_set_inclusion(claim, requested, expected):
    assert filter_subsumes(claim, requested) is expected


def test_allowed_by_claims_needs_one_claim_covering_the_whole_request():
    claims = ("tenants/t1/#", "shared/alerts")
    assert allowed_by_claims("tenants/t1/devices/+/telemetry", claims)
    assert allowed_by_claims("shared/alerts", claims)
    assert not allowed_by_claims("shared/#", claims)
    assert not allowed_by_claims("#", claims)


# -- property tests against a brute-force oracle over a small universe --------------------

LEVELS = ["a", "b", "$x", ""]
FILTER_LEVELS = LEVELS + ["+"]
# Every topic of 1..5 levels over LEVELS plus a fresh literal ('z') that no filter uses.
UNIVERSE = [
    "/".join(parts) for n in range(1, 6) for parts in itertools.product(LEVELS + ["z"], repeat=n) if "/".join(parts)
]


@st.composite
def filters(draw):
    levels = draw(st.lists(st.sampled_from(FILTER_LEVELS), min_size=0, max_size=4))
    if draw(st.booleans()) or not levels:
        levels.append("#")
    filt = "/".join(levels)
    if not filt:
        filt = "a"
    return validate_filter(filt)


def regex_oracle(filt: str, topic: str) -> bool:
    """An independent reading of the spec: translate the filter into a regular expression."""
    if topic.startswith("$") and filt[:1] in "+#":
        return False
    parts = []
    for level in filt.split("/"):
        if level == "#":
            parts.append(None)
        else:
            parts.append("[^/]*" if level == "+" else re.escape(level))
    if parts[-1] is None:
        head = "/".join(parts[:-1])
        pattern = ".*" if len(parts) == 1 else head + "(?:/.*)?"
    else:
        pattern = "/".join(parts)
    return re.fullmatch(pattern, topic) is not None


@settings(max_examples=300, deadline=None)
@given(filters(), st.sampled_from(UNIVERSE))
def test_topic_matches_agrees_with_a_regex_oracle(filt, topic):
    assert topic_matches(filt, topic) == regex_oracle(filt, topic)


@settings(max_examples=200, deadline=None)
@given(filters(), filters())
def test_subsumption_agrees_with_exhaustive_topic_sets(outer, inner):
    inner_topics = {t for t in UNIVERSE if topic_matches(inner, t)}
    outer_topics = {t for t in UNIVERSE if topic_matches(outer, t)}
    assert filter_subsumes(outer, inner) == (inner_topics <= outer_topics)


@settings(max_examples=200, deadline=None)
@given(filters(), filters())
def test_overlap_agrees_with_exhaustive_topic_sets(a, b):
    common = any(topic_matches(a, t) and topic_matches(b, t) for t in UNIVERSE)
    assert filters_overlap(a, b) == common


@settings(max_examples=200, deadline=None)
@given(filters(), filters())
def test_join_of_overlapping_filters_subsumes_both(a, b):
    assume(filters_overlap(a, b))  # the upstream cover joins only overlapping filters
    joined = validate_filter(filter_join(a, b))
    assert filter_subsumes(joined, a) and filter_subsumes(joined, b)


@settings(max_examples=100, deadline=None)
@given(st.lists(filters(), max_size=8), st.sampled_from(UNIVERSE))
def test_trie_returns_exactly_the_matching_filters(filter_list, topic):
    trie = FilterTrie()
    for filt in filter_list:
        trie.add(filt)
    assert sorted(trie.match(topic)) == sorted({f for f in filter_list if topic_matches(f, topic)})


@settings(max_examples=100, deadline=None)
@given(st.lists(filters(), max_size=8), st.data())
def test_trie_discard_removes_only_that_filter_and_prunes(filter_list, data):
    trie = FilterTrie()
    for filt in filter_list:
        trie.add(filt)
    unique = sorted(set(filter_list))
    gone = data.draw(st.sets(st.sampled_from(unique))) if unique else set()
    for filt in gone:
        assert trie.discard(filt)
        assert not trie.discard(filt)
    assert len(trie) == len(unique) - len(gone)
    for topic in UNIVERSE[:200]:
        assert sorted(trie.match(topic)) == sorted(f for f in unique if f not in gone and topic_matches(f, topic))
    for filt in unique:
        trie.discard(filt)
    assert trie._root.children == {}, "empty branches must be pruned"
