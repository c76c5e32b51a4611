"""The tag keys this provider keeps on SageMaker resources for itself, all under one reserved prefix,
and the longest value a tag holds.

Plain constants, so that the AWS layer (`aws`), and the pure modules that write tags (`autoscaling`)
or refuse a user's reserved key (`validate`), share them without a pure module importing `aws`.
"""

from __future__ import annotations

TAG_VALUE_LIMIT = 256
"""The longest tag value SageMaker stores (the service model's `TagValue`, max 256; AddTags)."""
TAG_PREFIX = "sagemaker-hosting:"
"""Tags under this prefix are the provider's bookkeeping, never user tags: not shown, never removed,
refused as a resource's `tags`."""
AUTOSCALING_TAG_PREFIX = TAG_PREFIX + "autoscaling:"
"""Tags on an endpoint holding the Application Auto Scaling definitions set aside for a deployment
(`autoscaling.record_tags`), while they are set aside."""
OWNER_TAG = TAG_PREFIX + "owner"
"""On every config and endpoint the provider creates or adopts: its owner (`ownership`)."""
USERS_TAG_PREFIX = TAG_PREFIX + "users:"
"""On a config, one tag per stack that put endpoints on it (`...users:<stack id>`), listing them, so
that before deleting the config the provider can ask those endpoints, and only those, whether they
still use it (`config_users`)."""
ENDPOINT_TAG_PREFIX = TAG_PREFIX + "endpoint:"
"""On a config, one tag per endpoint put on it, as versions before `USERS_TAG_PREFIX` wrote them:
still read, never written."""
RETAINED_TAG = TAG_PREFIX + "retained"
"""On an endpoint whose stack keeps it on `destroy` (`retain_on_delete`): its config stays too."""
