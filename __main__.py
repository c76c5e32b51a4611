"""Example stack: one endpoint serving the model named in stack config.

Changing `model` (a new training run), `instanceType` or `instanceCount` replaces the endpoint
config and moves the endpoint to it blue/green: a canary of 25 % of capacity bakes while the
rollback alarm is watched, then the rest of the traffic shifts and the old fleet and the old
config are removed. Try it offline with `make demo`.
"""

import pulumi

from sagemaker_hosting import Endpoint, EndpointConfig

config = pulumi.Config()

endpoint_config = EndpointConfig(
    "main",
    production_variants=[
        {
            "variant_name": "primary",
            "model_name": config.require("model"),
            "instance_type": config.get("instanceType") or "ml.m5.large",
            "initial_instance_count": config.get_int("instanceCount") or 2,
        }
    ],
    tags={"app": "example", "stack": pulumi.get_stack()},
)

endpoint = Endpoint(
    "main",
    endpoint_config_name=endpoint_config.name,
    deployment_config={
        "blue_green_update_policy": {
            "traffic_routing_configuration": {
                "type": "CANARY",
                "canary_size": {"type": "CAPACITY_PERCENT", "value": 25},
                "wait_interval_in_seconds": config.get_int("canaryWaitSeconds") or 600,
            },
            "termination_wait_in_seconds": 300,
            "maximum_execution_timeout_in_seconds": 7200,
        },
        "auto_rollback_configuration": {"alarms": [{"alarm_name": config.require("rollbackAlarm")}]},
    },
    tags={"app": "example", "stack": pulumi.get_stack()},
)

pulumi.export("endpoint_name", endpoint.name)
pulumi.export("endpoint_arn", endpoint.arn)
pulumi.export("endpoint_config_name", endpoint.endpoint_config_name)
