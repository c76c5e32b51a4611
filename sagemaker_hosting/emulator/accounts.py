"""The emulator's accounts: one hosting backend (`operations.HostingBackend`) per AWS account, kept
as moto keeps its own backends, sharing one lock, one driver of deployments and one set of settings."""

from __future__ import annotations

import threading
from typing import Any

from moto.core.base_backend import BackendDict

from sagemaker_hosting.emulator.operations import HostingBackend
from sagemaker_hosting.emulator.settings import Settings
from sagemaker_hosting.emulator.states import Driver
from sagemaker_hosting.emulator.world import MotoWorld

PARTITION = "aws"
"""The key of an account's hosting backend in `Accounts.backends`: one backend serves every region of
an account (each call names its region), as moto's S3 keeps one backend per partition."""


class Accounts:
    """The hosting backend of each AWS account, in a moto `BackendDict` as moto keeps its own: made on
    an account's first call, and reset and dropped by moto's reset with every other backend. They
    share one lock and one driver; settings are shared; events are read merged."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self.changed = threading.Condition(threading.RLock())
        # BackendDict makes a backend as `backend(region_name, account_id=...)`: any such callable serves.
        self.backends: BackendDict[Any] = BackendDict(
            self._backend,  # type: ignore[arg-type]
            "sagemaker-hosting",
            use_boto3_regions=False,
            additional_regions=[PARTITION],
        )
        self.driver = Driver(lambda: [backend.machine for backend in self.all()], self.changed)

    def _backend(self, region_name: str, account_id: str) -> HostingBackend:
        return HostingBackend(MotoWorld(account_id), settings=self.settings, account=account_id, changed=self.changed)

    def get(self, account: str) -> HostingBackend:
        backend: HostingBackend = self.backends[account][PARTITION]
        return backend

    def all(self) -> list[HostingBackend]:
        return [backend for account in list(self.backends.values()) if (backend := account.get(PARTITION))]

    def start(self) -> None:
        self.driver.start()

    def stop(self) -> None:
        self.driver.stop()

    def update_settings(self, values: dict[str, Any]) -> Settings:
        """Apply `values` to every account's backend (ValueError names a bad one)."""
        with self.changed:
            self.settings = self.settings.updated(values)
            for backend in self.all():
                backend.settings = self.settings
            return self.settings

    def events(self) -> list[dict[str, Any]]:
        with self.changed:
            merged = [event for backend in self.all() for event in backend.events]
        return sorted(merged, key=lambda event: event["time"])

    def clear_events(self) -> None:
        with self.changed:
            for backend in self.all():
                backend.events.clear()
