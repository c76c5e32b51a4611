"""What hosting reads from the neighbouring services: S3 (model data; asynchronous inference's
input and output), CloudWatch (rollback alarms) and Application Auto Scaling (scalable targets), as
moto's in-process backends hold them -- the same ones the server answers for those services.
Application Auto Scaling's namespace, dimension and resource ids are AWS's names, not rules, so they
are the provider's (`autoscaling`)."""

from __future__ import annotations

import contextlib
import sys
import urllib.parse
from typing import Any, Protocol

from sagemaker_hosting.autoscaling import DIMENSION, NAMESPACE, variant_of
from sagemaker_hosting.emulator.resources import ACCOUNT

SCALING_MODELS = "moto.applicationautoscaling.models"
"""moto's module of Application Auto Scaling's backends (imported by its server on the first call)."""


class World(Protocol):
    """What the hosting backend reads from other services."""

    def s3_exists(self, url: str, prefix: bool) -> bool:
        """Whether s3://bucket/key names an object (or, with `prefix`, any object under it)."""

    def read_object(self, url: str) -> bytes:
        """The S3 object's bytes; LookupError names a missing bucket or key."""

    def write_object(self, url: str, data: bytes) -> None:
        """Put an S3 object (a missing bucket: nothing is written, as a failed upload)."""

    def alarm_firing(self, region: str, name: str) -> bool:
        """Whether the CloudWatch alarm `name` is in ALARM state."""

    def scaled_variants(self, region: str, endpoint: str) -> set[str]:
        """The endpoint's variants registered as Application Auto Scaling scalable targets."""

    def deregister_scaled_variants(self, region: str, endpoint: str) -> None:
        """Deregister the endpoint's scalable targets (`forget_target` for each)."""

    def forget_target(self, region: str, namespace: str, resource_id: str, dimension: str) -> None:
        """What DeregisterScalableTarget does beside removing the target: "Deregistering a scalable
        target deletes the scaling policies and the scheduled actions that are associated with it"
        (Application Auto Scaling API reference, DeregisterScalableTarget); moto's keeps both."""


class MotoWorld:
    """S3, CloudWatch and Application Auto Scaling as moto's in-process backends of one account hold
    them (the same ones the server serves)."""

    def __init__(self, account: str = ACCOUNT) -> None:
        self.account = account

    def _s3(self) -> Any:
        from moto.s3.models import s3_backends

        return s3_backends[self.account]["aws"]

    def s3_exists(self, url: str, prefix: bool) -> bool:
        from moto.s3.exceptions import MissingBucket
        from moto.s3.models import FakeKey

        bucket_name, _, key = url.removeprefix("s3://").partition("/")
        try:
            bucket = self._s3().get_bucket(bucket_name)
        except MissingBucket:
            return False
        if prefix:
            return any(name.startswith(key) for name in list(bucket.keys.keys()))
        return isinstance(bucket.keys.get(key), FakeKey)

    def read_object(self, url: str) -> bytes:
        from moto.s3.exceptions import MissingBucket, MissingKey

        bucket, key = split_s3_url(url)
        try:
            found = self._s3().get_object(bucket, key)
        except (MissingBucket, MissingKey):
            found = None
        if found is None:
            raise LookupError(f"Could not read the input at {url}: no such object.")
        return bytes(found.value)

    def write_object(self, url: str, data: bytes) -> None:
        from moto.s3.exceptions import MissingBucket

        bucket, key = split_s3_url(url)
        with contextlib.suppress(MissingBucket):
            self._s3().put_object(bucket, key, data)

    def alarm_firing(self, region: str, name: str) -> bool:
        from moto.cloudwatch.models import cloudwatch_backends

        alarm = cloudwatch_backends[self.account][region].alarms.get(name)
        return alarm is not None and alarm.state_value == "ALARM"

    def scaled_variants(self, region: str, endpoint: str) -> set[str]:
        backend = self._scaling(region)
        if backend is None:
            return set()
        targets = backend.describe_scalable_targets(NAMESPACE, None, DIMENSION)
        return {variant for target in targets if (variant := variant_of(target.resource_id, endpoint))}

    def deregister_scaled_variants(self, region: str, endpoint: str) -> None:
        backend = self._scaling(region)
        if backend is None:
            return
        for target in backend.describe_scalable_targets(NAMESPACE, None, DIMENSION):
            if variant_of(target.resource_id, endpoint):
                self.forget_target(region, NAMESPACE, target.resource_id, DIMENSION)
                backend.deregister_scalable_target(NAMESPACE, target.resource_id, DIMENSION)

    def forget_target(self, region: str, namespace: str, resource_id: str, dimension: str) -> None:
        backend = self._scaling(region)
        if backend is None:
            return
        target = (namespace, resource_id, dimension)
        for key, policy in list(backend.policies.items()):
            if (policy.service_namespace, policy.resource_id, policy.scalable_dimension) == target:
                policy.delete_alarms(self.account, region)
                del backend.policies[key]
        backend.scheduled_actions = [
            action
            for action in backend.scheduled_actions
            if (action.service_namespace, action.resource_id, action.scalable_dimension) != target
        ]

    def _scaling(self, region: str) -> Any:
        """moto's Application Auto Scaling backend of `region`, or None while moto has not loaded
        that service (or another thread is still importing it: its backends come last). The server
        loads it on the first call to the service, so until then no scalable target exists. Loading
        it costs about 0.7 CPU-seconds: a fleet's first DeleteEndpoint stalled the rest for 0.8 s,
        and an emulator that is never asked pays nothing."""
        backends = getattr(sys.modules.get(SCALING_MODELS), "applicationautoscaling_backends", None)
        return None if backends is None else backends[self.account][region]


def split_s3_url(url: str) -> tuple[str, str]:
    """(bucket, key) of s3://bucket/key or https://bucket.s3.../key."""
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme == "https":
        return parsed.netloc.split(".", 1)[0], parsed.path.lstrip("/")
    return parsed.netloc, parsed.path.lstrip("/")
