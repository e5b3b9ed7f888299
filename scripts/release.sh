#!/usr/bin/env bash
# Every release artifact, built with one command, and each tested as a user installs it.
#
#   scripts/release.sh        builds into dist/ (emptied first):
#     csms-emulator-VERSION-{x86_64,aarch64}-unknown-linux-musl.tar.gz
#                             a fully static binary, LICENSE and README.md in one folder
#     csms_emulator-VERSION-py3-none-manylinux…musllinux…_{x86_64,aarch64}.whl, and the sdist
#                             maturin `bin` wheels: the binary as a script, and the
#                             csms_emulator package (launcher, pytest plugin, testcontainers)
#     npm/*.tgz               csms-emulator and @csms-emulator/linux-{x64,arm64} (npm pack)
#     csms-emulator-VERSION.crate
#                             cargo package --locked
#     SHA256SUMS              every file above
#   then the container images for linux/amd64 and linux/arm64 from the same binaries
#   (scripts/container.sh build). One compile per target: the binaries in the tarballs,
#   the npm packages and the images are the ones inside the wheels.
#
#   scripts/release.sh test   installs and runs each artifact as a user would, and exits
#                             non-zero on any failure: checksums; the aarch64 binary through
#                             the SDK suite under qemu; the wheel in a fresh venv without
#                             cargo (the SDK suite, the package's own tests, testcontainers
#                             through podman's Docker API, examples/pytest); the npm tarballs
#                             from a throwaway local registry serving only them (npx, the
#                             Node helper's tests, examples/node); the
#                             packaged crate through cargo install; the images
#                             (scripts/container.sh test); and the size budgets.
#
# CSMS_RELEASE_ALLOW_DIRTY=1 packages the crate from a working tree with uncommitted changes.
# Installs what it needs when missing: maturin and zig (PyPI, into .venv-release), the
# musl Rust targets (rustup), qemu-user-static, podman and runc (apt).
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
TARGETS=(x86_64-unknown-linux-musl aarch64-unknown-linux-musl)
declare -A NPM_PLATFORM=([x86_64-unknown-linux-musl]=linux-x64 [aarch64-unknown-linux-musl]=linux-arm64)
TOOLS=.venv-release
DIST=dist
# Budgets (bytes, decimal megabytes): the issue's, printed against the measured sizes.
MAX_TARBALL=$((6 * 1000 * 1000))
MAX_WHEEL=$((6 * 1000 * 1000))
# Reproducible dates: the commit's time, unless the caller set one.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2> /dev/null || date +%s)}

log() { printf '== %s\n' "$*"; }
fail() { printf 'FAILED: %s\n' "$*" >&2; exit 1; }
size_mb() { awk -v s="$1" 'BEGIN { printf "%.2f", s / 1e6 }'; }

apt_install() {
    local sudo=()
    [ "$(id -u)" = 0 ] || sudo=(sudo)
    "${sudo[@]}" apt-get install -y --no-install-recommends "$@" > /dev/null \
        || { "${sudo[@]}" apt-get update > /dev/null && "${sudo[@]}" apt-get install -y --no-install-recommends "$@" > /dev/null; }
}

need_tools() {
    command -v qemu-aarch64-static > /dev/null || { log "installing qemu-user-static"; apt_install qemu-user-static; }
    local target
    for target in "${TARGETS[@]}"; do
        rustup target list --installed | grep -qx "$target" || rustup target add "$target"
    done
    if ! cmp -s scripts/release-requirements.txt "$TOOLS/requirements.txt" 2> /dev/null; then
        log "installing maturin and zig into $TOOLS"
        rm -rf "$TOOLS"
        python3 -m venv "$TOOLS"
        "$TOOLS/bin/pip" install -q --disable-pip-version-check -r scripts/release-requirements.txt
        cp scripts/release-requirements.txt "$TOOLS/requirements.txt"
    fi
}

# The binary inside a wheel, written to $2 (the wheel's bytes are what pip users get).
binary_from_wheel() {
    python3 - "$1" "$2" << 'EOF'
import os, sys, zipfile
wheel, out = sys.argv[1:]
with zipfile.ZipFile(wheel) as archive:
    [name] = [n for n in archive.namelist() if n.endswith(".data/scripts/csms-emulator")]
    with open(out, "wb") as file:
        file.write(archive.read(name))
os.chmod(out, 0o755)
EOF
}

wheel_for() {
    local arch=${1%%-*}
    local wheels=("$DIST"/csms_emulator-"$VERSION"-*"_$arch.whl")
    [ -f "${wheels[0]}" ] || fail "no wheel for $arch in $DIST"
    echo "${wheels[0]}"
}

tarball() {
    local target=$1 binary=$2
    local name=csms-emulator-$VERSION-$target stage
    stage=$(mktemp -d)
    mkdir "$stage/$name"
    cp "$binary" "$stage/$name/csms-emulator"
    cp LICENSE README.md "$stage/$name/"
    tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$SOURCE_DATE_EPOCH" \
        -C "$stage" -cf - "$name" | gzip -n -9 > "$DIST/$name.tar.gz"
    rm -rf "$stage"
}

build() {
    need_tools
    rm -rf "$DIST"
    mkdir -p "$DIST/npm" target/release-bins
    local target npm_binaries=()
    for target in "${TARGETS[@]}"; do
        log "wheel for $target (maturin --zig, profile dist)"
        (cd python && PATH="$PWD/../$TOOLS/bin:$PATH" maturin build --zig --locked \
            --profile dist --target "$target" --compatibility manylinux2014 musllinux_1_1 \
            --out "../$DIST")
        local binary=target/release-bins/$target/csms-emulator
        mkdir -p "$(dirname "$binary")"
        binary_from_wheel "$(wheel_for "$target")" "$binary"
        log "tarball for $target"
        tarball "$target" "$binary"
        npm_binaries+=(--binary "${NPM_PLATFORM[$target]}=$binary")
    done
    log "sdist"
    (cd python && PATH="$PWD/../$TOOLS/bin:$PATH" maturin sdist --out "../$DIST")
    log "npm packages"
    npm/pack.sh --version "$VERSION" --out "$DIST/npm" "${npm_binaries[@]}"
    log "crate (cargo package --locked)"
    # A clean checkout is what ships; CSMS_RELEASE_ALLOW_DIRTY=1 lets a developer try it.
    cargo package --locked ${CSMS_RELEASE_ALLOW_DIRTY:+--allow-dirty}
    cp "target/package/csms-emulator-$VERSION.crate" "$DIST/"
    log "SHA256SUMS"
    (cd "$DIST" && find . -type f ! -name SHA256SUMS | sed 's|^\./||' | LC_ALL=C sort \
        | xargs sha256sum > SHA256SUMS)
    log "container images"
    scripts/container.sh build
    log "built"
    (cd "$DIST" && ls -l $(sed 's/^[0-9a-f]*  //' SHA256SUMS))
}

# ----- test ------------------------------------------------------------------------------

# PATH without any Rust toolchain, as a user who never installed one has it.
PATH_WITHOUT_CARGO=$(printf '%s' "$PATH" | tr ':' '\n' | grep -v -e cargo -e rustup | paste -sd:)

# A fresh venv holding the wheel from dist/ (and nothing from an index); prints its bin.
fresh_venv_with_wheel() {
    local venv=$1
    rm -rf "$venv"
    python3 -m venv "$venv"
    PATH="$PATH_WITHOUT_CARGO" "$venv/bin/pip" install -q --disable-pip-version-check \
        --no-index --find-links "$DIST" "csms-emulator==$VERSION"
}

e2e_suite() { # python binary [test files…] (default: the whole suite)
    local python=$1 binary=$2
    shift 2
    (($#)) || set -- e2e
    CSMS_BIN=$binary "$python" -m pytest -q -p no:cacheprovider --ignore=e2e/console "$@"
}

test_checksums() {
    log "checksums"
    (cd "$DIST" && sha256sum --quiet -c SHA256SUMS)
    local listed present
    listed=$(sed 's/^[0-9a-f]*  //' "$DIST/SHA256SUMS" | LC_ALL=C sort)
    present=$(cd "$DIST" && find . -type f ! -name SHA256SUMS | sed 's|^\./||' | LC_ALL=C sort)
    [ "$listed" = "$present" ] || fail "SHA256SUMS does not cover exactly the files in $DIST"
}

# `cargo binstall` fills [package.metadata.binstall]'s templates for a target: the asset it
# asks the release for must be this tarball, and the binary must be where bin-dir says.
binstall_finds() { # target unpacked-tarball-folder
    python3 - "$1" "$2" "$VERSION" << 'EOF'
import os, sys, tomllib
target, unpacked, version = sys.argv[1:]
meta = tomllib.load(open("Cargo.toml", "rb"))["package"]["metadata"]["binstall"]
fill = {"name": "csms-emulator", "version": version, "target": target, "repo": "REPO",
        "archive-suffix": ".tar.gz", "bin": "csms-emulator", "binary-ext": ""}
def render(template):
    for key, value in fill.items():
        template = template.replace("{ %s }" % key, value)
    assert "{" not in template, template
    return template
asset = render(meta["pkg-url"]).rsplit("/", 1)[1]
wanted = f"csms-emulator-{version}-{target}.tar.gz"
assert asset == wanted, f"binstall asks for {asset}, the release has {wanted}"
binary = os.path.join(unpacked, render(meta["bin-dir"]))
assert os.access(binary, os.X_OK), f"binstall looks for {render(meta['bin-dir'])}, not in the tarball"
EOF
}

test_tarballs() {
    local target
    for target in "${TARGETS[@]}"; do
        log "tarball $target"
        local out name=csms-emulator-$VERSION-$target
        out=$(mktemp -d)
        tar -xzf "$DIST/$name.tar.gz" -C "$out"
        [ "$(cd "$out/$name" && ls | LC_ALL=C sort | paste -sd' ')" = "LICENSE README.md csms-emulator" ] \
            || fail "$name.tar.gz holds $(ls "$out/$name")"
        local binary=$out/$name/csms-emulator headers
        headers=$(readelf -l "$binary")
        ! grep -q INTERP <<< "$headers" || fail "$name is dynamically linked"
        ! readelf -d "$binary" | grep -q NEEDED || fail "$name needs shared libraries"
        local run=()
        [ "$target" = "${TARGETS[0]}" ] || run=(qemu-aarch64-static)
        "${run[@]}" "$binary" --version | grep -q "^csms-emulator $VERSION (commit .*, $target, built " \
            || fail "$name --version: $("${run[@]}" "$binary" --version)"
        cmp -s "$binary" "target/release-bins/$target/csms-emulator" \
            || fail "$name's binary is not the wheel's"
        binstall_finds "$target" "$out"
        rm -rf "$out"
    done
}

test_aarch64_e2e() {
    log "the aarch64 binary through the SDK suite, under qemu-aarch64-static"
    local python wrapper
    python=$(scripts/e2e-venv.sh)
    wrapper=$(mktemp -d)/csms-emulator-aarch64
    printf '#!/bin/sh\nexec qemu-aarch64-static %q "$@"\n' \
        "$PWD/target/release-bins/aarch64-unknown-linux-musl/csms-emulator" > "$wrapper"
    chmod +x "$wrapper"
    e2e_suite "$python" "$wrapper"
}

test_wheel() {
    local venv=$PWD/target/venv-wheel
    log "the wheel in a fresh venv, without cargo: pip install --no-index --find-links $DIST"
    fresh_venv_with_wheel "$venv"
    ! PATH="$PATH_WITHOUT_CARGO" command -v cargo > /dev/null || fail "cargo is still on PATH"
    PATH="$venv/bin:$PATH_WITHOUT_CARGO" csms-emulator --version \
        | grep -q "^csms-emulator $VERSION " || fail "csms-emulator --version from the wheel"
    "$venv/bin/pip" install -q --disable-pip-version-check -r python/tests/requirements.txt
    log "the SDK suite against the wheel's csms-emulator"
    e2e_suite "$venv/bin/python" "$venv/bin/csms-emulator"
    log "the Python package's tests (launcher, control API, pytest plugin)"
    (cd python/tests && PATH="$venv/bin:$PATH_WITHOUT_CARGO" \
        "$venv/bin/python" -m pytest -q -p no:cacheprovider --ignore=test_testcontainers.py)
    test_testcontainers "$venv"
}

# testcontainers-python against podman's Docker-compatible API, with the amd64 image.
test_testcontainers() {
    local venv=$1
    log "csms_emulator.testcontainers through podman's Docker API"
    command -v podman > /dev/null || apt_install podman runc
    local dir socket conf service
    dir=$(mktemp -d)
    socket=$dir/podman.sock
    conf=$dir/containers.conf
    # This sandbox's runtime is runc, and it may not raise rlimits past 1024.
    printf '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]\n[engine]\nruntime = "runc"\n' > "$conf"
    CONTAINERS_CONF=$conf podman system service --time=0 "unix://$socket" > "$dir/service.log" 2>&1 &
    service=$!
    local tries=0
    until [ -S "$socket" ]; do
        ((tries++ < 600)) || { kill "$service"; fail "podman system service did not start"; }
        sleep 0.05
    done
    local status=0
    (cd python/tests && DOCKER_HOST="unix://$socket" TESTCONTAINERS_RYUK_DISABLED=true \
        TESTCONTAINERS_CONNECTION_MODE=docker_host CSMS_TEST_IMAGE=localhost/csms-emulator:dev \
        "$venv/bin/python" -m pytest -q -p no:cacheprovider test_testcontainers.py) || status=$?
    kill "$service" 2> /dev/null || true
    wait "$service" 2> /dev/null || true
    rm -rf "$dir"
    ((status == 0)) || fail "the testcontainers test"
}

test_examples_pytest() {
    local venv=$PWD/target/venv-example-pytest
    log "examples/pytest in a fresh venv: the wheel, pytest, pytest-xdist and the SDK only"
    fresh_venv_with_wheel "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check -r examples/pytest/requirements.txt
    (cd examples/pytest && PATH="$venv/bin:$PATH_WITHOUT_CARGO" \
        "$venv/bin/python" -m pytest -q -p no:cacheprovider -n 2)
}

test_npm() {
    log "npm install from a local registry serving only the tarballs: npx, the Node helper's tests"
    npm/test-install.sh "$DIST/npm"
    log "examples/node with the packed csms-emulator"
    npm/test-install.sh --example examples/node "$DIST/npm"
}

test_crate() {
    log "cargo install from the packaged crate"
    local root
    root=$(mktemp -d)
    cargo install --quiet --locked --path "target/package/csms-emulator-$VERSION" --root "$root"
    local bins
    bins=$(ls "$root/bin")
    [ "$bins" = csms-emulator ] || fail "cargo install put [$bins] on PATH"
    "$root/bin/csms-emulator" --version | grep -q "^csms-emulator $VERSION " \
        || fail "the installed crate's --version"
    local python
    python=$(scripts/e2e-venv.sh)
    e2e_suite "$python" "$root/bin/csms-emulator" e2e/test_core_sdk.py
    rm -rf "$root"
}

test_sdist() {
    log "sdist contents"
    local listing
    listing=$(tar -tzf "$DIST/csms_emulator-$VERSION.tar.gz")
    local wanted
    for wanted in Cargo.toml Cargo.lock build.rs src/main.rs pyproject.toml \
        src/csms_emulator/pytest_plugin.py src/csms_emulator/py.typed; do
        grep -q "/$wanted\$" <<< "$listing" || fail "the sdist lacks $wanted"
    done
}

test_budgets() {
    log "size budgets"
    local file size status=0
    for file in "$DIST"/*.tar.gz "$DIST"/*.whl; do
        case $file in *.whl) max=$MAX_WHEEL ;; */csms_emulator-*.tar.gz) continue ;; *) max=$MAX_TARBALL ;; esac
        size=$(stat -c %s "$file")
        printf '%-90s %s MB (budget %s MB)\n' "$(basename "$file")" "$(size_mb "$size")" "$(size_mb "$max")"
        ((size <= max)) || status=1
    done
    ((status == 0)) || fail "an artifact is over its budget"
}

test_all() {
    [ -f "$DIST/SHA256SUMS" ] || fail "nothing in $DIST: run scripts/release.sh first"
    need_tools
    test_checksums
    test_tarballs
    test_sdist
    test_aarch64_e2e
    test_wheel
    test_examples_pytest
    test_npm
    test_crate
    log "container images (scripts/container.sh test)"
    scripts/container.sh test
    test_budgets
    log "every artifact passed"
}

case "${1:-build}" in
    build) build ;;
    test) test_all ;;
    *) echo "usage: $0 [build|test]" >&2; exit 2 ;;
esac
