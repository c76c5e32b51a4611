"""Canonical form: key styles, typed numbers, API defaults, tags, unknown keys, preview unknowns."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pulumi.runtime.rpc import UNKNOWN

from sagemaker_hosting import normalize, schema
from tests.unit.samples import VARIANT

CONFIG = schema.resource_shape("EndpointConfig")
ENDPOINT = schema.resource_shape("Endpoint")


def canonical(raw, shape=CONFIG):
    result, errors = normalize.to_canonical(shape, raw)
    assert errors == []
    return result


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"production_variants": [VARIANT]}, {"production_variants": [VARIANT]}),
        (  # PascalCase nested keys mean the same
            {
                "production_variants": [
                    {
                        "VariantName": "primary",
                        "ModelName": "m",
                        "InitialInstanceCount": 2,
                        "InstanceType": "ml.m5.large",
                    }
                ]
            },
            {"production_variants": [VARIANT]},
        ),
        ({"ProductionVariants": [VARIANT]}, {"production_variants": [VARIANT]}),  # top level too
        (  # the API's default weight is filled in; numbers typed per the model
            {"production_variants": [{**VARIANT, "initial_variant_weight": None, "initial_instance_count": 2.0}]},
            {"production_variants": [VARIANT]},
        ),
        (
            {"production_variants": [{**VARIANT, "initial_variant_weight": 2}]},
            {"production_variants": [{**VARIANT, "initial_variant_weight": 2.0}]},
        ),
        (  # numeric strings (stack config values) become numbers
            {"production_variants": [{**VARIANT, "initial_instance_count": "2", "initial_variant_weight": "0.5"}]},
            {"production_variants": [{**VARIANT, "initial_variant_weight": 0.5}]},
        ),
        (  # values that are not numbers are kept for the validator to report
            {"production_variants": [{**VARIANT, "initial_instance_count": "two"}]},
            {"production_variants": [{**VARIANT, "initial_instance_count": "two"}]},
        ),
        (
            {"production_variants": [{**VARIANT, "initial_instance_count": 2.5}]},
            {"production_variants": [{**VARIANT, "initial_instance_count": 2.5}]},
        ),
        (
            {
                "data_capture_config": {
                    "InitialSamplingPercentage": 20,
                    "destination_s3_uri": "s3://b",
                    "capture_options": [{"capture_mode": "Input"}],
                }
            },
            {
                "data_capture_config": {
                    "enable_capture": True,  # "defaults to enabled"
                    "initial_sampling_percentage": 20,
                    "destination_s3_uri": "s3://b",
                    "capture_options": [{"capture_mode": "Input"}],
                }
            },
        ),
        ({"kms_key_id": None, "tags": {"b": "2", "a": "1"}}, {"tags": {"b": "2", "a": "1"}}),
        ({"tags": {"team": None}}, {"tags": {}}),
        (  # a preview unknown is kept as it is, wherever it is
            {"production_variants": [{**VARIANT, "model_name": UNKNOWN}], "kms_key_id": UNKNOWN},
            {"production_variants": [{**VARIANT, "model_name": UNKNOWN}], "kms_key_id": UNKNOWN},
        ),
        ({"production_variants": UNKNOWN}, {"production_variants": UNKNOWN}),
    ],
)
def test_to_canonical(raw, expected):
    assert canonical(raw) == expected


@pytest.mark.parametrize(
    ("raw", "path", "reason"),
    [
        (
            {"production_variant": []},
            "production_variant",
            "unknown key `production_variant`; did you mean `production_variants`?",
        ),
        ({"ProductionVariant": []}, "ProductionVariant", "did you mean `production_variants`?"),
        (
            {"production_variants": [{"variant_name": "a", "instance_typ": "ml.m5.large"}]},
            "production_variants[0].instance_typ",
            "unknown key `instance_typ` in `production_variants[0]`; did you mean `instance_type`?",
        ),
        (
            {"data_capture_config": {"zzz": 1}},
            "data_capture_config.zzz",
            "valid keys: enable_capture, initial_sampling_percentage, destination_s3_uri, kms_key_id",
        ),
        (
            {"production_variants": [{"variant_name": "a", "VariantName": "b"}]},
            "production_variants[0].variant_name",
            "is given twice",
        ),
    ],
)
def test_unknown_and_repeated_keys(raw, path, reason):
    _, errors = normalize.to_canonical(CONFIG, raw)
    assert [e.path for e in errors] == [path]
    assert errors[0].property == path.split(".")[0].split("[")[0]
    assert reason in errors[0].reason


def test_unknown_keys_are_dropped():
    result, _ = normalize.to_canonical(CONFIG, {"kms_key": "k", "production_variants": [{"variant_nam": "a"}]})
    assert result == {"production_variants": [{"initial_variant_weight": 1.0}]}


def test_extra_keys_are_kept_and_suggested():
    result, errors = normalize.to_canonical(ENDPOINT, {"timeouts": {"create": "1h"}, "timeout": 5}, extra=("timeouts",))
    assert result == {"timeouts": {"create": "1h"}}
    assert "did you mean `timeouts`?" in errors[0].reason


def test_to_api_is_the_request_form():
    shape = schema.input_shape("CreateEndpointConfig")
    assert normalize.to_api(shape, {"production_variants": [VARIANT], "kms_key_id": "k"}) == {
        "ProductionVariants": [
            {
                "VariantName": "primary",
                "ModelName": "m",
                "InitialInstanceCount": 2,
                "InstanceType": "ml.m5.large",
                "InitialVariantWeight": 1.0,
            }
        ],
        "KmsKeyId": "k",
    }


def test_to_api_types_numbers_from_pulumi_state():
    """Pulumi's wire format has only doubles: integers come back from state as 2.0."""
    shape = schema.input_shape("CreateEndpointConfig")
    request = normalize.to_api(shape, {"production_variants": [{**VARIANT, "initial_instance_count": 2.0}]})
    count = request["ProductionVariants"][0]["InitialInstanceCount"]
    assert (count, type(count)) == (2, int)


def test_from_api_reads_a_describe_response():
    described = {
        "EndpointConfigName": "cfg",
        "EndpointConfigArn": "arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/cfg",
        "CreationTime": datetime(2024, 1, 1, tzinfo=UTC),
        "ProductionVariants": [
            {
                "VariantName": "primary",
                "ModelName": "m",
                "InitialInstanceCount": 2,
                "InstanceType": "ml.m5.large",
                "InitialVariantWeight": 1,
            }
        ],
        "SomethingNewer": {"X": 1},  # a member this model does not know: dropped
        "ResponseMetadata": {"HTTPStatusCode": 200},
    }
    live = normalize.from_api(schema.output_shape("DescribeEndpointConfig"), described)
    assert live == {
        "endpoint_config_name": "cfg",
        "endpoint_config_arn": described["EndpointConfigArn"],
        "production_variants": [VARIANT],
        "creation_time": described["CreationTime"],
    }


@pytest.mark.parametrize(
    ("tags", "api"),
    [
        ({}, []),
        ({"b": "2", "a": "1"}, [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}]),
        ({"empty": ""}, [{"Key": "empty", "Value": ""}]),
    ],
)
def test_tags_round_trip(tags, api):
    assert normalize.tags_to_api(tags) == api


@pytest.mark.parametrize(
    ("value", "unknown"),
    [
        (UNKNOWN, True),
        ({"a": [1, {"b": UNKNOWN}]}, True),
        ((UNKNOWN,), True),
        ("known", False),
        ({"a": [1, {"b": "c"}]}, False),
        (None, False),
    ],
)
def test_is_unknown(value, unknown):
    assert normalize.is_unknown(value) is unknown
