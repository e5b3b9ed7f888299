"""The csms-emulator container image as a testcontainers module:
:class:`CsmsEmulatorContainer` (needs ``pip install 'csms-emulator[testcontainers]'``).

::

    with CsmsEmulatorContainer("ghcr.io/csms-emulator/csms-emulator:latest") as csms:
        client = csms.client()
        csms.advance_clock(3600)
"""

from __future__ import annotations

import time
from typing import Any, Iterable, Sequence

from testcontainers.core.container import DockerContainer

from .control import DEFAULT_PROJECT_ID, PLACEHOLDER_AK, PLACEHOLDER_SK, EmulatorControl
from .emulator import _credential

#: The image the release workflow publishes.
DEFAULT_IMAGE = "ghcr.io/csms-emulator/csms-emulator:latest"

#: The port the image serves HTTP on.
CONTAINER_PORT = 8080


class CsmsEmulatorContainer(DockerContainer, EmulatorControl):
    """A csms-emulator container, started once its ``/_emulator/ready`` answers 200 (the
    state loaded, as from a volume).

    It has the control API's methods (:class:`~csms_emulator.EmulatorControl`),
    :attr:`endpoint` and :meth:`client`. Options become the image's environment variables
    (every flag has one): ``auth`` → ``CSMS_AUTH``, ``credentials`` →
    ``CSMS_CREDENTIALS``, ``control_token`` → ``CSMS_CONTROL_TOKEN``, ``project_id`` →
    ``CSMS_PROJECT_ID``; set others with ``with_env``.
    """

    def __init__(
        self,
        image: str = DEFAULT_IMAGE,
        *,
        auth: str | None = None,
        credentials: Iterable[str | Sequence[str]] = (),
        control_token: str | None = None,
        project_id: str | None = None,
        startup_timeout: float = 30.0,
        **kwargs: Any,
    ) -> None:
        DockerContainer.__init__(self, image, **kwargs)
        credential_list = [_credential(c) for c in credentials]
        access_key, secret_key = PLACEHOLDER_AK, PLACEHOLDER_SK
        if credential_list:
            access_key, secret_key = credential_list[0].split(":")[:2]
        EmulatorControl.__init__(
            self,
            None,
            project_id or DEFAULT_PROJECT_ID,
            control_token=control_token,
            access_key=access_key,
            secret_key=secret_key,
        )
        self._startup_timeout = startup_timeout
        self.with_exposed_ports(CONTAINER_PORT)
        for name, value in (
            ("CSMS_AUTH", auth),
            ("CSMS_CREDENTIALS", ",".join(credential_list) or None),
            ("CSMS_CONTROL_TOKEN", control_token),
            ("CSMS_PROJECT_ID", project_id),
        ):
            if value is not None:
                self.with_env(name, value)

    def start(self) -> CsmsEmulatorContainer:
        """Starts the container and waits until the emulator is ready."""
        DockerContainer.start(self)
        host = self.get_container_host_ip()
        port = self.get_exposed_port(CONTAINER_PORT)
        self._endpoint = f"http://{host}:{port}"
        deadline = time.monotonic() + self._startup_timeout
        while not self.is_ready():
            container = self.get_wrapped_container()
            container.reload()
            if container.status in ("exited", "dead") or time.monotonic() > deadline:
                logs = b"".join(part for part in self.get_logs() if part).decode(errors="replace")
                raise RuntimeError(
                    f"csms-emulator container {container.short_id} is {container.status}, "
                    f"not ready at {self._endpoint}; its log:\n{logs}"
                )
            time.sleep(0.05)
        return self
