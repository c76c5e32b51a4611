"""`make demo`: the example stack, offline, end to end.

Starts the emulator, seeds it with what a training pipeline leaves behind (two model versions
and a rollback alarm), then runs the example stack (Pulumi.yaml, __main__.py) through the real
Pulumi CLI with a local file backend: `pulumi up`, a new model version deployed blue/green with a
canary (progress shown as it happens), `pulumi destroy`. Prints what SageMaker was asked to do.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from sagemaker_hosting.emulator.testing import Emulator
from sagemaker_hosting.testing import client, copy_project, create_alarm, create_models

REPO = Path(__file__).resolve().parents[1]
WRITES = ("Create", "Update", "Delete", "Add")


def show(title: str) -> None:
    print(f"\n=== {title} ===", flush=True)


def main() -> int:
    with Emulator() as emulator, tempfile.TemporaryDirectory() as tmp:
        # Demo timings: a fleet in 3 s; the canary's 10-minute bake takes 6 s at time_scale 0.01.
        emulator.settings(create_seconds=3.0, update_seconds=3.0, delete_seconds=1.0, time_scale=0.01)
        print(f"SageMaker hosting emulator at {emulator.url}")
        create_models(emulator, "churn-v1", "churn-v2")
        create_alarm(emulator, "churn-endpoint-5xx")
        project = copy_project(Path(tmp), emulator, REPO)
        project.set_config(model="churn-v1", rollbackAlarm="churn-endpoint-5xx")

        def echo(line: str) -> None:
            print(line, end="" if line.endswith("\n") else "\n", flush=True)

        show("pulumi up: model churn-v1")
        project.stack.up(color="always", on_output=echo)

        show("pulumi preview: model churn-v2 (what a pull request shows)")
        project.set_config(model="churn-v2")
        project.stack.preview(color="always", diff=True, on_output=echo)

        show("pulumi up: blue/green to churn-v2 with a 25 % canary")
        emulator.clear_calls()
        project.stack.up(color="always", on_output=echo)
        calls = [call for call in emulator.calls() if call["action"].startswith(WRITES)]

        show("pulumi destroy")
        project.stack.destroy(color="always", on_output=echo)
        sagemaker = client(emulator, "sagemaker")
        left = sagemaker.list_endpoints()["Endpoints"] + sagemaker.list_endpoint_configs()["EndpointConfigs"]

        show("What SageMaker was asked to do during the blue/green update")
        for call in calls:
            print(f"  {call['action']:<22} {call['name']}")
    # The demo runs in CI: it fails unless the update was exactly the blue/green sequence and
    # nothing was left behind.
    actions = [call["action"] for call in calls]
    # (AddTags marks the new config as the endpoint's, so it is never deleted while in use.)
    if actions != ["CreateEndpointConfig", "AddTags", "UpdateEndpoint", "DeleteEndpointConfig"] or left:
        print(f"demo: unexpected calls {actions} or resources left behind {left}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
