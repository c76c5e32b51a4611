"""Pulumi dynamic resources for Amazon SageMaker hosting: EndpointConfig and Endpoint.

The resource classes are imported on first use, so `python -m sagemaker_hosting.emulator` and the
pure modules start without loading the Pulumi SDK.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sagemaker_hosting.endpoint import Endpoint
    from sagemaker_hosting.endpoint_config import EndpointConfig

__all__ = ["Endpoint", "EndpointConfig"]


def __getattr__(name: str) -> Any:
    if name == "Endpoint":
        from sagemaker_hosting.endpoint import Endpoint

        return Endpoint
    if name == "EndpointConfig":
        from sagemaker_hosting.endpoint_config import EndpointConfig

        return EndpointConfig
    raise AttributeError(f"module 'sagemaker_hosting' has no attribute {name!r}")
