"""The web console in a real browser (headless Chromium, selenium) against the real binary.

It sees the seeded project and secrets, reveals a value, moves SYSCURRENT (the SDK sees
`latest` change), schedules a deletion and advances the clock past it, adds a fault rule
the SDK then meets, finds the SDK's calls in the journal, and checks that the browser
logged no errors. Each page is saved under target/ui-screenshots/.
"""

import json
import os
import pathlib
import shutil

import pytest
from huaweicloudsdkcore.exceptions.exceptions import ServiceResponseException
from huaweicloudsdkcsms.v1 import ListSecretsRequest, ShowSecretVersionRequest
from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import PROJECT_ID, Emulator

ROOT = pathlib.Path(__file__).resolve().parents[2]
SHOTS = ROOT / "target" / "ui-screenshots"
# Generous: a busy 2-core machine must not fail these waits; none is a timing assertion.
WAIT = 30

SEED = {
    "format": 1,
    "projects": [
        {
            "id": PROJECT_ID,
            "events": [],
            "secrets": [
                {
                    "name": "app-db-password",
                    "tags": {"env": "test"},
                    "versions": [{"secret_string": "first-value"}, {"secret_string": "second-value"}],
                },
                {"name": "api-key", "versions": [{"secret_string": "k-123"}]},
                {"name": "doomed", "versions": [{"secret_string": "bye"}]},
            ],
        }
    ],
}


@pytest.fixture(scope="module")
def emulator(tmp_path_factory):
    seed = tmp_path_factory.mktemp("seed") / "seed.json"
    seed.write_text(json.dumps(SEED))
    emulator = Emulator(os.environ["CSMS_BIN"], "--seed", str(seed))
    yield emulator
    emulator.stop()


@pytest.fixture(scope="module")
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = webdriver.ChromeService(executable_path=shutil.which("chromedriver") or "/usr/bin/chromedriver")
    driver = webdriver.Chrome(options=options, service=service)
    SHOTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()


def wait_for(browser, selector):
    return WebDriverWait(browser, WAIT).until(EC.presence_of_element_located((By.CSS_SELECTOR, selector)))


def click(browser, selector):
    """Clicks the element once it is there; the page re-renders after each action, so the
    element is looked up again until a click lands."""

    def landed(b):
        try:
            b.find_element(By.CSS_SELECTOR, selector).click()
            return True
        except (StaleElementReferenceException, NoSuchElementException):
            return False

    WebDriverWait(browser, WAIT).until(landed)


def wait_text(browser, selector, text):
    WebDriverWait(browser, WAIT).until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, selector), text))


def shot(browser, name):
    browser.save_screenshot(str(SHOTS / f"{name}.png"))


def test_the_console_drives_the_emulator(emulator, browser):
    client = emulator.client()

    # 1. a browser at / lands on the console and sees the seeded project and secrets
    browser.get(emulator.endpoint + "/")
    wait_for(browser, "[data-testid=project-link]")
    assert browser.current_url.endswith("/_emulator/ui/")
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=project-link]").text == PROJECT_ID
    shot(browser, "1-projects")
    click(browser, "[data-testid=project-link]")
    wait_for(browser, "[data-testid=secret-link]")
    names = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "[data-testid=secret-link]")]
    assert names == ["api-key", "app-db-password", "doomed"]
    shot(browser, "2-secrets")
    # the name filter narrows the list
    field = browser.find_element(By.CSS_SELECTOR, "[data-testid=filter-name]")
    field.send_keys("app")
    field.submit()
    WebDriverWait(browser, WAIT).until(lambda b: len(b.find_elements(By.CSS_SELECTOR, "[data-testid=secret-link]")) == 1)

    # 2. a secret's page shows no value until one is revealed
    click(browser, "[data-testid=secret-link]")
    wait_for(browser, "[data-testid=reveal-v1]")
    assert "first-value" not in browser.page_source
    click(browser, "[data-testid=reveal-v1]")
    wait_text(browser, "[data-testid=value-v1]", "first-value")
    shot(browser, "3-secret")

    # 3. moving SYSCURRENT in the UI changes what the SDK reads as latest
    assert client.show_secret_version(ShowSecretVersionRequest(secret_name="app-db-password", version_id="latest")).version.secret_string == "second-value"
    Select(browser.find_element(By.CSS_SELECTOR, "[data-testid=stage-version]")).select_by_value("v1")
    click(browser, "[data-testid=move-stage]")
    wait_text(browser, "[data-testid=stages-v1]", "SYSCURRENT")
    latest = client.show_secret_version(ShowSecretVersionRequest(secret_name="app-db-password", version_id="latest"))
    assert latest.version.secret_string == "first-value"

    # 4. schedule a deletion, advance the clock 8 days in the UI: the secret is gone
    browser.get(emulator.endpoint + "/_emulator/ui/#/p/" + PROJECT_ID + "/s/doomed")
    click(browser, "[data-testid=schedule-deletion]")
    wait_for(browser, "[data-testid=restore]")
    browser.get(emulator.endpoint + "/_emulator/ui/#/clock")
    advance = wait_for(browser, "[data-testid=advance-by]")
    advance.clear()
    advance.send_keys("8d")
    click(browser, "[data-testid=advance]")
    wait_text(browser, "#notice", "due work ran for 1")
    shot(browser, "4-clock")
    listed = client.list_secrets(ListSecretsRequest()).secrets
    assert "doomed" not in [s.name for s in listed]
    browser.get(emulator.endpoint + "/_emulator/ui/#/p/" + PROJECT_ID)
    wait_for(browser, "[data-testid=secret-link]")
    names = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "[data-testid=secret-link]")]
    assert "doomed" not in names

    # 5. a fault rule added in the UI reaches the SDK
    browser.get(emulator.endpoint + "/_emulator/ui/#/faults")
    operation = wait_for(browser, "[data-testid=fault-operation]")
    operation.clear()
    operation.send_keys("ShowSecretVersion")
    times = browser.find_element(By.CSS_SELECTOR, "[data-testid=fault-times]")
    times.send_keys("1")
    click(browser, "[data-testid=add-fault]")
    wait_for(browser, "[data-testid=fault-row]")
    shot(browser, "5-faults")
    with pytest.raises(ServiceResponseException) as failed:
        client.show_secret_version(ShowSecretVersionRequest(secret_name="api-key", version_id="latest"))
    assert failed.value.status_code == 500 and failed.value.error_code == "CSMS.0001"

    # 6. the journal shows the SDK's calls, with their status and error code
    browser.get(emulator.endpoint + "/_emulator/ui/#/journal")
    wait_text(browser, "[data-testid=journal]", "ShowSecretVersion")
    wait_text(browser, "[data-testid=journal]", "CSMS.0001")
    wait_text(browser, "[data-testid=journal]", "ListSecrets")
    shot(browser, "6-journal")
    browser.get(emulator.endpoint + "/_emulator/ui/#/state")
    wait_for(browser, "[data-testid=reset]")
    shot(browser, "7-state")
    for tab in ["events", "records", "tasks"]:
        browser.get(emulator.endpoint + f"/_emulator/ui/#/p/{PROJECT_ID}/{tab}")
        wait_for(browser, f"[data-testid={tab}]")
        shot(browser, f"7-{tab}")

    # an SMN subscription added in the UI is listed
    browser.get(emulator.endpoint + "/_emulator/ui/#/smn")
    wait_for(browser, "[data-testid=smn-topic]").send_keys("urn:smn:cn-north-4:" + PROJECT_ID + ":console")
    browser.find_element(By.CSS_SELECTOR, "[data-testid=smn-endpoint]").send_keys("http://127.0.0.1:9/hook")
    click(browser, "[data-testid=add-subscription]")
    wait_text(browser, "[data-testid=subscriptions]", "console")
    wait_for(browser, "[data-testid=deliveries]")
    shot(browser, "7-smn")

    # the narrow layout renders too
    browser.set_window_size(390, 844)
    browser.get(emulator.endpoint + "/_emulator/ui/#/p/" + PROJECT_ID + "/s/app-db-password")
    wait_for(browser, "[data-testid=reveal-v1]")
    shot(browser, "8-secret-390px")

    # 7. the browser logged no errors
    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == [], errors
