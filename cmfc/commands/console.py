"""`cmfc console SPEC`: the Director's console, a Streamlit app on 127.0.0.1."""

from __future__ import annotations

import os
import sys

import click

from cmfc.cli import report_errors


@click.command("console")
@click.argument("spec", required=False)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to serve on (keep it local).")
@click.option("--port", default=8501, show_default=True, type=click.IntRange(0, 65535),
              help="Port to serve on (0: a free one).")
@report_errors
def console_command(spec: str | None, host: str, port: int) -> None:
    """Open the Director's console: swipe takes, eject a hero, write notes, re-stitch.

    Every decision is a checked, atomic edit of the spec (reviewable in git); the console keeps no
    state of its own, so reloading or restarting it loses nothing.

    \b
    Example:
      cmfc console specs/alpha            # then open http://127.0.0.1:8501
    """
    from cmfc.project import locate

    location = locate(spec)
    try:
        import streamlit  # noqa: F401
    except ModuleNotFoundError:
        raise click.ClickException("the console needs Streamlit: pip install 'cmfc[console]'") from None
    if port == 0:
        import socket

        with socket.socket() as probe:
            probe.bind((host, 0))
            port = probe.getsockname()[1]
    from importlib.util import find_spec

    app = find_spec("cmfc.console.app").origin  # not imported: importing the page runs it
    env = dict(os.environ, CMFC_CONSOLE_SPEC=str(location.spec.resolve()))
    command = [sys.executable, "-m", "streamlit", "run", app, "--server.address", host,
               "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false",
               "--server.fileWatcherType", "none"]
    click.echo(f"console for {location.display}: http://{host}:{port}", err=True)
    raise SystemExit(_run(command, env))


def _run(command: list[str], env: dict) -> int:
    """Run the server in the foreground; SIGTERM is passed on to it (a stopped console leaves no server behind)."""
    import signal
    import subprocess

    process = subprocess.Popen(command, env=env)
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: process.terminate())
    try:
        while True:
            try:
                return process.wait()
            except KeyboardInterrupt:  # Ctrl-C reached the server too (same process group): let it stop
                continue
    finally:
        signal.signal(signal.SIGTERM, previous)
        if process.poll() is None:
            process.kill()
            process.wait()
