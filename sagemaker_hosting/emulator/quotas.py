"""Service Quotas' SageMaker endpoint quotas, served from the emulator's `instance_quota` setting:
"ml.<type> for endpoint usage" for every instance type of botocore's model
(`hosting_rules.ENDPOINT_INSTANCE_QUOTA`), the limit `rules.check_quota` enforces. moto's Service
Quotas serves only `vpc` and has no ListServiceQuotas, so these few answers are written here; every
other Service Quotas call goes to moto. Pure: the caller passes the setting and where the call came from.

With `instance_quota` 0 (no limit, which AWS never has) no endpoint quota is listed, and
GetServiceQuota answers NoSuchResourceException, as for a quota code that does not exist.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping
from typing import Any

import botocore.session

from sagemaker_hosting import hosting_rules
from sagemaker_hosting.emulator.responses import Answer

SERVICE_CODE = "sagemaker"
LISTINGS = ("ListServiceQuotas", "ListAWSDefaultServiceQuotas")
GETTERS = ("GetServiceQuota", "GetAWSDefaultServiceQuota")
DEFAULT_PAGE = 100
"""MaxResults when not given ("a value appropriate to the operation"; the model's maximum is 100)."""


@functools.cache
def instance_types() -> tuple[str, ...]:
    """Every instance type an endpoint variant may name (botocore's ProductionVariantInstanceType)."""
    model = botocore.session.get_session().get_service_model("sagemaker")
    shape: Any = model.shape_for("ProductionVariantInstanceType")  # a StringShape; botocore's stubs say Shape
    return tuple(shape.enum)


def quota_code(instance_type: str) -> str:
    """A stable opaque code ("L-" and 8 hex digits, as AWS's look) for an instance type's quota."""
    digest = hashlib.sha256(hosting_rules.endpoint_quota_name(instance_type).encode()).hexdigest()
    return f"L-{digest[:8].upper()}"


def quota(instance_type: str, value: float, region: str, account: str) -> dict[str, Any]:
    code = quota_code(instance_type)
    return {
        "ServiceCode": SERVICE_CODE,
        "ServiceName": "Amazon SageMaker",
        "QuotaArn": f"arn:aws:servicequotas:{region}:{account}:{SERVICE_CODE}/{code}",
        "QuotaCode": code,
        "QuotaName": hosting_rules.endpoint_quota_name(instance_type),
        "Value": value,
        "Unit": "None",
        "Adjustable": True,
        "GlobalQuota": False,
    }


def answer(action: str, request: Mapping[str, Any], limit: float, region: str, account: str) -> Answer | None:
    """The answer to a Service Quotas call about SageMaker's endpoint quotas; None for any other
    (moto's). `request` is checked against botocore's model already."""
    if request.get("ServiceCode") != SERVICE_CODE or action not in (*LISTINGS, *GETTERS):
        return None
    quotas = [quota(kind, limit, region, account) for kind in instance_types()] if limit else []
    if action in GETTERS:
        found = next((q for q in quotas if q["QuotaCode"] == request.get("QuotaCode")), None)
        if found is None:
            missing = f"The quota {request.get('QuotaCode')} does not exist."
            return Answer(400, {"__type": "NoSuchResourceException", "message": missing})
        return Answer(200, {"Quota": found})
    if action == "ListServiceQuotas" and request.get("QuotaCode"):
        quotas = [q for q in quotas if q["QuotaCode"] == request["QuotaCode"]]
    token = request.get("NextToken")
    start = int(token) if isinstance(token, str) and token.isdigit() else 0
    if token is not None and not (isinstance(token, str) and token.isdigit() and start <= len(quotas)):
        return Answer(400, {"__type": "InvalidPaginationTokenException", "message": "Invalid NextToken."})
    size = int(request.get("MaxResults") or DEFAULT_PAGE)
    page: dict[str, Any] = {"Quotas": quotas[start : start + size]}
    if start + size < len(quotas):
        page["NextToken"] = str(start + size)
    return Answer(200, page)
