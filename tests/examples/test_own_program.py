"""A user's own program with our resources, unit-tested the way Pulumi documents it: mocks set, the
program run, outputs checked in `@pulumi.runtime.test` functions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pulumi
import pulumi_aws
import pytest
from pulumi.runtime import MockCallArgs, MockResourceArgs

from sagemaker_hosting import Endpoint, EndpointConfig, aws, naming
from sagemaker_hosting.endpoint import EndpointProvider
from sagemaker_hosting.endpoint_config import EndpointConfigProvider
from sagemaker_hosting.mocks import ENDPOINT_CONFIG_TYPE, ENDPOINT_TYPE, SageMakerMocks
from tests.examples.mocked import run_under_mocks

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:pulumi_aws")  # its deprecated types, on import

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
REGION, ACCOUNT = "eu-west-1", "210987654321"


def checkout_program(initial_instance_count: int = 2) -> tuple[EndpointConfig, Endpoint]:
    """The user's program: two variants of a model the training pipeline made, weighted 3:1 (a
    serverless variant cannot be one of several: Serverless Inference's feature exclusions)."""
    config = EndpointConfig(
        "checkout",
        production_variants=[
            {
                "variant_name": "primary",
                "model_name": "checkout-model-42",
                "instance_type": "ml.c5.xlarge",
                "initial_instance_count": initial_instance_count,
                "initial_variant_weight": 3,
            },
            {
                "variant_name": "canary",
                "model_name": "checkout-model-42",
                "instance_type": "ml.c5.large",
                "initial_instance_count": 1,
            },
        ],
    )
    return config, Endpoint("checkout", endpoint_config_name=config.name)


@pytest.fixture
def mocks() -> SageMakerMocks:
    mocks = SageMakerMocks(region=REGION, account=ACCOUNT, now=NOW)
    pulumi.runtime.set_mocks(mocks, project="shop", stack="prod", preview=False)
    return mocks


@pulumi.runtime.test
def test_our_resources_get_the_outputs_pulumi_up_leaves(mocks):
    config, endpoint = checkout_program()

    def check(values: list[Any]) -> None:
        config_name, config_arn, name, arn, status, config_used, variants, created = values
        assert config_arn == f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:endpoint-config/{config_name}"
        # the real provider's rule: prefix, then a suffix hashed from the project, stack, type and name
        seed = naming.name_seed("shop", "prod", "sagemaker:Endpoint", "checkout")
        assert name == naming.generate_name("checkout", {"seed": seed})
        assert (arn, status, config_used) == (
            f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:endpoint/{name}",
            "InService",
            config_name,
        )
        assert variants == [
            {
                "variant_name": "primary",
                "deployed_images": [],  # the model was not created under these mocks
                "current_weight": 3,
                "desired_weight": 3,
                "current_instance_count": 2,
                "desired_instance_count": 2,
            },
            {
                "variant_name": "canary",
                "deployed_images": [],
                "current_weight": 1,
                "desired_weight": 1,
                "current_instance_count": 1,
                "desired_instance_count": 1,
            },
        ]
        assert created == NOW.isoformat()

    return pulumi.Output.all(
        config.name,
        config.arn,
        endpoint.name,
        endpoint.arn,
        endpoint.status,
        endpoint.endpoint_config_name,
        endpoint.production_variants,
        endpoint.creation_time,
    ).apply(check)


@pytest.mark.parametrize(
    ("type_", "provider", "inputs"),
    [
        (
            ENDPOINT_CONFIG_TYPE,
            EndpointConfigProvider(),
            {
                "production_variants": [
                    {
                        "variant_name": "a",
                        "model_name": "m",
                        "instance_type": "ml.m5.large",
                        "initial_instance_count": 2.0,
                    }
                ],
                "tags": {"team": "ml"},
            },
        ),
        (ENDPOINT_TYPE, EndpointProvider(), {"endpoint_config_name": "c", "timeouts": {"update": "3h"}}),
    ],
)
def test_the_mocks_settle_inputs_as_the_providers_check_does(monkeypatch, type_, provider, inputs):
    """Same canonical inputs and generated name as the real `check` (given its region and account)."""
    sent = {"__provider": "pickled", naming.SEED_KEY: "5423015aa6bfe773", "name_prefix": "main", **inputs}
    monkeypatch.setattr(aws, "caller_account", lambda settings: ACCOUNT)
    monkeypatch.setattr(provider, "settings", aws.AwsSettings(region=REGION))
    checked = provider.check({}, dict(sent))
    _, outputs = SageMakerMocks(account=ACCOUNT, region=REGION).new_resource(MockResourceArgs(type_, "main", sent))
    assert not checked.failures
    instance = naming.INSTANCE_KEY  # drawn at random by each, for a new resource
    assert len(outputs[instance]) == len(checked.inputs[instance]) == 12
    assert {key: outputs[key] for key in checked.inputs if key != instance} == {
        key: value for key, value in checked.inputs.items() if key != instance
    }
    assert checked.inputs["name"].startswith("main-")


def test_inputs_the_provider_refuses_fail_as_pulumi_preview_would():
    # the SDK wraps the mocks' InvalidInputs in a ValueError that names each resource it failed
    refused = r'EndpointConfig "checkout": `production_variants\[0\]\.initial_instance_count` must have value greater'
    with pytest.raises(ValueError, match=refused):
        run_under_mocks(lambda: checkout_program(initial_instance_count=0), SageMakerMocks(), project="p", stack="s")


class TeamMocks(pulumi.runtime.Mocks):
    """A user's existing mocks, for the types SageMakerMocks does not know."""

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        return "team-id", {**args.inputs, "arn": f"arn:team:{args.name}"}

    def call(self, args: MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {"names": ["eu-west-1a"], "zoneIds": ["euw1-az1"]}, []


@pulumi.runtime.test
def test_other_types_and_calls_go_to_the_users_own_mocks():
    pulumi.runtime.set_mocks(SageMakerMocks(TeamMocks(), account=ACCOUNT), project="shop", stack="prod", preview=False)
    topic = pulumi_aws.sns.Topic("alerts")
    zones = pulumi_aws.get_availability_zones_output()
    identity = pulumi_aws.get_caller_identity_output()

    def check(values: list[Any]) -> None:
        assert values == ["arn:team:alerts", ["eu-west-1a"], ACCOUNT]

    return pulumi.Output.all(topic.arn, zones.names, identity.account_id).apply(check)
