#!/usr/bin/env bash
# Packs the npm packages the esbuild way: `csms-emulator` (the launcher and the Node helper,
# from npm/csms-emulator) with one optional dependency per platform given, pinned to the
# same version, and `@csms-emulator/<platform>` holding that platform's binary, which npm
# installs only where its `os` and `cpu` match. Nothing is downloaded at install time.
#
#   npm/pack.sh --version 0.1.0 --out dist/npm \
#       --binary linux-x64=PATH --binary linux-arm64=PATH [--binary win32-x64=PATH.exe …]
#
# Platforms: linux-x64 linux-arm64 darwin-x64 darwin-arm64 win32-x64. Writes
# csms-emulator-VERSION.tgz and csms-emulator-<platform>-VERSION.tgz (npm pack) into OUT.
# The version is the crate's (Cargo.toml), passed in: no package.json in git carries it,
# and the binary for this machine's platform, if given, must print it for --version.
set -euo pipefail

usage() {
    echo "usage: $0 --version VERSION --out DIR --binary PLATFORM=PATH [--binary PLATFORM=PATH …]" >&2
    exit 2
}

version= out= binaries=()
while (($#)); do
    case $1 in
        --version) version=${2:-}; shift 2 || usage ;;
        --out) out=${2:-}; shift 2 || usage ;;
        --binary) binaries+=("${2:-}"); shift 2 || usage ;;
        *) usage ;;
    esac
done
[ -n "$version" ] && [ -n "$out" ] && ((${#binaries[@]})) || usage
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] \
    || { echo "not a version: $version" >&2; exit 2; }

root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
host=$(node -p 'process.platform + "-" + process.arch')

platforms=()
for pair in "${binaries[@]}"; do
    platform=${pair%%=*} binary=${pair#*=}
    case $platform in
        linux-x64 | linux-arm64 | darwin-x64 | darwin-arm64) exe=csms-emulator ;;
        win32-x64) exe=csms-emulator.exe ;;
        *) echo "unknown platform '$platform' in --binary $pair" >&2; exit 2 ;;
    esac
    [[ " ${platforms[*]} " != *" $platform "* ]] || { echo "$platform given twice" >&2; exit 2; }
    [ -f "$binary" ] || { echo "no binary $binary for $platform" >&2; exit 1; }
    if [ "$platform" = "$host" ]; then
        printed=$("$binary" --version)
        [[ $printed == "csms-emulator $version "* ]] \
            || { echo "$binary says '$printed', not version $version" >&2; exit 1; }
    fi
    os=${platform%-*} cpu=${platform#*-}
    dir=$stage/$platform
    mkdir -p "$dir/bin"
    cp "$binary" "$dir/bin/$exe"
    chmod 755 "$dir/bin/$exe"
    cp "$root/LICENSE" "$dir/"
    cat > "$dir/README.md" << EOF
# @csms-emulator/$platform

The [csms-emulator](https://www.npmjs.com/package/csms-emulator) binary for $os on $cpu, a
local emulator of Huawei Cloud's Cloud Secret Management Service (CSMS).

Install \`csms-emulator\`, not this package: it depends on one package per platform, and npm
installs only the one that fits the machine.
EOF
    node -e '
        const [dir, platform, os, cpu, version, exe] = process.argv.slice(1);
        const pkg = {
          name: `@csms-emulator/${platform}`,
          version,
          description: `The csms-emulator binary for ${os} on ${cpu}`,
          license: "MIT",
          repository: { type: "git", url: "git+https://github.com/csms-emulator/csms-emulator.git" },
          os: [os],
          cpu: [cpu],
          files: [`bin/${exe}`],
          preferUnplugged: true,
        };
        require("fs").writeFileSync(`${dir}/package.json`, JSON.stringify(pkg, null, 2) + "\n");
    ' "$dir" "$platform" "$os" "$cpu" "$version" "$exe"
    platforms+=("$platform")
done

main=$stage/csms-emulator
mkdir "$main"
for entry in package.json bin lib index.js index.d.ts; do
    cp -r "$root/npm/csms-emulator/$entry" "$main/"
done
cp "$root/LICENSE" "$main/"
cp "$root/npm/README.md" "$main/README.md"
node -e '
    const [dir, version, ...platforms] = process.argv.slice(1);
    const file = `${dir}/package.json`;
    const pkg = JSON.parse(require("fs").readFileSync(file, "utf8"));
    pkg.version = version;
    pkg.optionalDependencies = Object.fromEntries(platforms.map((p) => [`@csms-emulator/${p}`, version]));
    delete pkg.scripts; // the tests stay in the repository
    require("fs").writeFileSync(file, JSON.stringify(pkg, null, 2) + "\n");
' "$main" "$version" "${platforms[@]}"

for dir in "$main" "${platforms[@]/#/$stage/}"; do
    file=$(cd "$dir" && npm pack --silent --pack-destination "$out")
    echo "$out/$file"
done
