"""Tests of the installed csms_emulator package (run from a venv holding only the wheel,
pytest, pytest-xdist and the SDK; `scripts/release.sh test` sets that up)."""

import pytest

pytest_plugins = ["pytester"]


@pytest.fixture
def emulator():
    """An emulator of the test's own, apart from the plugin's session one."""
    from csms_emulator import CsmsEmulator

    with CsmsEmulator() as started:
        yield started
