#!/usr/bin/env bash
# Packs the npm packages the esbuild way: `csms-emulator` (the launcher and the Node helper)
# with one optional dependency per platform, and `@csms-emulator/<platform>` holding that
# platform's binary, which npm installs only where `os` and `cpu` match.
#
#   npm/pack.sh --version 0.1.0 --out dist/npm \
#       --binary linux-x64=PATH --binary linux-arm64=PATH [--binary darwin-arm64=PATH …]
#
# Writes csms-emulator-VERSION.tgz and csms-emulator-<platform>-VERSION.tgz (npm pack)
# into OUT. The version is the crate's; nothing here is committed with a version in it.
set -euo pipefail
cd "$(dirname "$0")/.."

version= out= binaries=()
while (($#)); do
    case $1 in
        --version) version=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --binary) binaries+=("$2"); shift 2 ;;
        *) echo "usage: $0 --version V --out DIR --binary PLATFORM=PATH…" >&2; exit 2 ;;
    esac
done
[ -n "$version" ] && [ -n "$out" ] && ((${#binaries[@]})) \
    || { echo "usage: $0 --version V --out DIR --binary PLATFORM=PATH…" >&2; exit 2; }
mkdir -p "$out"
out=$(cd "$out" && pwd)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

platforms=()
for pair in "${binaries[@]}"; do
    platform=${pair%%=*} binary=${pair#*=}
    os=${platform%-*} cpu=${platform#*-}
    case $platform in
        linux-x64 | linux-arm64 | darwin-x64 | darwin-arm64 | win32-x64) ;;
        *) echo "unknown platform $platform" >&2; exit 2 ;;
    esac
    [ -f "$binary" ] || { echo "no binary $binary for $platform" >&2; exit 1; }
    exe=csms-emulator
    [ "$os" = win32 ] && exe=csms-emulator.exe
    dir=$stage/$platform
    mkdir -p "$dir/bin"
    cp "$binary" "$dir/bin/$exe"
    chmod 755 "$dir/bin/$exe"
    cp LICENSE "$dir/"
    printf '# @csms-emulator/%s\n\nThe csms-emulator binary for %s (%s). Install `csms-emulator`, not this\npackage: npm picks the platform package that fits.\n' \
        "$platform" "$os" "$cpu" > "$dir/README.md"
    node -e '
        const [dir, platform, os, cpu, version, exe] = process.argv.slice(1);
        const pkg = {
          name: `@csms-emulator/${platform}`,
          version,
          description: `The csms-emulator binary for ${os} ${cpu}`,
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
cp -r npm/csms-emulator "$main"
rm -rf "$main/test" "$main/node_modules"
cp LICENSE "$main/"
cp npm/README.md "$main/README.md"
node -e '
    const [dir, version, ...platforms] = process.argv.slice(1);
    const file = `${dir}/package.json`;
    const pkg = JSON.parse(require("fs").readFileSync(file, "utf8"));
    pkg.version = version;
    pkg.optionalDependencies = Object.fromEntries(platforms.map((p) => [`@csms-emulator/${p}`, version]));
    delete pkg.scripts;
    require("fs").writeFileSync(file, JSON.stringify(pkg, null, 2) + "\n");
' "$main" "$version" "${platforms[@]}"

for dir in "$stage"/*/; do
    (cd "$dir" && npm pack --quiet --pack-destination "$out" > /dev/null)
done
ls "$out"
