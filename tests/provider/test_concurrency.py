"""The provider process runs many operations at once: `widen_provider_server` raises the dynamic
provider server's four-thread pool, including for calls already queued behind the first four."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from sagemaker_hosting.process import widen_provider_server


def run_together(executor: ThreadPoolExecutor, calls: int, widen: bool) -> list[bool]:
    """Submit `calls` operations that each wait for all the others, widening the pool (as the first
    unpickling of a provider does) after they are all queued; True for each that met the others."""
    barrier = threading.Barrier(calls, timeout=5)

    def operation() -> bool:
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            return False
        return True

    futures = [executor.submit(operation) for _ in range(calls)]
    if widen:
        widen_provider_server(threads=64)
    return [future.result(timeout=30) for future in futures]


@pytest.fixture
def provider_process(monkeypatch):
    """Make this process look like `python -m pulumi.dynamic` to `widen_provider_server`."""
    monkeypatch.setattr(sys.modules["__main__"], "DynamicResourceProviderServicer", object, raising=False)


@pytest.mark.parametrize("calls", [8, 32])
def test_queued_calls_run_at_once_after_widening(provider_process, calls) -> None:
    with ThreadPoolExecutor(max_workers=4) as executor:
        assert all(run_together(executor, calls, widen=True))
        assert executor._max_workers == 64


def test_queued_calls_run_at_once_after_the_pool_was_busy(provider_process) -> None:
    """Calls queued behind four busy threads leave the executor counting more idle threads than it
    has (each finished call adds one, a queued call taken by a thread takes none); the widened pool
    must still start a thread for each call that would otherwise wait behind a busy one."""
    with ThreadPoolExecutor(max_workers=4) as executor:
        busy = threading.Event()
        warm_up = [executor.submit(busy.wait, 30) for _ in range(4)]
        warm_up += [executor.submit(busy.is_set) for _ in range(12)]
        busy.set()
        for future in warm_up:
            future.result(timeout=30)
        assert all(run_together(executor, 8, widen=True))
        assert all(run_together(executor, 16, widen=False))  # later calls too


def test_without_widening_only_four_run_at_once(provider_process) -> None:
    with ThreadPoolExecutor(max_workers=4) as executor:
        assert not all(run_together(executor, 8, widen=False))


def test_other_processes_are_left_alone(monkeypatch) -> None:
    monkeypatch.delattr(sys.modules["__main__"], "DynamicResourceProviderServicer", raising=False)
    with ThreadPoolExecutor(max_workers=4) as executor:
        widen_provider_server(threads=64)
        assert executor._max_workers == 4


ENGINE_WATCHER = """
import sys, time
from sagemaker_hosting.process import exit_with_engine
exit_with_engine(["pulumi.dynamic", sys.argv[1]], every=0.1)
print("watching", flush=True)
time.sleep(60)
"""


def test_provider_process_exits_once_its_engine_is_gone() -> None:
    """With the engine's address listening the process stays; once nothing listens there it exits."""
    engine = socket.create_server(("127.0.0.1", 0))
    address = f"127.0.0.1:{engine.getsockname()[1]}"
    process = subprocess.Popen([sys.executable, "-c", ENGINE_WATCHER, address], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None and process.stdout.readline() == "watching\n"
        with pytest.raises(subprocess.TimeoutExpired):
            process.wait(timeout=1.5)  # the engine is there: the watcher stays quiet
        engine.close()
        assert process.wait(timeout=10) == 1
    finally:
        process.kill()
        engine.close()
