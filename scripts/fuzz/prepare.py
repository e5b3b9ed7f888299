"""Data for scripts/fuzz.sh, written into its work directory.

  prepare.py seed DIR             seed.json (loaded with --seed) and the name dictionaries
  prepare.py blobs DIR URL TOKEN  backs up the fuzz-blob-N secrets, deletes them, and
                                  writes their blobs, each restorable once, to blobs.dict

Each group of secrets serves the operations that need it in one state: `fuzz-N` stay
enabled for the reads and writes, `fuzz-state-N` have their state set, `fuzz-sched-N`
are there to be scheduled for deletion, `fuzz-pending-N` to have their deletion
cancelled, `fuzz-doomed-N` to be deleted. No secret subscribes to the events
`fuzz-loose-event-N`, which can be deleted; the stages `fuzz-stage-N` can be removed.
"""

import json
import sys
import urllib.request
import uuid
from pathlib import Path

PROJECT = "fuzz"
GROUPS = {"fuzz": 10, "fuzz-blob": 10, "fuzz-state": 20, "fuzz-sched": 100, "fuzz-pending": 100, "fuzz-doomed": 100}


def secret_id(name):
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"csms-emulator-fuzz/{name}"))


def names(group):
    return [f"{group}-{i}" for i in range(GROUPS[group])]


def secret(name):
    record = {
        "id": secret_id(name),
        "name": name,
        "tags": {"env": "prod", "team": "fuzz"},
        "versions": [{"secret_string": "seeded-1"}, {"secret_string": "seeded-2"}],
        "stages": [
            {"name": "SYSCURRENT", "version": 2, "update_time": "now"},
            {"name": "SYSPREVIOUS", "version": 1, "update_time": "now"},
            {"name": "fuzz-stage", "version": 1, "update_time": "now"},
            *({"name": f"fuzz-stage-{i}", "version": 1, "update_time": "now"} for i in range(8)),
        ],
    }
    if name.startswith("fuzz-pending-"):
        record["state"] = "PENDING_DELETE"
        record["scheduled_delete_time"] = "now+30d"
    elif not name.startswith("fuzz-blob-"):
        record["event_subscriptions"] = ["fuzz-event"]
    return record


def event(name):
    return {
        "name": name,
        "id": secret_id(f"event/{name}"),
        "types": ["VersionCreated", "Deleted"],
        "state": "Enabled",
        "notification": {
            "target_type": "SMN",
            "target_id": f"urn:smn:cn-north-4:{PROJECT}:fuzz-topic",
            "target_name": "fuzz-topic",
        },
        "create_time": "now",
        "update_time": "now",
    }


def dictionary(path, values):
    """A libFuzzer-style dictionary: one quoted value a line."""
    path.write_text("".join(json.dumps(v) + "\n" for v in values))


def seed(out):
    secrets = [secret(n) for group in GROUPS for n in names(group)]
    loose = [f"fuzz-loose-event-{i}" for i in range(50)]
    events = [event(n) for n in ["fuzz-event", "fuzz-event-2", *loose]]
    fixture = {"format": 1, "projects": [{"id": PROJECT, "secrets": secrets, "events": events}]}
    (out / "seed.json").write_text(json.dumps(fixture))
    dictionary(out / "secret_names.dict", names("fuzz"))
    dictionary(out / "secret_ids.dict", [secret_id(n) for n in names("fuzz")])
    dictionary(out / "loose_events.dict", loose)
    for group in ["fuzz-state", "fuzz-sched", "fuzz-pending", "fuzz-doomed"]:
        dictionary(out / f"{group.removeprefix('fuzz-')}.dict", names(group))


def blobs(out, url, token):
    def call(method, path):
        request = urllib.request.Request(f"{url}/v1/{PROJECT}/secrets/{path}", method=method)
        request.add_header("X-Auth-Token", token)
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.read()

    found = []
    for name in names("fuzz-blob"):
        found.append(json.loads(call("POST", f"{name}/backup"))["secret_blob"])
        call("DELETE", name)
    dictionary(out / "blobs.dict", found)


if __name__ == "__main__":
    command, out = sys.argv[1], Path(sys.argv[2])
    if command == "seed":
        seed(out)
    else:
        blobs(out, sys.argv[3], sys.argv[4])
