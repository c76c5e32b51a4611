"""Generated and explicit names."""

from __future__ import annotations

import random

import pytest

from sagemaker_hosting import naming, schema

NAME_PATTERN = schema.compiled_pattern(schema.input_shape("CreateEndpoint").members["EndpointName"].metadata["pattern"])


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("main", "main"),
        ("my_service.v2", "my-service-v2"),
        ("--a  b__c--", "a-b-c"),
        ("__", ""),
        ("x" * 80, "x" * 55),
        ("a" * 54 + "-b", "a" * 54),  # truncation leaves no trailing "-"
    ],
)
def test_sanitize_prefix(prefix, expected):
    assert naming.sanitize_prefix(prefix) == expected


@pytest.mark.parametrize("prefix", ["main", "my_service.v2", "x" * 80, "", "__", "Ünïcödé name", "a" * 54 + "-b"])
def test_generated_names_fit_the_name_pattern(prefix):
    name = naming.generate_name(prefix, random.Random(7))
    assert len(name) <= 63
    assert NAME_PATTERN.fullmatch(name)
    head, _, suffix = name.rpartition("-")
    assert head == naming.sanitize_prefix(prefix)
    assert len(suffix) == 7
    assert set(suffix) <= set(naming.SUFFIX_ALPHABET)


def test_generated_names_differ():
    assert len({naming.generate_name("main") for _ in range(50)}) == 50


@pytest.mark.parametrize(
    ("olds", "news", "expected"),
    [
        ({}, {"name": "explicit"}, "explicit"),
        ({"name": "main-abc1234", "name_prefix": "main"}, {"name": "explicit", "name_prefix": "main"}, "explicit"),
        ({"name": "main-abc1234", "name_prefix": "main"}, {"name_prefix": "main"}, "main-abc1234"),  # stable
        ({"name": "explicit"}, {"name": None}, "explicit"),
    ],
)
def test_resolve_name_keeps_explicit_and_old_names(olds, news, expected):
    assert naming.resolve_name(olds, news) == expected


@pytest.mark.parametrize(
    ("olds", "news"),
    [
        ({}, {"name_prefix": "main"}),  # create, or a replacement (Pulumi checks it with empty olds)
        ({"name": "main-abc1234", "name_prefix": "main"}, {"name_prefix": "other"}),
        ({"name": "explicit"}, {"name_prefix": "main"}),  # explicit name removed: generate one
    ],
)
def test_resolve_name_generates_a_new_name(olds, news):
    name = naming.resolve_name(olds, news, random.Random(1))
    assert name != olds.get("name")
    assert name.startswith(naming.sanitize_prefix(news["name_prefix"]) + "-")
