#!/usr/bin/env bash
# Builds and tests the container image here, pulling nothing from any registry.
#   scripts/container.sh build   builds localhost/csms-emulator:dev from the Dockerfile's own
#                                final stage, with a static binary built on this host
#   scripts/container.sh test    runs it: health, uid, the SDK suite, a restart on a volume,
#                                a clean stop on SIGTERM; prints image size and start time
# Installs podman, runc, musl-tools and the musl Rust target when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE=localhost/csms-emulator:dev
TARGET=x86_64-unknown-linux-musl
NAME=csms-emulator-test
VOLUME=csms-emulator-test-data
PORT=${CSMS_CONTAINER_PORT:-18080}
MAX_IMAGE_BYTES=$((20 * 1000 * 1000))
# This sandbox forbids raising rlimits, and podman's default runtime (crun) is not here.
RUN_FLAGS=(--runtime runc --ulimit nofile=1024:1024 --ulimit nproc=1024:1024)

# Seconds from $1 to $2 (both `date +%s.%N`).
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
log() { printf '== %s\n' "$*"; }
fail() { printf 'FAILED: %s\n' "$*" >&2; exit 1; }

need_tools() {
    local missing=()
    command -v podman > /dev/null || missing+=(podman)
    command -v runc > /dev/null || missing+=(runc)
    command -v musl-gcc > /dev/null || missing+=(musl-tools)
    if ((${#missing[@]})); then
        log "installing ${missing[*]}"
        local sudo=()
        [ "$(id -u)" = 0 ] || sudo=(sudo)
        "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}" > /dev/null \
            || { "${sudo[@]}" apt-get update > /dev/null && "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}" > /dev/null; }
    fi
    if ! rustup target list --installed | grep -qx "$TARGET"; then
        log "adding the Rust target $TARGET"
        rustup target add "$TARGET"
    fi
}

build() {
    need_tools
    log "building a static binary ($TARGET)"
    cargo build --profile dist --locked --target "$TARGET" --bin csms-emulator
    rm -rf target/container
    mkdir -p target/container/data
    cp "${CARGO_TARGET_DIR:-target}/$TARGET/dist/csms-emulator" target/container/csms-emulator
    log "building $IMAGE (the Dockerfile's final stage, binary from this host)"
    podman build --format docker --runtime runc --build-arg BINARY=host \
        --build-arg VERSION="$(cargo pkgid | sed 's/.*[#@]//')" -t "$IMAGE" .
}

cleanup() {
    podman rm -f "$NAME" > /dev/null 2>&1 || true
}

# Waits until podman reports the container healthy; prints the seconds it took.
wait_healthy() {
    local started=$1 deadline=$((SECONDS + 30))
    while ((SECONDS < deadline)); do
        # podman runs HEALTHCHECK on a systemd timer, which this sandbox lacks: run it here.
        if podman healthcheck run "$NAME" > /dev/null 2>&1; then
            local now
            now=$(date +%s.%N)
            elapsed "$started" "$now"
            return 0
        fi
        sleep 0.05
    done
    podman logs "$NAME" >&2 || true
    fail "the container did not become healthy within 30 s"
}

start() {
    local started
    started=$(date +%s.%N)
    # podman's complaint that it cannot reach systemd (for health timers) is kept out of
    # the output unless the start fails.
    podman run -d --name "$NAME" "${RUN_FLAGS[@]}" -p "127.0.0.1:$PORT:8080" "$@" "$IMAGE" \
        > /dev/null 2> /tmp/csms-container-run.log || { cat /tmp/csms-container-run.log >&2; fail "podman run"; }
    wait_healthy "$started"
}

test_image() {
    need_tools
    podman image exists "$IMAGE" || fail "no image $IMAGE: run scripts/container.sh build first"
    trap cleanup EXIT
    cleanup
    podman volume rm -f "$VOLUME" > /dev/null 2>&1 || true

    local size
    size=$(podman image inspect "$IMAGE" --format '{{.Size}}')
    ((size <= MAX_IMAGE_BYTES)) || fail "the image is $size bytes, over $MAX_IMAGE_BYTES"

    log "starting in memory"
    local healthy_after
    healthy_after=$(start)
    local uid
    uid=$(podman inspect "$NAME" --format '{{.Config.User}}')
    [ "${uid%%:*}" = 10001 ] || fail "the image runs as '$uid', not 10001"
    local process_uid
    process_uid=$(podman top "$NAME" huser 2>/dev/null | tail -1 | tr -d ' ' || true)
    [ -z "$process_uid" ] || [ "$process_uid" = 10001 ] || fail "the process runs as uid $process_uid"

    log "the SDK suite against the container"
    [ -x .venv-e2e/bin/python ] || fail "no .venv-e2e: run cargo test once (it creates it)"
    CSMS_ENDPOINT="http://127.0.0.1:$PORT" .venv-e2e/bin/python -m pytest -q \
        e2e/test_core_sdk.py e2e/test_full_sdk.py e2e/test_control.py
    cleanup

    log "state on a named volume survives a restart"
    start -v "$VOLUME:/data" -e CSMS_DATA_DIR=/data > /dev/null
    local base="http://127.0.0.1:$PORT/v1/0123456789abcdef0123456789abcdef/secrets"
    curl -fsS -H 'Content-Type: application/json' \
        -d '{"name":"survives-restart","secret_string":"kept"}' "$base" > /dev/null
    podman stop -t 5 "$NAME" > /dev/null 2>&1
    cleanup
    start -v "$VOLUME:/data" -e CSMS_DATA_DIR=/data > /dev/null
    curl -fsS "$base/survives-restart/versions/latest" | grep -q '"secret_string":"kept"' \
        || fail "the secret did not survive the restart"

    log "SIGTERM stops it cleanly within 2 s"
    local before after
    before=$(date +%s.%N)
    podman kill --signal TERM "$NAME" > /dev/null
    podman wait "$NAME" > /tmp/csms-container-exit 2>&1 || true
    after=$(date +%s.%N)
    local code took
    code=$(tr -d '[:space:]' < /tmp/csms-container-exit)
    took=$(elapsed "$before" "$after")
    [ "$code" = 0 ] || fail "exit status $code after SIGTERM"
    awk -v t="$took" 'BEGIN { exit !(t < 2) }' || fail "stopping took $took s"
    cleanup
    podman volume rm -f "$VOLUME" > /dev/null 2>&1 || true

    log "results"
    printf 'image size: %s bytes (%s MB)\n' "$size" "$(awk -v s="$size" 'BEGIN { printf "%.1f", s / 1e6 }')"
    printf 'start to healthy: %.2f s\n' "$healthy_after"
    printf 'stop on SIGTERM: %.2f s, exit status %s\n' "$took" "$code"
}

case "${1:-}" in
    build) build ;;
    test) test_image ;;
    *) echo "usage: $0 build|test" >&2; exit 2 ;;
esac
