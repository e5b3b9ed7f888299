"""Where the csms-emulator binary is: ``$CSMS_EMULATOR_BINARY``, the one this package's
wheel installed as a script, or one on ``PATH``. Nothing here starts it."""

from __future__ import annotations

import os
import shutil
import sys
import sysconfig
from pathlib import Path

#: The environment variable that names the binary to start instead of the bundled one.
BINARY_ENV = "CSMS_EMULATOR_BINARY"

_EXE = "csms-emulator" + (sysconfig.get_config_var("EXE") or "")


def _script_dirs() -> list[Path]:
    """Where pip puts a wheel's scripts: the environment's, then the user's scheme."""
    dirs = [Path(sysconfig.get_path("scripts"))]
    if sys.version_info >= (3, 10):
        user_scheme = sysconfig.get_preferred_scheme("user")
    elif os.name == "nt":
        user_scheme = "nt_user"
    elif sys.platform == "darwin" and getattr(sys, "_framework", None):
        user_scheme = "osx_framework_user"
    else:
        user_scheme = "posix_user"
    dirs.append(Path(sysconfig.get_path("scripts", scheme=user_scheme)))
    # An interpreter run from a virtualenv's bin without activating it.
    dirs.append(Path(sys.executable).parent)
    return dirs


def find_binary(explicit: str | os.PathLike[str] | None = None) -> str:
    """The path of the csms-emulator binary to start.

    ``explicit`` wins, then ``$CSMS_EMULATOR_BINARY``, then the binary the wheel installed
    beside this interpreter, then ``csms-emulator`` on ``PATH``.

    Raises:
        FileNotFoundError: no binary was found; the message says how to get one.
    """
    if explicit:
        return os.fspath(explicit)
    from_env = os.environ.get(BINARY_ENV)
    if from_env:
        return from_env
    for directory in _script_dirs():
        candidate = directory / _EXE
        if candidate.is_file():
            return str(candidate)
    on_path = shutil.which("csms-emulator")
    if on_path:
        return on_path
    raise FileNotFoundError(
        "csms-emulator binary not found: install the csms-emulator wheel for this platform "
        f"(pip install csms-emulator), or set {BINARY_ENV} to the binary's path"
    )
