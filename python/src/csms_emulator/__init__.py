"""csms-emulator for Python: a local emulator of Huawei Cloud's Cloud Secret Management
Service, one line in a test suite.

- :class:`CsmsEmulator` starts the bundled binary on a free port and stops it.
- :class:`EmulatorControl` drives the control API of any running emulator.
- The pytest plugin (active once installed) gives the ``csms_emulator``, ``csms_project``
  and ``csms_client`` fixtures.
- :mod:`csms_emulator.testcontainers` runs the container image.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from ._binary import BINARY_ENV, find_binary
from .control import (
    DEFAULT_PROJECT_ID,
    CsmsEmulatorError,
    CsmsEmulatorUnreachable,
    EmulatorControl,
    new_project_id,
)
from .emulator import CsmsEmulator, EmulatorStartError

try:
    __version__ = version("csms-emulator")
except PackageNotFoundError:  # imported from a source tree
    __version__ = "0+unknown"

__all__ = [
    "BINARY_ENV",
    "DEFAULT_PROJECT_ID",
    "CsmsEmulator",
    "CsmsEmulatorError",
    "CsmsEmulatorUnreachable",
    "EmulatorControl",
    "EmulatorStartError",
    "find_binary",
    "new_project_id",
]
