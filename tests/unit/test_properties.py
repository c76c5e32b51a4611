"""Properties over generated inputs: valid configs pass `check`, canonical form is idempotent and
independent of key style, and a config read back from the API compares equal to its inputs."""

from __future__ import annotations

from typing import Any

from botocore.model import ListShape, MapShape, Shape, StructureShape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sagemaker_hosting import normalize, plan, schema, validate

CONFIG = schema.resource_shape("EndpointConfig")
INSTANCE_TYPES = list(schema.service_model().shape_for("ProductionVariantInstanceType").metadata["enum"])
NAMES = st.from_regex(r"[a-zA-Z0-9](-?[a-zA-Z0-9]){0,20}", fullmatch=True)
NUMBERS_AS_WRITTEN = st.sampled_from([int, float, str])  # 2, 2.0, "2": what a program may pass

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def instance_variant(draw: st.DrawFn, name: str) -> dict[str, Any]:
    write = draw(NUMBERS_AS_WRITTEN)
    variant = {
        "variant_name": name,
        "model_name": draw(NAMES),
        "instance_type": draw(st.sampled_from(INSTANCE_TYPES)),
        "initial_instance_count": write(draw(st.integers(1, 10))),
    }
    if draw(st.booleans()):
        variant["initial_variant_weight"] = write(draw(st.integers(0, 5)))
    if draw(st.booleans()):
        variant["volume_size_in_gb"] = draw(st.integers(1, 512))
    return variant


@st.composite
def serverless_variant(draw: st.DrawFn, name: str) -> dict[str, Any]:
    most = draw(st.integers(1, 200))
    serverless = {"memory_size_in_mb": 1024 * draw(st.integers(1, 6)), "max_concurrency": most}
    if draw(st.booleans()):
        serverless["provisioned_concurrency"] = draw(st.integers(1, most))
    return {"variant_name": name, "model_name": draw(NAMES), "serverless_config": serverless}


@st.composite
def endpoint_configs(draw: st.DrawFn) -> dict[str, Any]:
    names = draw(st.lists(NAMES, min_size=1, max_size=4, unique_by=str.lower))
    variants = [draw(st.one_of(instance_variant(name), serverless_variant(name))) for name in names]
    region = draw(st.sampled_from(["us-east-1", "eu-west-1", "ap-southeast-2", "us-gov-west-1", "cn-north-1"]))
    inputs: dict[str, Any] = {"name": draw(NAMES), "region": region, "production_variants": variants}
    if draw(st.booleans()):
        inputs["data_capture_config"] = {
            "initial_sampling_percentage": draw(st.integers(0, 100)),
            "destination_s3_uri": "s3://bucket/capture",
            "capture_options": [{"capture_mode": draw(st.sampled_from(["Input", "Output"]))}],
        }
    if draw(st.booleans()):
        inputs["enable_network_isolation"] = draw(st.booleans())
    inputs["tags"] = draw(
        st.dictionaries(st.from_regex(r"[a-z][a-z0-9_.:/=+@-]{0,20}", fullmatch=True), NAMES, max_size=5)
    )
    return inputs


def restyle(shape: Shape, value: Any, pascal: st.DataObject) -> Any:
    """`value` with each structure key written, at random, in snake_case or PascalCase."""
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        by_snake = schema.members_by_snake(shape)
        return {
            (by_snake[key] if pascal.draw(st.booleans()) else key): restyle(shape.members[by_snake[key]], item, pascal)
            for key, item in value.items()
        }
    if isinstance(shape, ListShape) and isinstance(value, list):
        return [restyle(shape.member, item, pascal) for item in value]
    if isinstance(shape, MapShape):
        return value
    return value


@FAST
@given(endpoint_configs(), st.data())
def test_valid_configs_pass_check_in_any_key_style(inputs, data):
    canonical, errors = validate.check_endpoint_config({}, inputs)
    assert errors == []
    restyled, errors = validate.check_endpoint_config({}, restyle(CONFIG, inputs, data))
    assert errors == []
    assert restyled == canonical
    assert normalize.to_canonical(CONFIG, canonical)[0] == canonical  # idempotent
    assert plan.plan_endpoint_config(canonical, restyled).changes is False


@FAST
@given(endpoint_configs())
def test_a_config_read_back_from_the_api_compares_equal(inputs):
    """What `create` sends, echoed by DescribeEndpointConfig, is what `read` stores: no drift."""
    canonical, _ = validate.check_endpoint_config({}, inputs)
    members = set(schema.members_by_snake(schema.input_shape("CreateEndpointConfig"))) - {
        "tags",
        "endpoint_config_name",
    }
    request = normalize.to_api(
        schema.input_shape("CreateEndpointConfig"), {k: v for k, v in canonical.items() if k in members}
    )
    described = {**request, "EndpointConfigName": canonical["name"], "EndpointConfigArn": "arn", "CreationTime": 0}
    live = normalize.from_api(schema.output_shape("DescribeEndpointConfig"), described)
    read_back = {**canonical, **{k: v for k, v in live.items() if k in members}}
    assert read_back == canonical
    assert plan.plan_endpoint_config({**canonical, "arn": "arn"}, read_back).changes is False


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=5)
    | st.sampled_from(["ml.m5.large", "CANARY"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                ["production_variants", "VariantName", "instance_type", "deployment_config", "tags", "x", "Type"]
            ),
            inner,
            max_size=4,
        )
    ),
    max_leaves=12,
)


@FAST
@given(st.dictionaries(st.sampled_from([*schema.members_by_snake(CONFIG), "timeouts", "bogus"]), JSON, max_size=5))
def test_check_never_raises_on_arbitrary_input(news):
    for check in (validate.check_endpoint_config, validate.check_endpoint):
        inputs, errors = check({}, news)
        assert isinstance(inputs, dict)
        assert all(error.reason for error in errors)
