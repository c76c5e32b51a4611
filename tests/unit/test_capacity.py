"""The quota preflight's arithmetic (`capacity`): what one endpoint counts against the quota, the
quotas' names, and when a deployment would exceed one."""

from __future__ import annotations

import pytest

from sagemaker_hosting import capacity
from sagemaker_hosting.capacity import Shortfall

CONFIG = {
    "ProductionVariants": [
        {"VariantName": "a", "InstanceType": "ml.m5.large"},
        {"VariantName": "b", "InstanceType": "ml.g5.xlarge"},
        {"VariantName": "s", "ServerlessConfig": {"MemorySizeInMB": 2048, "MaxConcurrency": 1}},
    ],
    "ShadowProductionVariants": [{"VariantName": "shadow", "InstanceType": "ml.m5.large"}],
}


@pytest.mark.parametrize(
    ("endpoint", "expected"),
    [
        (  # in service: the desired counts, typed by the config; serverless runs none
            {
                "EndpointStatus": "InService",
                "ProductionVariants": [
                    {"VariantName": "a", "CurrentInstanceCount": 2, "DesiredInstanceCount": 2},
                    {"VariantName": "b", "CurrentInstanceCount": 1, "DesiredInstanceCount": 1},
                    {"VariantName": "s", "CurrentServerlessConfig": {}},
                ],
                "ShadowProductionVariants": [{"VariantName": "shadow", "DesiredInstanceCount": 1}],
            },
            {"ml.m5.large": 3, "ml.g5.xlarge": 1},
        ),
        (  # creating: only the desired counts are known
            {"EndpointStatus": "Creating", "ProductionVariants": [{"VariantName": "a", "DesiredInstanceCount": 4}]},
            {"ml.m5.large": 4},
        ),
        (  # updating: the new fleet counts beside the old one
            {
                "EndpointStatus": "Updating",
                "ProductionVariants": [{"VariantName": "a", "CurrentInstanceCount": 2, "DesiredInstanceCount": 2}],
                "PendingDeploymentSummary": {
                    "ProductionVariants": [
                        {"VariantName": "a", "InstanceType": "ml.m5.xlarge", "DesiredInstanceCount": 2}
                    ]
                },
            },
            {"ml.m5.large": 2, "ml.m5.xlarge": 2},
        ),
        (  # failed: runs nothing
            {"EndpointStatus": "Failed", "ProductionVariants": [{"VariantName": "a", "DesiredInstanceCount": 2}]},
            {},
        ),
        (  # a variant its config does not name (config gone): not typed, not counted
            {"EndpointStatus": "InService", "ProductionVariants": [{"VariantName": "x", "DesiredInstanceCount": 2}]},
            {},
        ),
    ],
)
def test_endpoint_usage(endpoint, expected) -> None:
    assert capacity.endpoint_usage(endpoint, CONFIG) == expected


def test_quota_values_keep_only_endpoint_usage() -> None:
    quotas = [
        {"QuotaName": "ml.m5.large for endpoint usage", "Value": 4.0},
        {"QuotaName": "ml.m5.large for training job usage", "Value": 9.0},
        {"QuotaName": "Number of endpoints", "Value": 100.0},
    ]
    assert capacity.quota_values(quotas) == {"ml.m5.large": 4}


@pytest.mark.parametrize(
    ("needed", "running", "planned", "quotas", "expected"),
    [
        ({"ml.m5.large": 4}, {"ml.m5.large": 4}, {}, {"ml.m5.large": 8}, []),  # exactly at the quota
        (
            {"ml.m5.large": 4},
            {"ml.m5.large": 4},
            {},
            {"ml.m5.large": 7},
            [Shortfall("ml.m5.large", 7, 4, 0, 4)],
        ),
        (  # earlier deployments of the run count
            {"ml.m5.large": 2},
            {"ml.m5.large": 4},
            {"ml.m5.large": 2},
            {"ml.m5.large": 7},
            [Shortfall("ml.m5.large", 7, 4, 2, 2)],
        ),
        ({"ml.g5.xlarge": 9}, {}, {}, {"ml.m5.large": 1}, []),  # no quota known for the type: not judged
        ({"ml.m5.large": 0}, {"ml.m5.large": 9}, {}, {"ml.m5.large": 1}, []),  # needs none
    ],
)
def test_shortfalls(needed, running, planned, quotas, expected) -> None:
    assert capacity.shortfalls(needed, running, planned, quotas) == expected


def test_a_shortfall_names_the_type_the_numbers_and_the_quota() -> None:
    words = Shortfall("ml.m5.large", 7, 4, 2, 2).words()
    assert words == (
        "2 more ml.m5.large would make 8 (4 running + 2 for the other deployments this preview plans + 2), "
        "over the quota 'ml.m5.large for endpoint usage' of 7"
    )
