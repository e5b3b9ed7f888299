"""The application's database settings, read from a CSMS secret holding
``{"username", "password", "host", "port", "database"}`` as JSON."""

from __future__ import annotations

import json
import os
from urllib.parse import quote

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException, ServerResponseException
from huaweicloudsdkcsms.v1 import CsmsClient, ShowSecretVersionRequest

DEFAULT_SECRET = "myapp-database"


class SecretUnavailable(RuntimeError):
    """The database secret cannot be read."""


def client_from_environment() -> CsmsClient:
    """The client production code uses: endpoint and credentials from the environment."""
    credentials = BasicCredentials(
        os.environ["HUAWEICLOUD_SDK_AK"],
        os.environ["HUAWEICLOUD_SDK_SK"],
        os.environ["HUAWEICLOUD_SDK_PROJECT_ID"],
    )
    return (
        CsmsClient.new_builder()
        .with_credentials(credentials)
        .with_endpoint(os.environ["CSMS_ENDPOINT"])
        .build()
    )


def database_url(client: CsmsClient, secret_name: str = DEFAULT_SECRET, attempts: int = 2) -> str:
    """``postgresql://user:password@host:port/database`` from the secret's current
    version. A server error is tried again, up to ``attempts`` times in all."""
    request = ShowSecretVersionRequest(secret_name=secret_name, version_id="latest")
    for attempt in range(1, attempts + 1):
        try:
            version = client.show_secret_version(request).version
            break
        except ServerResponseException as err:
            if attempt == attempts:
                raise SecretUnavailable(f"{secret_name}: {err.error_msg}") from err
        except ClientRequestException as err:
            raise SecretUnavailable(f"{secret_name}: {err.error_code} {err.error_msg}") from err
    try:
        settings = json.loads(version.secret_string)
        user, password = settings["username"], settings["password"]
        host, database = settings["host"], settings["database"]
    except (TypeError, ValueError, KeyError) as err:
        raise SecretUnavailable(f"{secret_name}: not a database secret ({err})") from err
    port = settings.get("port", 5432)
    return f"postgresql://{quote(user, safe='')}:{quote(password, safe='')}@{host}:{port}/{database}"
