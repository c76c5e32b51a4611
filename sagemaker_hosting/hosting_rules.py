"""The documented SageMaker rules of endpoint changes, each with its source: one table, used by the
provider's preview checks (`in_place`) and the emulator (`emulator/rules.py`).

Decision (issue 18): one table, not an independent oracle. The emulator already answers with the
service model's constraints and `cross_field`'s documented request rules, which the provider checks
too; a second copy of each rule would be the same logic twice, free to drift, and the rules are
AWS's documentation, not either side's design. What keeps the emulator a meaningful test of the
provider is that it applies these rules over the wire, to the fleets it runs, where the provider
applies them at preview to the facts it can know. Each side turns its own values (the provider's
facts with unknowns, the emulator's fleets) into the arguments here; each words its own message.
Pure logic: no AWS call.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

GUARDRAILS_EXCLUSIONS = "https://docs.aws.amazon.com/sagemaker/latest/dg/deployment-guardrails-exclusions.html"


@dataclass(frozen=True)
class Rule:
    """A documented rule: where it is written, and what it says there."""

    source: str
    says: str


SERVERLESS_ONE_WAY = Rule(
    "https://docs.aws.amazon.com/sagemaker/latest/dg/serverless-endpoints-update.html",
    "Updating a real-time inference endpoint to an on-demand serverless endpoint or a serverless endpoint "
    "with Provisioned Concurrency is currently not supported.",
)
SAME_VARIANT_NAMES = Rule(
    GUARDRAILS_EXCLUSIONS,
    "When doing a blue/green or rolling deployment, your new endpoint configuration must have the same "
    "variant name as the old endpoint configuration",
)
ROLLING_EXCLUSIONS = Rule(
    GUARDRAILS_EXCLUSIONS,
    "If you're doing a rolling deployment, there are additional feature-based exclusions: Serverless "
    "inference endpoints, Multi-variant inference endpoints",
)
INF1_FALLBACK = Rule(
    GUARDRAILS_EXCLUSIONS,
    "will fall back to using a blue/green deployment with all at once traffic shifting and no final baking period",
)
SHADOW_EXCLUSIONS = Rule(
    "https://docs.aws.amazon.com/sagemaker/latest/dg/shadow-tests-exclusions.html",
    "If your endpoint uses any of the following features you cannot use shadow tests on your endpoint, and "
    "your request to setup shadow tests will lead to validation errors",
)
SERVERLESS_EXCLUSIONS = Rule(
    "https://docs.aws.amazon.com/sagemaker/latest/dg/serverless-endpoints.html (Feature exclusions)",
    "Some of the features currently available for SageMaker AI Real-time Inference are not supported for "
    "Serverless Inference, including GPUs, AWS marketplace model packages, private Docker registries, "
    "Multi-Model Endpoints, VPC configuration, network isolation, data capture, multiple production variants, "
    "Model Monitor, and inference pipelines.",
)
FIXED_PARTITION_LAYOUT = Rule(
    "botocore's service model, AcceleratorPartitionLayout",
    "You can't change the layout of a running endpoint. To use a different layout, create a new endpoint.",
)
CAPACITY_SIZES = Rule(
    "botocore's service model: CanarySize at most 50 %, LinearStepSize 10-50 %, MaximumBatchSize 5-50 % "
    'of "the variant\'s total instance count"',
    "checked by `cross_field.endpoint_violations` (with the instance count)",
)
TRACING_EXCLUSIONS = Rule(
    "botocore's service model, TracingConfig (the data capture and serverless parts are `cross_field`'s)",
    "You can't enable tracing together with data capture (EnableCapture set to True in DataCaptureConfig), "
    "with serverless variants, or with multi-model endpoints.",
)
ENDPOINT_INSTANCE_QUOTA = Rule(
    "Service Quotas, service code sagemaker (the reference's \"Quotas for endpoints\"; SageMaker's "
    "ResourceLimitExceeded message names the quota)",
    'Quotas for endpoints are per instance type and region, named "ml.<type> for endpoint usage". A blue/green '
    "deployment runs the blue and green fleets together until the termination wait ends, so it needs quota for "
    "both; a rolling deployment needs one extra batch.",
)
SCALED_INSTANCE_TYPE = Rule(
    "https://docs.aws.amazon.com/sagemaker/latest/dg/endpoint-scaling-update.html",
    "If the update would change the instance type for any model that is a target for auto scaling, the update fails",
)

# The features SHADOW_EXCLUSIONS names, as both sides word them.
SERVERLESS_INFERENCE, ASYNCHRONOUS_INFERENCE = "serverless inference", "asynchronous inference"
MULTI_CONTAINER_MODEL, MULTI_MODEL_ENDPOINT = "a multi-container model", "a multi-model endpoint"
INF1_INSTANCES, ELASTIC_INFERENCE = "Inf1 instances", "Elastic Inference"
# The features SERVERLESS_EXCLUSIONS names that the hosting requests show, beside the multi-model endpoints
# and multi-container models (inference pipelines) above. Not among them: GPUs (a serverless variant names
# no instance type), Marketplace model packages (not told apart from others) and Model Monitor (a schedule
# of its own API).
MULTIPLE_PRODUCTION_VARIANTS, DATA_CAPTURE = "multiple production variants", "data capture"
VPC_CONFIGURATION, NETWORK_ISOLATION = "VPC configuration", "network isolation"
PRIVATE_REGISTRY = "a private Docker registry"


def is_inf1(instance_type: object) -> bool:
    """Whether an instance type is Inf1 (Inferentia), e.g. "ml.inf1.xlarge" (INF1_FALLBACK,
    SHADOW_EXCLUSIONS)."""
    return isinstance(instance_type, str) and instance_type.startswith("ml.inf1.")


def refuses_serverless_move(was_serverless: bool | None, becomes_serverless: bool | None) -> bool:
    """SERVERLESS_ONE_WAY: instance-based to serverless is refused; the reverse is allowed (None:
    not known, so not refused)."""
    return was_serverless is False and becomes_serverless is True


def same_variant_names(old: Iterable[str], new: Iterable[str]) -> bool:
    """SAME_VARIANT_NAMES, for a blue/green or rolling deployment."""
    return sorted(old) == sorted(new)


def rolling_exclusion(serverless: bool, production_variants: int) -> str | None:
    """ROLLING_EXCLUSIONS: the kind of endpoint a rolling deployment cannot update, if this is one."""
    return "serverless" if serverless else "multi-variant" if production_variants > 1 else None


def endpoint_quota_name(instance_type: str) -> str:
    """ENDPOINT_INSTANCE_QUOTA: the Service Quotas name of the quota on an instance type's endpoint usage."""
    return f"{instance_type}{ENDPOINT_QUOTA_SUFFIX}"


ENDPOINT_QUOTA_SUFFIX = " for endpoint usage"


def captures_data(data_capture_config: Mapping[str, object] | None) -> bool:
    """Whether a DataCaptureConfig captures: given, and EnableCapture not false (its default is true;
    DescribeEndpointConfig then shows it true). SERVERLESS_EXCLUSIONS and TRACING_EXCLUSIONS."""
    return data_capture_config is not None and data_capture_config.get("EnableCapture") is not False


def serverless_config_exclusions(production_variants: int, capturing: bool | None) -> list[str]:
    """SERVERLESS_EXCLUSIONS that a serverless config itself shows: several production variants, data
    capture (None: not known, so not refused). The models' exclusions are the emulator's to check."""
    shown = ((MULTIPLE_PRODUCTION_VARIANTS, production_variants > 1), (DATA_CAPTURE, capturing is True))
    return [feature for feature, used in shown if used]


def changes_layout(before: object, after: object) -> bool:
    """FIXED_PARTITION_LAYOUT: whether a variant's accelerator partition layouts change (none and an
    empty list are both whole accelerators; the same profiles in another order are another layout)."""
    return (before or None) != (after or None)
