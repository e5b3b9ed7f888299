#!/usr/bin/env bash
# Builds and tests the container image here, pulling nothing from any registry.
#   scripts/container.sh build   builds the image for linux/amd64 and linux/arm64 from the
#                                Dockerfile's own final stage and the static binaries that
#                                scripts/release.sh built and tested (dist/*.tar.gz; no
#                                second compile), as localhost/csms-emulator:dev-amd64 and
#                                :dev-arm64, the manifest list localhost/csms-emulator:VERSION,
#                                and :dev for the amd64 image
#   scripts/container.sh test    runs the amd64 image: health, uid, the SDK suite, a restart
#                                on a volume, a clean stop on SIGTERM; checks the arm64
#                                image's binary under qemu; prints image size and start time
# Installs podman and runc when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE=localhost/csms-emulator:dev
NAME=csms-emulator-test
VOLUME=csms-emulator-test-data
PORT=${CSMS_CONTAINER_PORT:-18080}
MAX_IMAGE_BYTES=$((14 * 1000 * 1000))
VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
# The image's architectures and the Rust targets their binaries come from.
declare -A TARGETS=([amd64]=x86_64-unknown-linux-musl [arm64]=aarch64-unknown-linux-musl)
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
    command -v qemu-aarch64-static > /dev/null || missing+=(qemu-user-static)
    if ((${#missing[@]})); then
        log "installing ${missing[*]}"
        local sudo=()
        [ "$(id -u)" = 0 ] || sudo=(sudo)
        "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}" > /dev/null \
            || { "${sudo[@]}" apt-get update > /dev/null && "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}" > /dev/null; }
    fi
}

# The release tarball's binary for an image architecture, unpacked into target/container/.
stage_binary() {
    local arch=$1 target=${TARGETS[$1]}
    local tarball=dist/csms-emulator-$VERSION-$target.tar.gz
    [ -f "$tarball" ] || fail "no $tarball: run scripts/release.sh first (it builds and tests the binaries)"
    rm -rf "target/container/$arch"
    mkdir -p "target/container/$arch/data"
    tar -xzf "$tarball" -C "target/container/$arch" --strip-components=1 \
        "csms-emulator-$VERSION-$target/csms-emulator"
}

build() {
    need_tools
    local arch
    for arch in amd64 arm64; do
        stage_binary "$arch"
        log "building $IMAGE-$arch (linux/$arch, the Dockerfile's final stage, the release binary)"
        podman build --format docker --runtime runc --platform "linux/$arch" \
            --build-arg BINARY=host --build-arg VERSION="$VERSION" -t "$IMAGE-$arch" .
    done
    log "manifest list localhost/csms-emulator:$VERSION"
    podman manifest rm "localhost/csms-emulator:$VERSION" > /dev/null 2>&1 || true
    podman manifest create "localhost/csms-emulator:$VERSION" > /dev/null
    for arch in amd64 arm64; do
        podman manifest add "localhost/csms-emulator:$VERSION" "containers-storage:$IMAGE-$arch" > /dev/null
    done
    podman tag "$IMAGE-amd64" "$IMAGE"
}

# The arm64 image holds the tested aarch64 binary, for arm64, and it runs (under qemu).
check_arm64() {
    local arch platforms
    arch=$(podman image inspect "$IMAGE-arm64" --format '{{.Architecture}}')
    [ "$arch" = arm64 ] || fail "the arm64 image says its architecture is $arch"
    platforms=$(podman manifest inspect "localhost/csms-emulator:$VERSION" \
        | python3 -c 'import json,sys; print(" ".join(sorted(m["platform"]["architecture"] for m in json.load(sys.stdin)["manifests"])))')
    [ "$platforms" = "amd64 arm64" ] || fail "the manifest list holds [$platforms]"
    local out container
    out=$(mktemp -d)
    container=$(podman create --platform linux/arm64 "$IMAGE-arm64")
    podman cp "$container:/csms-emulator" "$out/csms-emulator" > /dev/null
    podman rm "$container" > /dev/null
    stage_binary arm64
    cmp -s "$out/csms-emulator" target/container/arm64/csms-emulator \
        || fail "the arm64 image's binary is not the tested release binary"
    qemu-aarch64-static "$out/csms-emulator" --version | grep -q "aarch64-unknown-linux-musl" \
        || fail "the arm64 image's binary does not run under qemu"
    rm -rf "$out"
    printf 'arm64 image: %s bytes, binary identical to the release tarball, runs under qemu\n' \
        "$(podman image inspect "$IMAGE-arm64" --format '{{.Size}}')"
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
    local python
    python=$(scripts/e2e-venv.sh)
    CSMS_ENDPOINT="http://127.0.0.1:$PORT" "$python" -m pytest -q \
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

    log "SIGTERM stops it cleanly"
    local before after
    before=$(date +%s.%N)
    podman kill --signal TERM "$NAME" > /dev/null
    podman wait "$NAME" > /tmp/csms-container-exit 2>&1 || true
    after=$(date +%s.%N)
    local code took
    code=$(tr -d '[:space:]' < /tmp/csms-container-exit)
    took=$(elapsed "$before" "$after")
    [ "$code" = 0 ] || fail "exit status $code after SIGTERM"
    # A bound, not a benchmark: the time is printed below; only a hang fails here.
    awk -v t="$took" 'BEGIN { exit !(t < 60) }' || fail "stopping took $took s"
    cleanup
    podman volume rm -f "$VOLUME" > /dev/null 2>&1 || true

    log "the arm64 image"
    check_arm64

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
