"""`check` of both resources: each model rule and each cross-field rule, reported in snake_case
with the field and the rule named; names; timeouts; preview unknowns."""

from __future__ import annotations

import math

import pytest
from pulumi.runtime.rpc import UNKNOWN

from sagemaker_hosting import naming, validate


def variant(**overrides):
    return {
        "variant_name": "primary",
        "model_name": "m",
        "instance_type": "ml.m5.large",
        "initial_instance_count": 1,
    } | (overrides)


def config(**overrides):
    """EndpointConfig inputs as the program's resource class passes them."""
    return {
        "__provider": "pickled",
        "name": None,
        "name_prefix": "main",
        "region": "us-east-1",
        "production_variants": [variant()],
        "tags": {},
        "arn": None,
        "creation_time": None,
    } | overrides


def endpoint(**overrides):
    return {
        "__provider": "pickled",
        "name": None,
        "name_prefix": "main",
        "region": "us-east-1",
        "endpoint_config_name": "cfg",
        "tags": {},
    } | overrides


def blue_green(kind, wait=60, **routing):
    return {
        "blue_green_update_policy": {
            "traffic_routing_configuration": {"type": kind, "wait_interval_in_seconds": wait, **routing}
        }
    }


@pytest.mark.parametrize(
    ("news", "property_", "path", "reason"),
    [
        (
            config(production_variants=None),
            "production_variants",
            "production_variants",
            "`production_variants` is required",
        ),
        (
            config(production_variants=[variant(variant_name=None)]),
            "production_variants",
            "production_variants[0].variant_name",
            "`production_variants[0].variant_name` is required",
        ),
        (
            config(name="bad_name"),
            "name",
            "name",
            "`name` must match the pattern ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$ (got 'bad_name')",
        ),
        (
            config(production_variants=[variant(initial_instance_count=0)]),
            "production_variants",
            "production_variants[0].initial_instance_count",
            "`production_variants[0].initial_instance_count` must have value greater than or equal to 1 (got 0)",
        ),
        (
            config(production_variants=[variant(volume_size_in_gb=600)]),
            "production_variants",
            "production_variants[0].volume_size_in_gb",
            "must have value less than or equal to 512 (got 600)",
        ),
        (
            config(production_variants=[variant(model_data_download_timeout_in_seconds=30)]),
            "production_variants",
            "production_variants[0].model_data_download_timeout_in_seconds",
            "must have value greater than or equal to 60 (got 30)",
        ),
        (
            config(production_variants=[variant(initial_instance_count="two")]),
            "production_variants",
            "production_variants[0].initial_instance_count",
            "must be of type integer (got 'two')",
        ),
        (
            config(production_variants=[variant(instance_type="ml.m5.lrge")]),
            "production_variants",
            "production_variants[0].instance_type",
            "did you mean 'ml.m5.large'",
        ),
        (
            config(
                data_capture_config={
                    "initial_sampling_percentage": 10,
                    "destination_s3_uri": "s3://b/p",
                    "capture_options": [{"capture_mode": "Both"}],
                }
            ),
            "data_capture_config",
            "data_capture_config.capture_options[0].capture_mode",
            "is 'Both', not one of Input, Output, InputAndOutput",
        ),
        (
            config(
                data_capture_config={"initial_sampling_percentage": 10, "capture_options": [{"capture_mode": "Input"}]}
            ),
            "data_capture_config",
            "data_capture_config.destination_s3_uri",
            "`data_capture_config.destination_s3_uri` is required",
        ),
        (
            config(production_variants=[variant(variant_name=f"v{i}") for i in range(11)]),
            "production_variants",
            "production_variants",
            "must have length less than or equal to 10",
        ),
        (
            config(EndpointConfigName="cfg"),
            "EndpointConfigName",
            "EndpointConfigName",
            "the EndpointConfig's name is the `name` input",
        ),
        (
            config(produktion_variants=[]),
            "produktion_variants",
            "produktion_variants",
            "did you mean `production_variants`?",
        ),
        (
            config(
                production_variants=[
                    {
                        "variant_name": "v",
                        "serverless_config": {
                            "memory_size_in_mb": 1024,
                            "max_concurrency": 2,
                            "provisioned_concurency": 1,
                        },
                    }
                ]
            ),
            "production_variants",
            "production_variants[0].serverless_config.provisioned_concurency",
            "did you mean `provisioned_concurrency`?",
        ),
        # cross-field rules
        (
            config(
                production_variants=[variant(), variant(variant_name="b")],
                shadow_production_variants=[variant(variant_name="s")],
            ),
            "shadow_production_variants",
            "shadow_production_variants",
            "needs exactly one production variant and one shadow variant (got 2 and 1)",
        ),
        (
            config(shadow_production_variants=[variant()]),
            "shadow_production_variants",
            "shadow_production_variants[0].variant_name",
            "`shadow_production_variants[0].variant_name` must be unique across production_variants and "
            "shadow_production_variants; it repeats production_variants[0].variant_name",
        ),
        (
            config(production_variants=[variant(instance_type="ml.g5.xlarge")], kms_key_id="alias/k"),
            "kms_key_id",
            "kms_key_id",
            "`kms_key_id` must not be given with instance types that have local storage (ml.g5.xlarge)",
        ),
        (
            config(production_variants=[variant(serverless_config={"memory_size_in_mb": 2048, "max_concurrency": 2})]),
            "production_variants",
            "production_variants[0].instance_type",
            "`production_variants[0].instance_type` must not be given with serverless_config",
        ),
        (
            config(production_variants=[{"variant_name": "v", "model_name": "m", "instance_type": "ml.m5.large"}]),
            "production_variants",
            "production_variants[0].initial_instance_count",
            "is required for an instance-based variant (or give serverless_config for a serverless one)",
        ),
        (
            config(
                tracing_config={"enable_tracing": True, "initial_sampling_percentage": 5},
                data_capture_config={
                    "initial_sampling_percentage": 5,
                    "destination_s3_uri": "s3://b/c",
                    "capture_options": [{"capture_mode": "Input"}],
                },
            ),
            "tracing_config",
            "tracing_config.enable_tracing",
            "`tracing_config.enable_tracing` cannot be true with data capture "
            "(data_capture_config.enable_capture true or omitted)",
        ),
        (
            config(tags={"aws:team": "ml"}),
            "tags",
            'tags["aws:team"]',
            "tag key 'aws:team' must not start with `aws:` (reserved)",
        ),
        (config(tags={"": "x"}), "tags", 'tags[""]', "must have length greater than or equal to 1"),
        (config(tags={"k": "v" * 257}), "tags", 'tags["k"]', "must have length less than or equal to 256"),
        (config(tags={f"k{i}": "v" for i in range(49)}), "tags", "tags", "must have length less than or equal to 48"),
        (config(tags=[{"Key": "k", "Value": "v"}]), "tags", "tags", "must be of type map"),
        (  # wider than the model's 32-bit `integer`, which has no max of its own here
            config(production_variants=[variant(initial_instance_count=2**31)]),
            "production_variants",
            "production_variants[0].initial_instance_count",
            "must have value less than or equal to 2147483647 (got 2147483648)",
        ),
    ],
)
def test_endpoint_config_check_reports(news, property_, path, reason):
    _, errors = validate.check_endpoint_config({}, news)
    assert [(e.property, e.path) for e in errors] == [(property_, path)]
    assert reason in errors[0].reason


def test_the_widest_integer_of_its_type_passes():
    assert (
        validate.check_endpoint_config({}, config(production_variants=[variant(initial_instance_count=2**31 - 1)]))[1]
        == []
    )


@pytest.mark.parametrize(
    ("value", "warned"),
    [("ml.g99.mega", True), ("ml.m5.lrge", True), ("ml.m5.large", False)],
)
def test_values_the_model_does_not_list_are_warnings_for_the_service_to_decide(value, warned):
    """A newer instance type than the installed botocore lists passes preview with a warning that
    names it (and a typo gets a hint); the type, range and pattern rules stay errors."""
    inputs, problems = validate.check_endpoint_config({}, config(production_variants=[variant(instance_type=value)]))
    assert [p.warning for p in problems] == ([True] if warned else [])
    assert all("It is passed to SageMaker, which decides" in p.reason for p in problems)
    assert inputs["production_variants"][0]["instance_type"] == value
    _, typed = validate.check_endpoint_config({}, config(production_variants=[variant(instance_type=5)]))
    assert [p.warning for p in typed] == [False]


@pytest.mark.parametrize(
    ("news", "path", "reason"),
    [
        (endpoint(endpoint_config_name=None), "endpoint_config_name", "`endpoint_config_name` is required"),
        (endpoint(name="x" * 64), "name", "must have length less than or equal to 63"),
        (endpoint(endpoint_config="cfg"), "endpoint_config", "did you mean `endpoint_config_name`?"),
        (endpoint(endpoint_name="e"), "endpoint_name", "the Endpoint's name is the `name` input"),
        (
            endpoint(
                deployment_config=blue_green("CANARY", wait=4000, canary_size={"type": "CAPACITY_PERCENT", "value": 10})
            ),
            "deployment_config.blue_green_update_policy.traffic_routing_configuration.wait_interval_in_seconds",
            "must have value less than or equal to 3600 (got 4000)",
        ),
        (
            endpoint(
                deployment_config={
                    "blue_green_update_policy": {
                        "traffic_routing_configuration": {"type": "ALL_AT_ONCE", "wait_interval_in_seconds": 0},
                        "termination_wait_in_seconds": 3601,
                    }
                }
            ),
            "deployment_config.blue_green_update_policy.termination_wait_in_seconds",
            "less than or equal to 3600",
        ),
        (
            endpoint(
                deployment_config={
                    "blue_green_update_policy": {
                        "traffic_routing_configuration": {"type": "ALL_AT_ONCE", "wait_interval_in_seconds": 0},
                        "maximum_execution_timeout_in_seconds": 500,
                    }
                }
            ),
            "deployment_config.blue_green_update_policy.maximum_execution_timeout_in_seconds",
            "greater than or equal to 600",
        ),
        (
            endpoint(
                deployment_config={
                    "auto_rollback_configuration": {"alarms": [{"alarm_name": f"a{i}"} for i in range(11)]}
                }
            ),
            "deployment_config.auto_rollback_configuration.alarms",
            "less than or equal to 10",
        ),
        (
            endpoint(deployment_config={"auto_rollback_configuration": {"alarms": []}}),
            "deployment_config.auto_rollback_configuration.alarms",
            "greater than or equal to 1",
        ),
        (
            endpoint(
                retain_all_variant_properties=True,
                exclude_retained_variant_properties=[{"variant_property_type": "DesiredWeight"}] * 4,
            ),
            "exclude_retained_variant_properties",
            "less than or equal to 3",
        ),
        (
            endpoint(
                deployment_config={
                    **blue_green("ALL_AT_ONCE"),
                    "rolling_update_policy": {
                        "maximum_batch_size": {"type": "CAPACITY_PERCENT", "value": 20},
                        "wait_interval_in_seconds": 0,
                    },
                }
            ),
            "deployment_config.rolling_update_policy",
            "blue_green_update_policy and rolling_update_policy are mutually exclusive",
        ),
        (
            endpoint(deployment_config=blue_green("CANARY", canary_size={"type": "CAPACITY_PERCENT", "value": 75})),
            "deployment_config.blue_green_update_policy.traffic_routing_configuration.canary_size.value",
            "canary_size must be 1-50 % of capacity (got 75)",
        ),
        (
            endpoint(
                deployment_config=blue_green("LINEAR", linear_step_size={"type": "CAPACITY_PERCENT", "value": 60})
            ),
            "deployment_config.blue_green_update_policy.traffic_routing_configuration.linear_step_size.value",
            "linear_step_size must be 10-50 % of capacity (got 60)",
        ),
        (
            endpoint(deployment_config=blue_green("LINEAR")),
            "deployment_config.blue_green_update_policy.traffic_routing_configuration.linear_step_size",
            "traffic_routing_configuration.linear_step_size` is required when type is LINEAR",
        ),
        (
            endpoint(exclude_retained_variant_properties=[{"variant_property_type": "DesiredWeight"}]),
            "exclude_retained_variant_properties",
            "needs retain_all_variant_properties set to true",
        ),
        (
            endpoint(retain_deployment_config=True, deployment_config=blue_green("ALL_AT_ONCE")),
            "retain_deployment_config",
            "excludes deployment_config",
        ),
        (endpoint(tags={"AWS:x": "y"}), 'tags["AWS:x"]', "must not start with `aws:`"),
        (endpoint(tags={"sagemaker-hosting:owner": "y"}), 'tags["sagemaker-hosting:owner"]', "(reserved)"),
        (endpoint(timeouts={"update": "soon"}), "timeouts.update", 'a duration like "90m"'),
        (endpoint(timeouts={"create": 0}), "timeouts.create", "must be a positive number of seconds"),
        (endpoint(timeouts={"delet": "1h"}), "timeouts.delet", "did you mean `delete`?"),
        (endpoint(timeouts="1h"), "timeouts", "must be a dict with keys create, update, delete"),
        (endpoint(adopt_existing=True), "adopt_existing", "set `name` to the existing endpoint's name"),
        (endpoint(name="legacy", adopt_existing="yes"), "adopt_existing", "must be true or false (got 'yes')"),
    ],
)
def test_endpoint_check_reports(news, path, reason):
    """Every problem is at `path`, and one of them gives `reason` (a rule may break two constraints)."""
    _, errors = validate.check_endpoint({}, news)
    assert {e.path for e in errors} == {path}
    assert {e.property for e in errors} == {path.split(".")[0].split("[")[0]}
    assert any(reason in e.reason for e in errors)


def test_valid_inputs_become_canonical():
    inputs, errors = validate.check_endpoint_config(
        {},
        config(
            production_variants=[
                {"VariantName": "primary", "ModelName": "m", "InstanceType": "ml.m5.large", "InitialInstanceCount": 2.0}
            ],
            tags={"team": "ml"},
        ),
    )
    assert errors == []
    assert inputs["production_variants"] == [
        {
            "variant_name": "primary",
            "model_name": "m",
            "initial_instance_count": 2,
            "instance_type": "ml.m5.large",
            "initial_variant_weight": 1.0,
        }
    ]
    assert inputs["tags"] == {"team": "ml"}
    assert inputs["name"].startswith("main-")
    assert not {"__provider", "arn", "creation_time"} & set(inputs)


@pytest.mark.parametrize(
    "news",
    [
        config(production_variants=UNKNOWN),
        config(
            production_variants=[variant(model_name=UNKNOWN, instance_type=UNKNOWN, initial_instance_count=UNKNOWN)]
        ),
        config(kms_key_id=UNKNOWN, production_variants=[variant(instance_type="ml.g5.xlarge")]),
        config(name=UNKNOWN),
        config(tags=UNKNOWN),
        config(
            shadow_production_variants=[variant(variant_name=UNKNOWN)],
            production_variants=[variant(variant_name=UNKNOWN)],
        ),
    ],
)
def test_preview_unknowns_pass_config_check(news):
    inputs, errors = validate.check_endpoint_config({}, news)
    assert errors == []
    assert UNKNOWN in str(inputs)


@pytest.mark.parametrize(
    "news",
    [
        endpoint(endpoint_config_name=UNKNOWN),
        endpoint(deployment_config=UNKNOWN),
        endpoint(deployment_config=blue_green("CANARY", canary_size={"type": "CAPACITY_PERCENT", "value": UNKNOWN})),
        endpoint(timeouts={"update": UNKNOWN}),
        endpoint(timeouts=UNKNOWN),
    ],
)
def test_preview_unknowns_pass_endpoint_check(news):
    inputs, errors = validate.check_endpoint({}, news)
    assert errors == []
    assert UNKNOWN in str(inputs)


def test_generated_name_is_stable_across_updates_and_new_on_replacement():
    seeded = {naming.SEED_KEY: naming.name_seed("p", "s", "sagemaker:EndpointConfig", "main")}
    first, _ = validate.check_endpoint_config({}, config(**seeded))
    assert validate.check_endpoint_config({}, config(**seeded))[0]["name"] == first["name"]  # preview == up
    updated, _ = validate.check_endpoint_config(first, config(tags={"team": "ml"}, name_prefix="renamed", **seeded))
    new_model = [variant(model_name="m2")]
    replaced, _ = validate.check_endpoint_config({}, config(production_variants=new_model, **seeded))  # replace
    assert updated["name"] == first["name"]
    assert replaced["name"] != first["name"]
    assert replaced["name"].startswith("main-")
    elsewhere = config(**seeded, __profile="other", __account="111111111111", region="eu-west-1")
    assert validate.check_endpoint_config({}, elsewhere)[0]["name"] == first["name"]  # content alone
    other_stack = {naming.SEED_KEY: naming.name_seed("p", "prod", "sagemaker:EndpointConfig", "main")}
    assert validate.check_endpoint_config({}, config(**other_stack))[0]["name"] != first["name"]


@pytest.mark.parametrize(
    ("news", "path", "reason"),
    [
        (
            config(production_variants=[variant(initial_variant_weight=math.nan)]),
            "production_variants[0].initial_variant_weight",
            "must be a finite number (got nan)",
        ),
        (
            config(production_variants=[variant(initial_instance_count=math.inf)]),
            "production_variants[0].initial_instance_count",
            "must be a finite number (got inf)",
        ),
        (
            config(production_variants=[variant(initial_instance_count=-math.inf)]),
            "production_variants[0].initial_instance_count",
            "(got -inf)",
        ),
        (
            config(production_variants=[variant(initial_instance_count=42.0, variant_name="bad_name")]),
            "production_variants[0].variant_name",
            "'bad_name'",
        ),
        (
            config(production_variants=[variant(volume_size_in_gb=1000.0)]),
            "production_variants[0].volume_size_in_gb",
            "(got 1000)",
        ),
    ],
)
def test_one_clear_error_per_mistake_with_numbers_as_given(news, path, reason):
    _, errors = validate.check_endpoint_config({}, news)
    assert [e.path for e in errors] == [path]
    assert reason in errors[0].reason


@pytest.mark.parametrize(
    ("region", "reason"),
    [
        (None, "`region` is not set: give the resource a `region`, set the stack's `aws:region`"),
        ("us east 1", "`region` must be an AWS region name such as us-east-1 (got 'us east 1')"),
        ("-us-east-1", "`region` must be an AWS region name"),
        (5, "`region` must be of type string"),
    ],
)
def test_region_must_be_set_and_valid(region, reason):
    for check, news in (
        (validate.check_endpoint_config, config(region=region)),
        (validate.check_endpoint, endpoint(region=region)),
    ):
        _, errors = check({}, news)
        assert [e.path for e in errors] == ["region"]
        assert reason in errors[0].reason


@pytest.mark.parametrize(
    ("change", "refused"),
    [
        ({"production_variants": [variant(instance_type="ml.m5.xlarge")]}, True),
        ({"kms_key_id": "alias/k"}, True),
        ({"name": "EXPLICIT", "kms_key_id": "alias/k"}, True),  # names are unique case-insensitively
        ({"tags": {"team": "ml"}}, False),  # tags change in place
        ({"name": "other", "kms_key_id": "alias/k"}, False),  # a new name: create-before-delete works
        ({"production_variants": [{**variant(), "InitialVariantWeight": 1}]}, False),  # no real change
    ],
)
def test_explicit_name_refuses_a_replacement_under_the_same_name(change, refused):
    old, _ = validate.check_endpoint_config({}, config(name="explicit"))
    _, errors = validate.check_endpoint_config(old, config(name="explicit") | change)
    assert [e.property for e in errors] == (["name"] if refused else [])
    if refused:
        assert "Change `name`, or remove it to let a name be generated" in errors[0].reason


def test_timeouts_become_seconds():
    inputs, errors = validate.check_endpoint(
        {}, endpoint(timeouts={"create": "90m", "update": "1h30m", "delete": 45, "other": None})
    )
    assert errors == []
    assert inputs["timeouts"] == {"create": 5400, "update": 5400, "delete": 45}
    without, _ = validate.check_endpoint({}, endpoint(timeouts={}))
    assert "timeouts" not in without


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (45, 45),
        (1.5, 2),
        ("45s", 45),
        ("90m", 5400),
        ("2h", 7200),
        ("1h30m", 5400),
        ("1h0m30s", 3630),
        (" 600 ", 600),
        ("2.5", 3),
        ("", None),
        ("1d", None),
        ("h", None),
        ("-5", None),
        (0, None),
        (True, None),
        (None, None),
        (float("inf"), None),
        ("nan", None),
    ],
)
def test_parse_duration(value, seconds):
    assert validate.parse_duration(value) == seconds


@pytest.mark.parametrize(
    ("config_region", "config_name", "refused"),
    [
        ("eu-west-1", "cfg", True),
        ("us-east-1", "cfg", False),
        (UNKNOWN, "cfg", False),  # known at `up`: checked then
        ("eu-west-1", "other", False),  # facts of another config (a refresh found the endpoint elsewhere)
        (None, "cfg", False),  # state from before the facts held a region
    ],
)
def test_a_config_of_another_region_is_refused_naming_both(config_region, config_name, refused):
    facts = {"config_name": config_name, "region": config_region, "variants": None}
    _, errors = validate.check_endpoint({}, endpoint(endpoint_config_name="cfg", __config_variants=facts))
    found = [e.reason for e in errors if e.path == "endpoint_config_name"]
    assert bool(found) is refused, found
    if refused:
        assert 'config "cfg" is in eu-west-1 and the endpoint in us-east-1' in found[0]
