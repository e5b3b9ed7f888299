"""The pytest plugin, active as soon as the wheel is installed (entry point ``pytest11``).

Fixtures:

- ``csms_emulator`` (session): one emulator per test session, so one per pytest-xdist
  worker; or, with ``--csms-endpoint`` (or the ini value ``csms_endpoint``), the control
  API of an emulator that already runs.
- ``csms_project`` (function): a fresh project id per test. Every project is a namespace
  of its own, so tests are isolated without a reset or any HTTP call.
- ``csms_client`` (function): an official SDK client bound to ``csms_project``.

A test that moves the clock or injects faults through ``csms_emulator`` leaves no trace:
the clock is put back and its fault rules removed when it ends. That holds for the
emulator the plugin starts (one per worker); an emulator shared through
``--csms-endpoint`` has one clock and one set of fault rules for every worker using it,
so give faults a ``project_id`` there and move its clock only when tests run one at a time. Override the session
fixture ``csms_emulator_options`` to pass options (flags) to the emulator the plugin
starts. ``@pytest.mark.csms_seed("fixture.json")`` loads a fixture into the test's project.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

import pytest

from .control import EmulatorControl, new_project_id
from .emulator import CsmsEmulator

if TYPE_CHECKING:
    from huaweicloudsdkcsms.v1 import CsmsClient

#: Emulators the ``csms_emulator`` fixture handed out in this process; the per-test
#: isolation looks only at these, so a test that does not use CSMS starts nothing.
_SESSION_EMULATORS: list[EmulatorControl] = []


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("csms", "csms-emulator")
    group.addoption(
        "--csms-endpoint",
        dest="csms_endpoint",
        default=None,
        metavar="URL",
        help="use the csms-emulator that runs at URL (a container, a CI service) "
        "instead of starting one",
    )
    group.addoption(
        "--csms-binary",
        dest="csms_binary",
        default=None,
        metavar="PATH",
        help="start this csms-emulator binary instead of the bundled one",
    )
    parser.addini(
        "csms_endpoint",
        "use the csms-emulator that runs at this URL instead of starting one",
        default="",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "csms_seed(*fixtures): load each fixture (a path, relative to the test file, or a "
        "dict) into the test's csms_project before the test",
    )


@pytest.fixture(scope="session")
def csms_emulator_options() -> dict[str, Any]:
    """Options (flags) for the emulator the plugin starts; override it in a conftest.py
    to return, for example, ``{"auth": "enforce", "credentials": ["AK:SK"]}``."""
    return {}


@pytest.fixture(scope="session")
def csms_emulator(
    request: pytest.FixtureRequest, csms_emulator_options: dict[str, Any]
) -> Iterator[EmulatorControl]:
    """The session's emulator: started on a free port (one per xdist worker), or the
    one at ``--csms-endpoint``."""
    endpoint = request.config.getoption("csms_endpoint") or request.config.getini(
        "csms_endpoint"
    )
    if endpoint:
        # Of the options, those that say how to talk to the emulator still count.
        remote_options: dict[str, Any] = {
            k: v for k, v in csms_emulator_options.items() if k in ("project_id", "control_token")
        }
        credentials = list(csms_emulator_options.get("credentials", ()))
        if credentials:
            first = credentials[0]
            access_key, secret_key = (first.split(":") if isinstance(first, str) else first)[:2]
            remote_options.update(access_key=access_key, secret_key=secret_key)
        remote = EmulatorControl(endpoint, **remote_options)
        if not remote.is_ready():
            pytest.fail(f"no csms-emulator answers at --csms-endpoint {endpoint}", pytrace=False)
        _SESSION_EMULATORS.append(remote)
        try:
            yield remote
        finally:
            _SESSION_EMULATORS.remove(remote)
        return
    options = dict(csms_emulator_options)
    binary = request.config.getoption("csms_binary")
    if binary:
        options["binary"] = binary
    emulator = CsmsEmulator(**options)
    _SESSION_EMULATORS.append(emulator)
    try:
        yield emulator
    finally:
        _SESSION_EMULATORS.remove(emulator)
        emulator.stop()


@pytest.fixture(autouse=True)
def _csms_isolation() -> Iterator[None]:
    """Puts back what a test changed on the session's emulator: the clock, fault rules."""
    for emulator in _SESSION_EMULATORS:
        emulator._begin_test()
    yield
    for emulator in _SESSION_EMULATORS:
        emulator._end_test()


@pytest.fixture
def csms_project(request: pytest.FixtureRequest, csms_emulator: EmulatorControl) -> str:
    """A fresh project id for this test, loaded with its ``csms_seed`` fixtures."""
    project = new_project_id()
    # iter_markers gives the closest first: load the module's and class's before the test's.
    for marker in reversed(list(request.node.iter_markers("csms_seed"))):
        for fixture in marker.args:
            if not isinstance(fixture, dict):
                fixture = _fixture_path(request, fixture)
            csms_emulator.seed(fixture, project_id=project)
    return project


@pytest.fixture
def csms_client(csms_emulator: EmulatorControl, csms_project: str) -> CsmsClient:
    """An official ``huaweicloudsdkcsms`` client bound to ``csms_project``."""
    return csms_emulator.client(project_id=csms_project)


def _fixture_path(request: pytest.FixtureRequest, name: str | os.PathLike[str]) -> Path:
    """A ``csms_seed`` path: as given if absolute, else beside the test file, else from
    the rootdir."""
    path = Path(name)
    if path.is_absolute():
        return path
    beside = Path(str(request.node.path)).parent / path
    if beside.exists():
        return beside
    from_root = Path(str(request.config.rootpath)) / path
    if from_root.exists():
        return from_root
    raise pytest.UsageError(
        f"csms_seed: no fixture {name!s} beside {request.node.path} or in {request.config.rootpath}"
    )
