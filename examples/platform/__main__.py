"""A SageMaker endpoint among the pulumi-aws resources a platform team builds around it.

The execution role and the model artifact in S3 make an `aws.sagemaker.Model`; our `EndpointConfig`
serves that model and our `Endpoint` runs the config, deploying every change blue/green with a
canary that a CloudWatch alarm on the new fleet's 5XX errors rolls back. Application Auto Scaling
tracks invocations per instance on the variant, and the endpoint keeps the scaled capacity across
deployments. Every resource carries the stack's tags.
"""

import json
from typing import cast

import pulumi
import pulumi_aws as aws

from sagemaker_hosting import Endpoint, EndpointConfig
from sagemaker_hosting.args import ProductionVariantInstanceType

config = pulumi.Config()
image = config.require("image")
model_artifact = config.get("modelArtifact") or "model.tar.gz"
endpoint_name = config.get("endpointName") or f"{pulumi.get_project()}-{pulumi.get_stack()}"
# Checked against SageMaker's instance types at preview; the cast only tells the type checker.
instance_type = cast(ProductionVariantInstanceType, config.get("instanceType") or "ml.m5.large")
min_instances = config.get_int("minInstances") or 1
max_instances = config.get_int("maxInstances") or 4
invocations_per_instance = config.get_int("invocationsPerInstance") or 100

VARIANT = "primary"

tags = {
    "team": config.get("team") or "ml-platform",
    "project": pulumi.get_project(),
    "stack": pulumi.get_stack(),
}
"""On every resource that takes tags (a policy attachment and a scaling policy take none)."""

# --- the model: artifact in S3, execution role, aws.sagemaker.Model -------------------------------

artifacts = aws.s3.Bucket("artifacts", force_destroy=True, tags=tags)
artifact = aws.s3.BucketObjectv2(
    "model-artifact",
    bucket=artifacts.bucket,
    key="model/model.tar.gz",
    source=pulumi.FileAsset(model_artifact),
    tags=tags,
)

execution_role = aws.iam.Role(
    "execution-role",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        }
    ),
    tags=tags,
)
hosting_policy = aws.iam.Policy(
    "hosting",
    description="What a SageMaker endpoint's containers need: the model artifact, the image, logs and metrics",
    policy=pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": artifact.arn},
                {
                    "Effect": "Allow",
                    "Action": [
                        "ecr:GetAuthorizationToken",
                        "ecr:BatchCheckLayerAvailability",
                        "ecr:GetDownloadUrlForLayer",
                        "ecr:BatchGetImage",
                    ],
                    "Resource": "*",
                },
                {
                    "Effect": "Allow",
                    "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                    "Resource": "arn:aws:logs:*:*:log-group:/aws/sagemaker/*",
                },
                {"Effect": "Allow", "Action": "cloudwatch:PutMetricData", "Resource": "*"},
            ],
        }
    ),
    tags=tags,
)
hosting_permissions = aws.iam.RolePolicyAttachment("hosting", role=execution_role.name, policy_arn=hosting_policy.arn)

model_data_url = pulumi.Output.concat("s3://", artifact.bucket, "/", artifact.key)
model = aws.sagemaker.Model(
    "model",
    execution_role_arn=execution_role.arn,
    primary_container={"image": image, "model_data_url": model_data_url},
    tags=tags,
    # The role must be allowed to fetch the artifact and the image before SageMaker uses it.
    opts=pulumi.ResourceOptions(depends_on=[hosting_permissions]),
)

# --- the endpoint: config, rollback alarm, endpoint --------------------------------------------

endpoint_config = EndpointConfig(
    "main",
    production_variants=[
        {
            "variant_name": VARIANT,
            "model_name": model.name,
            "instance_type": instance_type,
            "initial_instance_count": min_instances,
        }
    ],
    tags=tags,
)

# Watched while a deployment bakes: when it fires, SageMaker shifts traffic back to the old fleet.
# It names the endpoint by its (fixed) name: the endpoint refers to the alarm, so not the other way.
rollback_alarm = aws.cloudwatch.MetricAlarm(
    "endpoint-5xx",
    alarm_description=f"5XX errors of endpoint {endpoint_name}, variant {VARIANT}: rolls a deployment back",
    namespace="AWS/SageMaker",
    metric_name="Invocation5XXErrors",
    dimensions={"EndpointName": endpoint_name, "VariantName": VARIANT},
    statistic="Sum",
    period=60,
    evaluation_periods=1,
    threshold=1,
    comparison_operator="GreaterThanOrEqualToThreshold",
    treat_missing_data="notBreaching",
    tags=tags,
)

endpoint = Endpoint(
    "main",
    name=endpoint_name,
    endpoint_config_name=endpoint_config.name,
    deployment_config={
        "blue_green_update_policy": {
            "traffic_routing_configuration": {
                "type": "CANARY",
                "canary_size": {"type": "CAPACITY_PERCENT", "value": 25},
                "wait_interval_in_seconds": 600,
            },
            "termination_wait_in_seconds": 300,
        },
        "auto_rollback_configuration": {"alarms": [{"alarm_name": rollback_alarm.name}]},
    },
    # Keep the instance count autoscaling has reached when a new config is deployed.
    retain_all_variant_properties=True,
    tags=tags,
)

# --- autoscaling on the variant ------------------------------------------------------------------
# Changing the instance type of an autoscaled variant fails today: AWS refuses that UpdateEndpoint
# while the variant is a scalable target (see the README).

scalable_target = aws.appautoscaling.Target(
    "variant",
    service_namespace="sagemaker",
    scalable_dimension="sagemaker:variant:DesiredInstanceCount",
    resource_id=pulumi.Output.concat("endpoint/", endpoint.name, "/variant/", VARIANT),
    min_capacity=min_instances,
    max_capacity=max_instances,
    tags=tags,
)
scaling_policy = aws.appautoscaling.Policy(
    "invocations-per-instance",
    policy_type="TargetTrackingScaling",
    service_namespace=scalable_target.service_namespace,
    scalable_dimension=scalable_target.scalable_dimension,
    resource_id=scalable_target.resource_id,
    target_tracking_scaling_policy_configuration={
        "predefined_metric_specification": {"predefined_metric_type": "SageMakerVariantInvocationsPerInstance"},
        "target_value": invocations_per_instance,
        "scale_in_cooldown": 300,
        "scale_out_cooldown": 60,
    },
)

pulumi.export("endpoint_name", endpoint.name)
pulumi.export("endpoint_arn", endpoint.arn)
pulumi.export("endpoint_config_name", endpoint.endpoint_config_name)
pulumi.export("model_name", model.name)
pulumi.export("model_data_url", model_data_url)
pulumi.export("rollback_alarm", rollback_alarm.name)
