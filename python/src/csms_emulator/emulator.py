"""Starting and stopping a csms-emulator process: :class:`CsmsEmulator`.

The process is started on a free loopback port (``--listen 127.0.0.1:0``; the ``serving``
line it prints names the port, so two starts never race for one) with
``--exit-on-stdin-close`` and a pipe on its standard input that is never written to. When
the Python process ends, however it ends (even by SIGKILL), the pipe closes and the
emulator stops: it cannot outlive the process that started it.
"""

from __future__ import annotations

import atexit
import collections
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from typing import IO, Any, Iterable, Mapping, Sequence

from ._binary import find_binary
from .control import DEFAULT_PROJECT_ID, PLACEHOLDER_AK, PLACEHOLDER_SK, EmulatorControl, Fixture

_SERVING = re.compile(rb"csms-emulator serving listen=(\S+)")

#: The log level started emulators use unless told otherwise (the serving line is info).
DEFAULT_LOG_LEVEL = "info"

#: What started emulators log about requests unless told otherwise: a line only for those
#: answered with an error, and a summary at most once a minute (the journal keeps all).
DEFAULT_REQUEST_LOG = "errors"

#: Emulators started by this process and not yet stopped, stopped at interpreter exit.
_RUNNING: weakref.WeakSet[CsmsEmulator] = weakref.WeakSet()


class EmulatorStartError(RuntimeError):
    """The emulator did not start: the message holds its exit status and last output."""


class CsmsEmulator(EmulatorControl):
    """A csms-emulator process on a free loopback port, started when constructed.

    Use it as a context manager, or call :meth:`stop`. Keyword options map to the
    binary's flags; anything not named here passes through as ``--flag-name value``
    (``True`` as a bare flag, a list as a repeated flag)::

        with CsmsEmulator(auth="enforce", credentials=["AK:SK"]) as emulator:
            client = emulator.client()

    Args:
        binary: the binary to start (default: ``$CSMS_EMULATOR_BINARY``, else the one
            this wheel installed).
        host, port: where to listen (default ``127.0.0.1`` and a free port).
        data_dir: keep state in this directory (SQLite) instead of memory.
        auth: ``"off"`` (default) or ``"enforce"``.
        credentials: ``"AK:SK"`` or ``"AK:SK:PROJECT"`` strings (or tuples); the first is
            what :meth:`client` signs with.
        tokens: accepted ``X-Auth-Token`` values, ``"TOKEN"`` or ``"TOKEN:PROJECT"``.
        control_token: the token that opens the control API in enforce mode; control
            calls send it.
        seed: a fixture (path, directory or dict) loaded before serving.
        project_id: the project the IAM lookup answers with, and :meth:`client`'s default.
        log_level: ``RUST_LOG`` for the process (default ``$CSMS_EMULATOR_LOG``, else
            ``info``; it must keep the info line the emulator logs when it serves).
        request_log: ``"errors"`` (the default here: a line only for error answers, and
            a summary) or ``"all"`` (a line per request).
        env: extra environment variables for the process.
        args: extra raw arguments.
        startup_timeout: seconds to wait for the emulator to serve.
    """

    def __init__(
        self,
        *,
        binary: str | os.PathLike[str] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        data_dir: str | os.PathLike[str] | None = None,
        auth: str | None = None,
        credentials: Iterable[str | Sequence[str]] = (),
        tokens: Iterable[str] = (),
        control_token: str | None = None,
        seed: Fixture | None = None,
        project_id: str | None = None,
        log_level: str | None = None,
        request_log: str = DEFAULT_REQUEST_LOG,
        env: Mapping[str, str] | None = None,
        args: Sequence[str] = (),
        startup_timeout: float = 10.0,
        **flags: Any,
    ) -> None:
        credential_list = [_credential(c) for c in credentials]
        access_key, secret_key = PLACEHOLDER_AK, PLACEHOLDER_SK
        if credential_list:
            access_key, secret_key = credential_list[0].split(":")[:2]
        super().__init__(
            None,
            project_id or DEFAULT_PROJECT_ID,
            control_token=control_token,
            access_key=access_key,
            secret_key=secret_key,
        )
        self._seed_file: str | None = None
        command = [find_binary(binary), "--listen", f"{host}:{port}", "--exit-on-stdin-close"]
        options: dict[str, Any] = {
            "data_dir": data_dir,
            "auth": auth,
            "credential": credential_list,
            "token": list(tokens),
            "control_token": control_token,
            "seed": self._seed_path(seed),
            "project_id": project_id,
            "request_log": request_log,
        }
        options.update(flags)
        command += _flags(options)
        command += list(args)
        self.command: list[str] = command
        self._output: collections.deque[str] = collections.deque(maxlen=200)
        try:
            self._process = self._spawn(command, env, log_level)
        except BaseException:
            self._forget_seed_file()
            raise
        _RUNNING.add(self)
        try:
            self._wait_until_serving(startup_timeout)
        except BaseException:
            self.stop()
            raise

    # ----- start ----------------------------------------------------------------------

    def _seed_path(self, seed: Fixture | None) -> str | None:
        if seed is None or not isinstance(seed, Mapping):
            return os.fspath(seed) if seed is not None else None
        handle, path = tempfile.mkstemp(prefix="csms-seed-", suffix=".json")
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(seed, file)
        self._seed_file = path
        return path

    def _forget_seed_file(self) -> None:
        """Deletes the file a dict seed was written to (it holds secret values)."""
        if self._seed_file:
            try:
                os.unlink(self._seed_file)
            except OSError:
                pass
            self._seed_file = None

    def _spawn(
        self, command: list[str], env: Mapping[str, str] | None, log_level: str | None
    ) -> subprocess.Popen[bytes]:
        # Every flag has a CSMS_* variable: one inherited from the caller's environment (a
        # .env file, a CI job's CSMS_DATA_DIR) must not change this emulator behind the
        # options' back. Only `env` sets them.
        environment = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("CSMS_") or k.startswith("CSMS_EMULATOR_")
        }
        environment["RUST_LOG"] = log_level or os.environ.get(
            "CSMS_EMULATOR_LOG", DEFAULT_LOG_LEVEL
        )
        environment.update(env or {})
        try:
            process = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                env=environment,
                # Its own session: a Ctrl-C in the terminal reaches the test runner, which
                # then stops the emulator in order, rather than both at once.
                start_new_session=sys.platform != "win32",
            )
        except OSError as err:
            raise EmulatorStartError(f"cannot run {command[0]}: {err}") from err
        self._serving = threading.Event()
        self._address: str | None = None
        assert process.stdout is not None
        self._reader = threading.Thread(
            target=self._read_output,
            args=(process.stdout,),
            name=f"csms-emulator-{process.pid}-output",
            daemon=True,
        )
        self._reader.start()
        return process

    def _read_output(self, stream: IO[bytes]) -> None:
        """Keeps the process's output (the last lines, for errors) and finds the serving
        line; reads until the process ends, so the pipe never fills."""
        for line in stream:
            if self._address is None:
                found = _SERVING.search(line)
                if found:
                    self._address = found.group(1).decode()
                    self._serving.set()
            self._output.append(line.decode(errors="replace").rstrip("\n"))
        self._serving.set()

    def _wait_until_serving(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        output_ended = self._serving.wait(timeout)
        if self._address is None:
            code = self._process.poll()
            if output_ended and code is None:
                # The output ends a moment before the exit status can be read.
                try:
                    code = self._process.wait(timeout)
                except subprocess.TimeoutExpired:
                    code = None
            state = f"exited with status {code}" if code is not None else f"did not serve within {timeout} s"
            raise EmulatorStartError(f"csms-emulator {state}; its output:\n{self.output()}")
        self._endpoint = f"http://{self._address}"
        while not self.is_healthy():
            if self._process.poll() is not None or time.monotonic() > deadline:
                raise EmulatorStartError(
                    f"csms-emulator at {self._endpoint} did not answer its health check; "
                    f"its output:\n{self.output()}"
                )
            time.sleep(0.005)

    # ----- running --------------------------------------------------------------------

    @property
    def pid(self) -> int:
        """The process id."""
        return self._process.pid

    @property
    def running(self) -> bool:
        """Whether the process is still running."""
        return self._process.poll() is None

    def output(self) -> str:
        """The last lines the process printed (its log, and any start-up error)."""
        return "\n".join(self._output)

    # ----- stop -----------------------------------------------------------------------

    def stop(self, timeout: float = 10.0) -> int | None:
        """Stops the process gracefully (its standard input closes, which it watches;
        then SIGTERM; then SIGKILL past ``timeout``) and returns its exit status.
        Stopping twice is harmless."""
        process = getattr(self, "_process", None)
        _RUNNING.discard(self)
        self._forget_seed_file()
        if process is None:
            return None
        if process.poll() is None:
            if process.stdin:
                process.stdin.close()
            try:
                process.wait(timeout / 2)
            except subprocess.TimeoutExpired:
                process.terminate()
                try:
                    process.wait(timeout / 2)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        elif process.stdin:
            process.stdin.close()
        # The output ends with the process: read it to the end, so output() holds the
        # last lines, before the pipe is closed.
        self._reader.join(timeout)
        if process.stdout and not self._reader.is_alive():
            process.stdout.close()
        return process.returncode

    def __enter__(self) -> CsmsEmulator:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"CsmsEmulator(endpoint={self._endpoint!r}, pid={self.pid}, {state})"


def _credential(value: str | Sequence[str]) -> str:
    text = value if isinstance(value, str) else ":".join(value)
    if text.count(":") not in (1, 2):
        raise ValueError(f"a credential is AK:SK or AK:SK:PROJECT, not {text!r}")
    return text


def _flags(options: Mapping[str, Any]) -> list[str]:
    """``{"data_dir": "x", "tls_self_signed": True, "credential": [a, b]}`` as
    ``--data-dir x --tls-self-signed --credential a --credential b``."""
    args: list[str] = []
    for name, value in options.items():
        if value is None or value is False:
            continue
        flag = "--" + name.replace("_", "-")
        if value is True:
            args.append(flag)
        elif isinstance(value, (list, tuple, set, frozenset)):
            for item in value:
                args += [flag, str(item)]
        else:
            args += [flag, os.fspath(value) if isinstance(value, os.PathLike) else str(value)]
    return args


@atexit.register
def _stop_all() -> None:
    for emulator in list(_RUNNING):
        emulator.stop()
