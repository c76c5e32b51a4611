"""Generated and explicit names."""

from __future__ import annotations

import pytest
from pulumi.runtime.rpc import UNKNOWN

from sagemaker_hosting import naming, schema
from sagemaker_hosting.java_regex import compiled_pattern

NAME_PATTERN = compiled_pattern(schema.input_shape("CreateEndpoint").members["EndpointName"].metadata["pattern"])
SEED = naming.name_seed("project", "dev", "sagemaker:EndpointConfig", "main")
CONTENT = {"production_variants": [{"model_name": "m"}]}


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
    name = naming.generate_name(prefix, {"seed": SEED})
    assert len(name) <= 63
    assert NAME_PATTERN.fullmatch(name)
    head, _, suffix = name.rpartition("-")
    assert head == naming.sanitize_prefix(prefix)
    assert len(suffix) == 7
    assert set(suffix) <= set(naming.SUFFIX_ALPHABET)


def test_generated_names_are_deterministic_and_differ_with_identity_or_content():
    assert naming.generate_name("main", {"seed": SEED, **CONTENT}) == naming.generate_name(
        "main", {"seed": SEED, **CONTENT}
    )
    seeds = {
        naming.name_seed(*identity)
        for identity in [
            ("project", "dev", "sagemaker:EndpointConfig", "main"),
            ("project", "prod", "sagemaker:EndpointConfig", "main"),
            ("other", "dev", "sagemaker:EndpointConfig", "main"),
            ("project", "dev", "sagemaker:Endpoint", "main"),
            ("project", "dev", "sagemaker:EndpointConfig", "main2"),
            ("project", "dev", "sagemaker:EndpointConfig", "main", "my:Component"),
        ]
    }
    assert len(seeds) == 6
    names = {naming.generate_name("main", {"seed": seed, **CONTENT}) for seed in seeds}
    names |= {
        naming.generate_name("main", {"seed": SEED, "production_variants": [{"model_name": f"m{i}"}]})
        for i in range(50)
    }
    assert len(names) == 56


@pytest.mark.parametrize(
    ("olds", "news", "expected"),
    [
        ({}, {"name": "explicit"}, "explicit"),
        ({"name": "main-abc1234", "name_prefix": "main"}, {"name": "explicit", "name_prefix": "main"}, "explicit"),
        ({"name": "main-abc1234", "name_prefix": "main"}, {"name_prefix": "main"}, "main-abc1234"),  # stable
        ({"name": "main-abc1234", "name_prefix": "main"}, {"name_prefix": "renamed"}, "main-abc1234"),  # aliases
        ({"name": "explicit"}, {"name": None, "name_prefix": "main"}, "explicit"),  # explicit name dropped
        ({"name": "main-abc1234"}, {"name": UNKNOWN}, UNKNOWN),
    ],
)
def test_resolve_name_keeps_explicit_and_old_names(olds, news, expected):
    assert naming.resolve_name(olds, {naming.SEED_KEY: SEED, **news}, CONTENT) == expected


def test_resolve_name_generates_a_name_for_a_new_resource():
    news = {"name_prefix": "main", naming.SEED_KEY: SEED}
    name = naming.resolve_name({}, news, CONTENT)  # a create, or a replacement (checked with empty olds)
    assert name == naming.resolve_name({}, news, CONTENT)
    assert name.startswith("main-")
    assert naming.resolve_name({}, news, {"production_variants": [{"model_name": "m2"}]}) != name


@pytest.mark.parametrize(
    ("news", "content"),
    [
        ({"name_prefix": "main"}, {"production_variants": [{"model_name": UNKNOWN}]}),
        ({"name_prefix": "main"}, {"kms_key_id": UNKNOWN}),
        ({"name_prefix": UNKNOWN}, CONTENT),
    ],
)
def test_a_new_name_is_unknown_while_what_it_is_made_from_is(news, content):
    assert naming.resolve_name({}, {naming.SEED_KEY: SEED, **news}, content) == UNKNOWN
