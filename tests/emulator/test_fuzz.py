"""Random sequences of hosting operations, alarm changes and clock ticks against the backend
(hypothesis' stateful testing, on an injected clock with moto's in-process S3 and CloudWatch).

Whatever the sequence: every DescribeEndpoint answer conforms to botocore's output shape; every
refusal is a ValidationException; each endpoint's statuses change only along the state machine's
transition table; its events are in time order; and once time has
passed, nothing is left in progress."""

from __future__ import annotations

from typing import Any

import boto3
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from moto import mock_aws

from sagemaker_hosting import schema
from sagemaker_hosting.emulator.operations import HostingBackend
from sagemaker_hosting.emulator.resources import HostingError
from sagemaker_hosting.emulator.settings import Settings
from sagemaker_hosting.emulator.states import DELETED, IN_PROGRESS, TRANSITIONS
from sagemaker_hosting.emulator.validation import violation
from sagemaker_hosting.emulator.world import MotoWorld
from sagemaker_hosting.testing import put_alarm

REGION = "us-east-1"
NAMES = st.sampled_from(["ep-a", "ep-b", "EP-A"])
CONFIGS = st.sampled_from(["good", "big", "broken", "gone"])
ALARMS = {"AutoRollbackConfiguration": {"Alarms": [{"AlarmName": "errors"}]}}
DEPLOYMENTS = st.sampled_from(
    [
        None,
        {
            "BlueGreenUpdatePolicy": {
                "TrafficRoutingConfiguration": {"Type": "ALL_AT_ONCE", "WaitIntervalInSeconds": 0},
                "TerminationWaitInSeconds": 100,
            },
            **ALARMS,
        },
        {
            "BlueGreenUpdatePolicy": {
                "TrafficRoutingConfiguration": {
                    "Type": "CANARY",
                    "WaitIntervalInSeconds": 200,
                    "CanarySize": {"Type": "INSTANCE_COUNT", "Value": 1},
                }
            },
            **ALARMS,
        },
        {
            "BlueGreenUpdatePolicy": {
                "TrafficRoutingConfiguration": {
                    "Type": "LINEAR",
                    "WaitIntervalInSeconds": 300,
                    "LinearStepSize": {"Type": "CAPACITY_PERCENT", "Value": 50},
                },
                "MaximumExecutionTimeoutInSeconds": 600,
            }
        },
        {
            "RollingUpdatePolicy": {
                "MaximumBatchSize": {"Type": "INSTANCE_COUNT", "Value": 1},
                "WaitIntervalInSeconds": 100,
                "RollbackMaximumBatchSize": {"Type": "INSTANCE_COUNT", "Value": 1},
            },
            **ALARMS,
        },
    ]
)


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


class HostingMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.mock = mock_aws()
        self.mock.start()
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket="models")
        s3.put_object(Bucket="models", Key="good.tar.gz", Body=b"weights")
        self.cloudwatch = boto3.client("cloudwatch", region_name=REGION)
        put_alarm(self.cloudwatch, "errors")
        self.clock = Clock()
        self.backend = HostingBackend(
            MotoWorld(), self.clock, Settings(create_seconds=3, update_seconds=2, delete_seconds=1, time_scale=0.05)
        )
        for model, key in (("good", "good.tar.gz"), ("broken", "missing.tar.gz")):
            container = {"Image": "serve:1", "ModelDataUrl": f"s3://models/{key}"}
            self.backend.create_model(REGION, {"ModelName": model, "PrimaryContainer": container})
        for config, model, count in (
            ("good", "good", 1),
            ("big", "good", 3),
            ("broken", "broken", 1),
            ("gone", "good", 2),
        ):
            variant = {
                "VariantName": "v",
                "ModelName": model,
                "InstanceType": "ml.m5.large",
                "InitialInstanceCount": count,
                "InitialVariantWeight": 1.0,
            }
            self.backend.create_endpoint_config(REGION, {"EndpointConfigName": config, "ProductionVariants": [variant]})
        self.backend.delete_endpoint_config(REGION, "gone")

    def teardown(self) -> None:
        self.mock.stop()

    def attempt(self, operation: Any, *args: Any) -> None:
        action = "".join(part.title() for part in operation.__name__.split("_"))
        assert not isinstance(args[0], dict) or violation(action, args[0]) is None, "the fuzz sends valid requests"
        try:
            operation(REGION, *args)
        except HostingError as error:
            assert error.code == "ValidationException", error.message

    @rule(name=NAMES, config=CONFIGS, deployment=DEPLOYMENTS)
    def create(self, name: str, config: str, deployment: dict[str, Any] | None) -> None:
        extra = {"DeploymentConfig": deployment} if deployment else {}
        self.attempt(self.backend.create_endpoint, {"EndpointName": name, "EndpointConfigName": config, **extra})

    @rule(name=NAMES, config=CONFIGS, deployment=DEPLOYMENTS, retain=st.booleans())
    def update(self, name: str, config: str, deployment: dict[str, Any] | None, retain: bool) -> None:
        extra: dict[str, Any] = {"DeploymentConfig": deployment} if deployment else {"RetainDeploymentConfig": True}
        request = {"EndpointName": name, "EndpointConfigName": config, "RetainAllVariantProperties": retain, **extra}
        self.attempt(self.backend.update_endpoint, request)

    @rule(name=NAMES, count=st.integers(1, 4))
    def scale(self, name: str, count: int) -> None:
        wanted = [{"VariantName": "v", "DesiredInstanceCount": count}]
        self.attempt(
            self.backend.update_endpoint_weights_and_capacities,
            {"EndpointName": name, "DesiredWeightsAndCapacities": wanted},
        )

    @rule(name=NAMES)
    def delete(self, name: str) -> None:
        self.attempt(self.backend.delete_endpoint, name)

    @rule(state=st.sampled_from(["OK", "ALARM"]))
    def alarm(self, state: str) -> None:
        self.cloudwatch.set_alarm_state(AlarmName="errors", StateValue=state, StateReason="fuzz")

    @rule(seconds=st.floats(0, 30))
    def tick(self, seconds: float) -> None:
        self.clock.now += seconds

    @rule()
    def settle(self) -> None:
        self.cloudwatch.set_alarm_state(AlarmName="errors", StateValue="OK", StateReason="fuzz")
        self.clock.now += 1000
        for summary in self.backend.list_endpoints(REGION, {"MaxResults": 100})["Endpoints"]:
            assert summary["EndpointStatus"] not in IN_PROGRESS

    @invariant()
    def descriptions_conform_to_the_model(self) -> None:
        shape = schema.output_shape("DescribeEndpoint")
        for summary in self.backend.list_endpoints(REGION, {"MaxResults": 100})["Endpoints"]:
            described = self.backend.describe_endpoint(REGION, summary["EndpointName"])
            assert schema.constraint_violations(shape, described) == []
            assert described["EndpointConfigName"] in ("good", "big", "broken", "gone")

    @invariant()
    def statuses_move_only_along_the_transition_table(self) -> None:
        allowed = {(status, after) for (status, _), after in TRANSITIONS.items()}
        last: dict[str, str] = {}
        for event in self.backend.events:
            name, status = event["name"].lower(), event["status"]
            before = last.get(name, DELETED)
            assert status == before or (before, status) in allowed or (before, status) == (DELETED, "Creating")
            last[name] = status

    @invariant()
    def events_in_time_order(self) -> None:
        last: dict[str, float] = {}
        for event in self.backend.events:
            assert event["time"] >= last.get(event["name"].lower(), 0.0)
            last[event["name"].lower()] = event["time"]


HostingMachine.TestCase.settings = settings(
    max_examples=20, stateful_step_count=20, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
TestHosting = HostingMachine.TestCase
