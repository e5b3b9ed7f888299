"""The pytest plugin, run as users run it: test files in a pytest subprocess (pytester)."""

import json
import os
import textwrap

from csms_emulator import CsmsEmulator, find_binary

SDK_IMPORTS = """
from huaweicloudsdkcsms.v1 import (
    CreateSecretRequest, CreateSecretRequestBody, ShowSecretVersionRequest,
)

def create(client, name, value="v"):
    body = CreateSecretRequestBody(name=name, secret_string=value)
    return client.create_secret(CreateSecretRequest(body=body)).secret

def read(client, name):
    request = ShowSecretVersionRequest(secret_name=name, version_id="latest")
    return client.show_secret_version(request).version.secret_string
"""


def run(pytester, source, *args):
    pytester.makepyfile(test_it=SDK_IMPORTS + textwrap.dedent(source))
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", *args)


def test_two_tests_create_a_secret_of_the_same_name_in_their_own_projects(pytester):
    result = run(
        pytester,
        """
        import re

        def test_one(csms_client, csms_project):
            assert re.fullmatch("[0-9a-f]{32}", csms_project)
            create(csms_client, "db-password", "one")
            assert read(csms_client, "db-password") == "one"

        def test_two(csms_client, csms_emulator, csms_project):
            create(csms_client, "db-password", "two")
            assert read(csms_client, "db-password") == "two"
            secrets = csms_emulator.export(csms_project)["projects"][0]["secrets"]
            assert [s["name"] for s in secrets] == ["db-password"]
        """,
    )
    result.assert_outcomes(passed=2)


def test_a_test_that_moves_the_clock_or_injects_faults_leaves_no_trace(pytester):
    result = run(
        pytester,
        """
        from datetime import datetime, timezone

        def test_moves_the_clock_and_injects(csms_emulator, csms_client):
            csms_emulator.advance_clock(86400)
            csms_emulator.set_clock(datetime(2031, 1, 1, tzinfo=timezone.utc), frozen=True)
            csms_emulator.inject_fault("CreateSecret", status=500, error_code="CSMS.0001")
            assert csms_emulator.clock()["mode"] == "frozen"

        def test_sees_the_clock_and_no_fault(csms_emulator, csms_client):
            clock = csms_emulator.clock()
            assert (clock["mode"], clock["offset_ms"]) == ("real", 0)
            assert csms_emulator.faults() == []
            create(csms_client, "works")
        """,
    )
    result.assert_outcomes(passed=2)


def test_a_frozen_clock_set_up_for_the_session_is_kept(pytester):
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture(scope="session", autouse=True)
        def frozen_for_everyone(csms_emulator):
            csms_emulator.set_clock(1_900_000_000, frozen=True)
        """
    )
    result = run(
        pytester,
        """
        def test_first(csms_emulator):
            csms_emulator.advance_clock(60)

        def test_second(csms_emulator):
            clock = csms_emulator.clock()
            assert (clock["mode"], clock["now"]) == ("frozen", 1_900_000_000_000)
        """,
    )
    result.assert_outcomes(passed=2)


def test_the_seed_mark_loads_fixtures_into_the_tests_project(pytester):
    fixture = {"projects": [{"id": "written-for-elsewhere", "secrets": [
        {"name": "from-file", "versions": [{"secret_string": "file-value"}]}]}]}
    pytester.path.joinpath("fixtures.json").write_text(json.dumps(fixture))
    result = run(
        pytester,
        """
        import pytest

        pytestmark = pytest.mark.csms_seed("fixtures.json")

        INLINE = {"projects": [{"id": "x", "secrets": [
            {"name": "inline", "versions": [{"secret_string": "inline-value"}]}]}]}

        @pytest.mark.csms_seed(INLINE)
        def test_both_are_loaded(csms_client):
            assert read(csms_client, "from-file") == "file-value"
            assert read(csms_client, "inline") == "inline-value"

        def test_the_module_mark_alone(csms_client, csms_emulator, csms_project):
            assert read(csms_client, "from-file") == "file-value"
            names = [s["name"] for s in csms_emulator.export(csms_project)["projects"][0]["secrets"]]
            assert names == ["from-file"]
        """,
    )
    result.assert_outcomes(passed=2)


def test_a_seed_mark_naming_a_missing_file_fails_the_test_with_the_name(pytester):
    result = run(
        pytester,
        """
        import pytest

        @pytest.mark.csms_seed("no-such-fixture.json")
        def test_seeded(csms_project):
            pass
        """,
    )
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*no-such-fixture.json*"])


def test_csms_endpoint_uses_a_running_emulator_instead_of_starting_one(pytester, emulator):
    source = """
        def test_uses_it(csms_emulator, csms_client, csms_project):
            create(csms_client, "made-inside")
            with open("seen.txt", "w") as out:
                out.write(csms_emulator.endpoint + " " + csms_project)
        """
    result = run(pytester, source, f"--csms-endpoint={emulator.endpoint}")
    result.assert_outcomes(passed=1)
    endpoint, project = pytester.path.joinpath("seen.txt").read_text().split()
    assert endpoint == emulator.endpoint
    assert emulator.export(project)["projects"][0]["secrets"][0]["name"] == "made-inside"


def test_the_ini_value_csms_endpoint_does_the_same(pytester, emulator):
    pytester.makeini(f"[pytest]\ncsms_endpoint = {emulator.endpoint}\n")
    result = run(
        pytester,
        """
        def test_uses_it(csms_emulator):
            assert not hasattr(csms_emulator, "pid")
        """,
    )
    result.assert_outcomes(passed=1)


def test_an_endpoint_where_nothing_answers_fails_clearly(pytester):
    result = run(
        pytester,
        """
        def test_uses_it(csms_emulator):
            pass
        """,
        "--csms-endpoint=http://127.0.0.1:9",
    )
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*no csms-emulator answers at --csms-endpoint http://127.0.0.1:9*"])


def write_wrapper(directory, marker):
    wrapper = directory / "wrapped-emulator"
    wrapper.write_text(f'#!/bin/sh\necho started >> {marker}\nexec {find_binary()} "$@"\n')
    wrapper.chmod(0o755)
    return wrapper


def test_csms_binary_chooses_the_binary_and_tests_without_csms_start_nothing(pytester, tmp_path):
    marker = tmp_path / "starts"
    wrapper = write_wrapper(tmp_path, marker)
    result = run(
        pytester,
        """
        def test_plain():
            assert 1 + 1 == 2
        """,
        f"--csms-binary={wrapper}",
    )
    result.assert_outcomes(passed=1)
    assert not marker.exists(), "a test without CSMS fixtures started an emulator"
    result = run(
        pytester,
        """
        def test_uses(csms_emulator):
            assert csms_emulator.is_healthy()

        def test_uses_again(csms_emulator):
            assert csms_emulator.is_healthy()
        """,
        f"--csms-binary={wrapper}",
    )
    result.assert_outcomes(passed=2)
    assert marker.read_text().splitlines() == ["started"], "one emulator per session"


def test_each_xdist_worker_gets_its_own_emulator(pytester, tmp_path):
    marker = tmp_path / "starts"
    wrapper = write_wrapper(tmp_path, marker)
    result = run(
        pytester,
        """
        import os
        import pytest

        @pytest.mark.parametrize("n", range(8))
        def test_worker(csms_emulator, csms_client, n):
            create(csms_client, "same-name")
            with open(f"seen-{os.environ['PYTEST_XDIST_WORKER']}-{n}", "w") as out:
                out.write(csms_emulator.endpoint)
        """,
        "-n",
        "2",
        f"--csms-binary={wrapper}",
    )
    result.assert_outcomes(passed=8)
    seen = {}
    for path in pytester.path.glob("seen-*"):
        worker = path.name.split("-")[1]
        seen.setdefault(worker, set()).add(path.read_text())
    assert set(seen) == {"gw0", "gw1"}
    assert all(len(endpoints) == 1 for endpoints in seen.values())
    assert seen["gw0"] != seen["gw1"]
    assert len(marker.read_text().splitlines()) == 2


def test_options_for_the_emulator_come_from_an_overridable_fixture(pytester):
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture(scope="session")
        def csms_emulator_options():
            return {"project_id": "abcdefabcdefabcdefabcdefabcdefab", "journal_size": 0}
        """
    )
    result = run(
        pytester,
        """
        def test_options(csms_emulator, csms_client):
            assert csms_emulator.project_id == "abcdefabcdefabcdefabcdefabcdefab"
            create(csms_client, "unjournaled")
            assert csms_emulator.journal() == []
        """,
    )
    result.assert_outcomes(passed=1)


def test_the_emulator_stops_when_the_session_ends(pytester):
    result = run(
        pytester,
        """
        def test_records_pid(csms_emulator):
            with open("pid.txt", "w") as out:
                out.write(str(csms_emulator.pid))
        """,
    )
    result.assert_outcomes(passed=1)
    pid = int(pytester.path.joinpath("pid.txt").read_text())
    try:
        os.kill(pid, 0)
        alive = open(f"/proc/{pid}/stat").read().split(")")[-1].split()[0] != "Z"
    except (ProcessLookupError, OSError):
        alive = False
    assert not alive
