"""`python -m sagemaker_hosting.emulator [--host H] [--port N] [--create-seconds S] ...
[--responder MODEL=module:function ...]`

Serves until SIGINT or SIGTERM; prints one line with the base URL when ready."""

from __future__ import annotations

import argparse
import signal
import threading
from dataclasses import fields
from types import FrameType

from sagemaker_hosting.emulator.settings import Settings


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m sagemaker_hosting.emulator", description="A local SageMaker hosting emulator."
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to listen on; 0 picks a free one (default)")
    for setting in fields(Settings):
        parser.add_argument(
            f"--{setting.name.replace('_', '-')}",
            type=float,
            default=setting.default,
            help=f"{setting.metadata['help']} (default {setting.default})",
        )
    parser.add_argument(
        "--responder",
        action="append",
        default=[],
        metavar="MODEL=module:function",
        help="answer invocations of MODEL with this callable (repeatable; default: echo the request)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = arguments(argv)
    try:
        settings = Settings().updated({f.name: getattr(args, f.name) for f in fields(Settings)})
    except ValueError as error:
        raise SystemExit(f"error: {error}") from None

    from sagemaker_hosting.emulator.invocation import Responders, parse_responder_option
    from sagemaker_hosting.emulator.server import EmulatorServer

    try:
        responders = Responders(dict(parse_responder_option(option) for option in args.responder))
    except (ValueError, ImportError, AttributeError) as error:
        raise SystemExit(f"error: --responder: {error}") from None
    server = EmulatorServer(args.host, args.port, settings, responders)
    stopping = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    server.start()
    print(f"SageMaker hosting emulator listening on {server.url}", flush=True)
    while not stopping.wait(0.2):
        pass
    server.stop()


if __name__ == "__main__":
    main()
