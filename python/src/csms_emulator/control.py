"""The emulator's control API (``/_emulator/…``) as methods, and SDK clients bound to it.

:class:`EmulatorControl` talks to any running emulator, whoever started it: the process
:class:`~csms_emulator.CsmsEmulator` launches, a container, a CI service. It never starts
or stops one.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Union

if TYPE_CHECKING:
    from huaweicloudsdkcsms.v1 import CsmsClient

#: The project the emulator's IAM lookup answers with unless ``--project-id`` says otherwise.
DEFAULT_PROJECT_ID = "0123456789abcdef0123456789abcdef"

#: The access key pair clients sign with when the emulator was given none (``--auth off``
#: accepts any signature).
PLACEHOLDER_AK = "CSMSEMULATORAK"
PLACEHOLDER_SK = "CSMSEMULATORSK"

#: Control calls go straight to the emulator: an ``HTTP_PROXY`` in the environment (common
#: on CI machines) must not route a loopback call through a proxy.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))

#: A fixture: a ``--seed`` file's path, or the document itself.
Fixture = Union[str, "os.PathLike[str]", Mapping[str, Any]]


class CsmsEmulatorError(Exception):
    """The emulator refused a control call: its HTTP status and CSMS error."""

    def __init__(self, status: int, error_code: str, error_msg: str, *, call: str = "") -> None:
        self.status = status
        self.error_code = error_code
        self.error_msg = error_msg
        where = f"{call}: " if call else ""
        super().__init__(f"{where}{status} {error_code}: {error_msg}")


class CsmsEmulatorUnreachable(ConnectionError):
    """No emulator answered at the endpoint."""


def new_project_id() -> str:
    """A fresh project id (32 hex characters, as real ones are): a namespace of its own."""
    return uuid.uuid4().hex


class EmulatorControl:
    """The control API of an emulator running at ``endpoint``.

    Args:
        endpoint: the emulator's base URL, such as ``http://127.0.0.1:8080``.
        project_id: the project :meth:`client` binds to by default.
        control_token: sent as ``X-Auth-Token`` on control calls, for an emulator in
            ``--auth enforce`` mode started with ``--control-token``.
        access_key, secret_key: what :meth:`client` signs with.
        timeout: seconds a control call may take.
    """

    def __init__(
        self,
        endpoint: str | None = None,
        project_id: str = DEFAULT_PROJECT_ID,
        *,
        control_token: str | None = None,
        access_key: str = PLACEHOLDER_AK,
        secret_key: str = PLACEHOLDER_SK,
        timeout: float = 30.0,
    ) -> None:
        self._endpoint = endpoint.rstrip("/") if endpoint else None
        self.project_id = project_id
        self._control_token = control_token
        self._access_key = access_key
        self._secret_key = secret_key
        self._call_timeout = timeout
        # What a test changed, so a pytest fixture can put it back (see _begin_test).
        self._tracking = False
        self._clock_before: dict[str, Any] | None = None
        self._faults_added: list[int] = []

    @property
    def endpoint(self) -> str:
        """The emulator's base URL (``http://host:port``), for SDK clients' ``with_endpoint``."""
        if self._endpoint is None:
            raise RuntimeError("the emulator has no endpoint yet: it is not running")
        return self._endpoint

    # ----- plumbing -------------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        body: Any = None,
        query: Mapping[str, Any] | None = None,
    ) -> Any:
        """One control call; the decoded JSON answer, or ``None`` for an empty one."""
        url = self.endpoint + path
        if query:
            pairs = {k: _query_value(v) for k, v in query.items() if v is not None}
            if pairs:
                url += "?" + urllib.parse.urlencode(pairs)
        data = None
        headers = {"Accept": "application/json"}
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if self._control_token:
            headers["X-Auth-Token"] = self._control_token
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        call = f"{method} {path}"
        try:
            with _OPENER.open(request, timeout=self._call_timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as err:
            raw = err.read()
            try:
                answer = json.loads(raw)
                code, msg = answer["error_code"], answer["error_msg"]
            except (ValueError, KeyError, TypeError):
                code, msg = "", raw.decode(errors="replace")
            raise CsmsEmulatorError(err.code, code, msg, call=call) from None
        except (urllib.error.URLError, OSError) as err:
            raise CsmsEmulatorUnreachable(f"{call} at {self.endpoint}: {err}") from err
        return json.loads(raw) if raw.strip() else None

    # ----- health ---------------------------------------------------------------------

    def is_healthy(self) -> bool:
        """Whether ``GET /_emulator/health`` answers 200: the process is alive (it does
        from the moment its port is bound, while its state may still be loading)."""
        return self._answers_200("/_emulator/health")

    def is_ready(self) -> bool:
        """Whether ``GET /_emulator/ready`` answers 200: the state is loaded and writes
        are taken."""
        return self._answers_200("/_emulator/ready")

    def _answers_200(self, path: str) -> bool:
        try:
            self._call("GET", path)
        except (CsmsEmulatorError, CsmsEmulatorUnreachable):
            return False
        return True

    # ----- the clock ------------------------------------------------------------------

    def clock(self) -> dict[str, Any]:
        """The clock: ``{"now": epoch ms, "mode": "real"|"frozen", "offset_ms": ms}``."""
        return self._call("GET", "/_emulator/clock")

    def advance_clock(self, seconds: float) -> dict[str, Any]:
        """Moves the clock forward, running on the way everything that falls due
        (scheduled deletions, version expiry, rotation). Returns the clock."""
        self._note_clock_change()
        return self._call("POST", "/_emulator/clock", {"advance": round(seconds * 1000)})

    def set_clock(
        self,
        at: datetime | float | None = None,
        *,
        frozen: bool | None = None,
    ) -> dict[str, Any]:
        """Sets the clock to ``at`` (a datetime, or epoch seconds) and/or freezes it
        (``frozen=True``) or lets it run (``frozen=False``). Moving it forward runs what
        falls due on the way. Returns the clock."""
        if at is None and frozen is None:
            raise ValueError("give at, frozen, or both")
        self._note_clock_change()
        answer: dict[str, Any] = {}
        if frozen is not None:
            answer = self._call(
                "POST", "/_emulator/clock", {"mode": "frozen" if frozen else "real"}
            )
        if at is not None:
            seconds = at.timestamp() if isinstance(at, datetime) else float(at)
            answer = self._call("POST", "/_emulator/clock", {"set": round(seconds * 1000)})
        return answer

    def _note_clock_change(self) -> None:
        if self._tracking and self._clock_before is None:
            self._clock_before = self.clock()

    def _put_clock_back(self, before: Mapping[str, Any]) -> None:
        if before["mode"] == "frozen":
            self._call("POST", "/_emulator/clock", {"mode": "frozen"})
            self._call("POST", "/_emulator/clock", {"set": before["now"]})
        else:
            self._call("POST", "/_emulator/clock", {"mode": "real"})
            self._call("POST", "/_emulator/clock", {"offset_ms": before["offset_ms"]})

    # ----- state ----------------------------------------------------------------------

    def reset(self, project_id: str | None = None) -> None:
        """Empties one project, or every project, atomically."""
        self._call("POST", "/_emulator/reset", query={"project": project_id})

    def seed(self, fixture: Fixture, *, project_id: str | None = None) -> dict[str, Any]:
        """Loads a fixture (a ``--seed`` file's path, or the document as a dict) holding one
        project, in one transaction; with ``project_id``, into that project whatever id
        the fixture gives. Returns ``{"project_id", "secrets", "events"}``."""
        if isinstance(fixture, Mapping):
            document = dict(fixture)
        else:
            document = json.loads(Path(fixture).read_text(encoding="utf-8"))
        return self._call("POST", "/_emulator/seed", document, query={"project": project_id})

    def export(self, project_id: str | None = None, *, values: bool = False) -> dict[str, Any]:
        """The state as a fixture (one project or all); secret values only when asked."""
        return self._call(
            "GET", "/_emulator/export", query={"project": project_id, "values": values or None}
        )

    def set_secret_state(
        self, secret_name: str, state: str, *, project_id: str | None = None
    ) -> dict[str, Any]:
        """Sets a secret's state (``ENABLED``, ``DISABLED``, ``FROZEN``), which no public
        API does. Returns the secret."""
        project = project_id or self.project_id
        path = f"/_emulator/projects/{_segment(project)}/secrets/{_segment(secret_name)}/state"
        return self._call("POST", path, {"state": state})["secret"]

    # ----- the journal ----------------------------------------------------------------

    def journal(self, limit: int | None = None) -> list[dict[str, Any]]:
        """The latest requests, oldest first: operation, project, secret, status, error
        code, latency; never a value or credential."""
        return self._call("GET", "/_emulator/journal", query={"limit": limit})["requests"]

    def clear_journal(self) -> None:
        """Empties the journal."""
        self._call("DELETE", "/_emulator/journal")

    # ----- faults ---------------------------------------------------------------------

    def inject_fault(
        self,
        operation: str = "*",
        *,
        status: int | None = None,
        error_code: str | None = None,
        error_msg: str | None = None,
        latency_ms: int | None = None,
        times: int | None = None,
        probability: float | None = None,
        project_id: str | None = None,
        secret_pattern: str | None = None,
    ) -> int:
        """Makes matching calls fail with ``status``/``error_code`` (or wait
        ``latency_ms``), before any state changes; ``operation`` is an SDK operation name
        such as ``CreateSecret``, or ``*``. Returns the rule's id."""
        spec = {
            "operation": operation,
            "status": status,
            "error_code": error_code,
            "error_msg": error_msg,
            "latency_ms": latency_ms,
            "times": times,
            "probability": probability,
            "project": project_id,
            "secret_pattern": secret_pattern,
        }
        rule = self._call("POST", "/_emulator/faults", {k: v for k, v in spec.items() if v is not None})
        if self._tracking:
            self._faults_added.append(rule["id"])
        return int(rule["id"])

    def faults(self) -> list[dict[str, Any]]:
        """The fault rules in force."""
        return self._call("GET", "/_emulator/faults")["faults"]

    def remove_fault(self, fault_id: int) -> None:
        """Removes one fault rule."""
        self._call("DELETE", f"/_emulator/faults/{int(fault_id)}")

    def clear_faults(self) -> None:
        """Removes every fault rule."""
        self._call("DELETE", "/_emulator/faults")

    # ----- what a test changed (used by the pytest plugin) -----------------------------

    def _begin_test(self) -> None:
        """Starts recording the clock and fault changes made through this object."""
        self._tracking = True
        self._clock_before = None
        self._faults_added = []

    def _end_test(self) -> None:
        """Puts back the clock as it was before the test changed it, and removes the
        fault rules the test added. Costs no call when the test changed neither."""
        before, added = self._clock_before, self._faults_added
        self._clock_before, self._faults_added = None, []
        try:
            if before is not None:
                self._put_clock_back(before)
        finally:
            for fault_id in added:
                try:
                    self.remove_fault(fault_id)
                except CsmsEmulatorError as err:
                    if err.status != 404:  # a rule limited to N calls may have ended itself
                        raise

    # ----- clients --------------------------------------------------------------------

    def client(self, project_id: str | None = None) -> CsmsClient:
        """An official ``huaweicloudsdkcsms`` client for this emulator, bound to
        ``project_id`` (default: :attr:`project_id`). Needs ``pip install
        csms-emulator[sdk]``."""
        try:
            from huaweicloudsdkcore.auth.credentials import BasicCredentials
            from huaweicloudsdkcsms.v1 import CsmsClient
        except ImportError as err:
            raise ImportError(
                "client() needs the Huawei Cloud SDK: pip install 'csms-emulator[sdk]'"
            ) from err
        credentials = BasicCredentials(
            self._access_key, self._secret_key, project_id or self.project_id
        )
        return (
            CsmsClient.new_builder()
            .with_credentials(credentials)
            .with_endpoint(self.endpoint)
            .build()
        )

    def new_project_id(self) -> str:
        """A fresh project id: a namespace of its own on this emulator."""
        return new_project_id()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(endpoint={self._endpoint!r})"


def _segment(value: str) -> str:
    return urllib.parse.quote(value, safe="")


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)

