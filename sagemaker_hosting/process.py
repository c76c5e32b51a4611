"""The dynamic-provider process (`python -m pulumi.dynamic`), adjusted for this provider: more
operations at once, an exit once the engine is gone, and plain messages for expected failures.

`install` applies all three, in that process only; `provider` calls it once, on import, which in the
provider process happens when it first unpickles one of our providers.
"""

from __future__ import annotations

import gc
import os
import re
import socket
import sys
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sagemaker_hosting.errors import ProviderError

PROVIDER_THREADS = 256
"""Resource operations the provider process runs at once (the engine's `--parallel` still applies)."""


def install() -> None:
    """Adjust this process if it is the dynamic-provider process (`in_provider_process`); in any
    other (the Pulumi program, a test), do nothing."""
    if not in_provider_process():
        return
    widen_provider_server()
    exit_with_engine()
    show_provider_errors_plainly()


def in_provider_process() -> bool:
    """Whether this is the dynamic-provider process (`python -m pulumi.dynamic`), not the program."""
    return getattr(sys.modules.get("__main__"), "DynamicResourceProviderServicer", None) is not None


def widen_provider_server(threads: int = PROVIDER_THREADS) -> None:
    """Let the dynamic-provider process run up to `threads` operations at once instead of four.

    `python -m pulumi.dynamic` serves gRPC from a `ThreadPoolExecutor(max_workers=4)` that no setting
    changes, and an endpoint operation holds its thread for minutes while SageMaker provisions, so a
    stack of sixteen endpoints would deploy in four waves. The operations are I/O waits, so more
    threads are sound; the executor reads `_max_workers` on every submit, so raising it takes effect
    for all later calls, and a thread is started for each call already queued behind the first four
    (a `pulumi destroy` sends its deletes before any of them has imported this module).

    The executor starts no thread for a call while its idle count says a thread is free, and that
    count drifts upwards (every finished call adds one; a queued call that a thread picks up takes
    none), so it can claim a free thread while every thread is in a minutes-long wait, and the call
    would queue behind them. It is replaced by one that never claims a free thread: each call gets a
    thread of its own until there are `threads`, and idle threads still take queued calls.

    This runs when the provider process first unpickles one of our providers (the first Check of an
    update, the first Delete of a destroy), and nowhere else (`install`).
    """
    if not in_provider_process():
        return  # e.g. the Pulumi program itself
    for candidate in gc.get_objects():
        if isinstance(candidate, ThreadPoolExecutor) and candidate._max_workers < threads:
            with candidate._shutdown_lock:
                candidate._max_workers = threads
                candidate._idle_semaphore = _NeverIdle(0)
                for _ in range(candidate._work_queue.qsize()):
                    candidate._adjust_thread_count()


class _NeverIdle(threading.Semaphore):
    """An idle-thread count that never lets the executor skip starting a thread (see above)."""

    def acquire(self, blocking: bool = True, timeout: float | None = None) -> bool:
        return False


ENGINE_CHECK_SECONDS = 0.5
"""How often the provider process checks that the engine that started it is still there: three
refusals in a row, so it exits within about 2 s of the engine (a local connect costs next to nothing)."""


def exit_with_engine(argv: list[str] = sys.argv, every: float = ENGINE_CHECK_SECONDS) -> threading.Thread | None:
    """End the dynamic-provider process once the engine that started it is gone.

    `python -m pulumi.dynamic` serves until it is signalled, and a `pulumi` killed hard (SIGKILL, an
    out-of-memory kill, a CI runner's timeout) signals nothing: the process would poll SageMaker to
    the end of its waits and then sit idle forever. The engine passes its own gRPC address as the
    plugin's argument (as it does to every plugin; Pulumi's Go providers watch it the same way), so
    a connection that is refused three times in a row means it is gone. Nothing is lost by exiting:
    no one is left to receive the results, and SageMaker finishes what it started.
    """
    address = next((arg for arg in argv[1:] if re.fullmatch(r"[\w.\-]+:\d+", arg)), None)
    if address is None:
        return None
    host, _, port = address.rpartition(":")

    def watch() -> None:
        refused = 0
        while refused < 3:
            time.sleep(every)
            try:
                socket.create_connection((host, int(port)), timeout=every).close()
                refused = 0
            except OSError:
                refused += 1
        try:
            print("The Pulumi engine is gone; the dynamic-provider process exits.", file=sys.stderr, flush=True)
        finally:  # the engine's end of stderr is usually gone too (BrokenPipeError)
            os._exit(1)

    watcher = threading.Thread(target=watch, name="engine-watch", daemon=True)
    watcher.start()
    return watcher


class _PlainProviderErrors:
    """Stands in for the `traceback` module in `pulumi.dynamic.__main__` of newer SDKs (3.272), which
    abort every failed call with `traceback.format_exc()`: a `ProviderError`, an expected failure
    whose message says what to do, is shown as that message alone; anything else keeps its traceback."""

    @staticmethod
    def format_exc() -> str:
        error = sys.exc_info()[1]
        return str(error) if isinstance(error, ProviderError) else traceback.format_exc()

    def __getattr__(self, name: str) -> Any:
        return getattr(traceback, name)


def show_provider_errors_plainly() -> None:
    """Install `_PlainProviderErrors` where the SDK formats errors with a traceback (no-op on SDKs that
    show "Exception calling application: <message>", as 3.260 does)."""
    main = sys.modules.get("__main__")
    if getattr(main, "traceback", None) is traceback:
        main.traceback = _PlainProviderErrors()  # type: ignore[union-attr]


def engine_random_seed() -> bytes | None:
    """The random seed the engine sent with the `Check` being served (CheckRequest.randomSeed), if
    this runs under one: random for each resource operation, and the one a saved plan recorded under
    `pulumi up --plan`, so a value derived from it is the same at `preview --save-plan` and at the
    `up` that applies the plan. `python -m pulumi.dynamic` does not pass it to `check`, and its
    first `Check` runs before this module is imported (so no patch of the servicer could catch it):
    it is read from the servicer's frame on this thread's stack, which nothing else can reach."""
    frame = sys._getframe(1)
    while frame is not None:
        request = frame.f_locals.get("request") if frame.f_code.co_name == "Check" else None
        if request is not None and hasattr(request, "randomSeed"):
            return bytes(request.randomSeed) or None
        frame = frame.f_back  # type: ignore[assignment]
    return None
