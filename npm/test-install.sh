#!/usr/bin/env bash
# Installs the packed npm packages as a user would, into a fresh folder, and runs them.
#
#   npm/test-install.sh DIST_NPM
#       `npm install --save-dev csms-emulator` in an empty project; then `npx csms-emulator
#       --version`, a request served by the command, and the Node helper's tests
#       (npm/csms-emulator/test) against the installed package
#   npm/test-install.sh --example DIR DIST_NPM
#       the same install into a copy of the example project DIR; then its `npm test`
#
# How, and why it is honest: npm installs from a throwaway registry on a loopback port
# (npm/local-registry.js) that serves only the tarballs in DIST_NPM, with an empty cache
# and no user or global npm config. So npm does what it does for a user: it resolves
# csms-emulator, reads its optionalDependencies, fetches each platform package's manifest,
# and downloads only the one whose os and cpu fit this machine. A wrong version pin, name,
# os or cpu fails here. The registry's log must show nothing else was asked for (the
# packages have no dependencies of their own), and the registry is stopped, with npm
# pointed at a closed port and offline, before anything runs.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
usage() {
    echo "usage: $0 [--example DIR] DIST_NPM" >&2
    exit 2
}
example=
if [ "${1:-}" = --example ]; then
    [ -d "${2:-}" ] || usage
    example=$(cd "$2" && pwd)
    shift 2
fi
[ -d "${1:-}" ] || usage
dist=$(cd "$1" && pwd)

fail() {
    echo "test-install: $*" >&2
    exit 1
}
started=$(date +%s%N)
step() {
    local ms=$((($(date +%s%N) - started) / 1000000))
    printf '== [%3d.%ds] %s\n' $((ms / 1000)) $((ms % 1000 / 100)) "$*"
}

shopt -s nullglob
mains=("$dist"/csms-emulator-[0-9]*.tgz)
shopt -u nullglob
((${#mains[@]} == 1)) || fail "$dist must hold one csms-emulator-VERSION.tgz, not ${#mains[@]}"
version=$(basename "${mains[0]}" .tgz)
version=${version#csms-emulator-}
platform=$(node -p 'process.platform + "-" + process.arch')
[ -f "$dist/csms-emulator-$platform-$version.tgz" ] \
    || fail "no csms-emulator-$platform-$version.tgz in $dist for this machine"

work=$(mktemp -d)
registry_pid=
stop_registry() {
    if [ -n "$registry_pid" ]; then
        kill "$registry_pid" 2> /dev/null || true
        wait "$registry_pid" 2> /dev/null || true
        registry_pid=
    fi
}
trap 'stop_registry; rm -rf "$work"' EXIT

# npm as on a machine that never saw these packages.
: > "$work/user-npmrc"
: > "$work/global-npmrc"
export npm_config_userconfig=$work/user-npmrc npm_config_globalconfig=$work/global-npmrc
export npm_config_cache=$work/npm-cache
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
export npm_config_loglevel=warn
unset CSMS_EMULATOR_BINARY CSMS_EMULATOR_LOG

node "$root/npm/local-registry.js" "$dist" > "$work/registry.log" &
registry_pid=$!
for _ in $(seq 100); do
    [ -s "$work/registry.log" ] && break
    kill -0 "$registry_pid" 2> /dev/null || fail "the local registry did not start"
    sleep 0.1
done
npm_config_registry=$(head -n 1 "$work/registry.log")
[[ $npm_config_registry == http://127.0.0.1:* ]] || fail "the local registry did not start"
export npm_config_registry

app=$work/app
mkdir "$app"
if [ -n "$example" ]; then
    (cd "$example" && tar --exclude=node_modules --exclude=package-lock.json -cf - .) | (cd "$app" && tar -xf -)
else
    printf '{"name": "csms-emulator-install-test", "version": "1.0.0", "private": true}\n' > "$app/package.json"
fi
cd "$app"

step "npm install --save-dev csms-emulator@$version (registry: only $dist)"
npm install --save-dev "csms-emulator@$version"
stop_registry
export npm_config_registry=http://127.0.0.1:9/ npm_config_offline=true

step "what npm fetched"
tail -n +2 "$work/registry.log" | sort | uniq -c
expected_tarballs=$(printf '%s\n' "GET /-/tarballs/csms-emulator-$platform-$version.tgz 200" \
    "GET /-/tarballs/csms-emulator-$version.tgz 200" | sort)
[ "$(grep ' /-/tarballs/' "$work/registry.log" | sort -u)" = "$expected_tarballs" ] \
    || fail "npm should have downloaded csms-emulator and @csms-emulator/$platform, and nothing else"
unexpected=$(tail -n +2 "$work/registry.log" \
    | grep -v -E '^GET /(csms-emulator|@csms-emulator%2f[a-z0-9]+-[a-z0-9]+|-/tarballs/[^ ]+) 200$' || true)
[ -z "$unexpected" ] || fail "npm asked the registry for more than our packages: $unexpected"
installed=$(cd node_modules/@csms-emulator && echo *)
[ "$installed" = "$platform" ] || fail "installed platform packages: $installed, expected $platform only"
[ -x "node_modules/@csms-emulator/$platform/bin/csms-emulator" ] || fail "the $platform binary is not executable"
node -e 'process.exit(require("./package.json").devDependencies["csms-emulator"] ? 0 : 1)' \
    || fail "csms-emulator is not among package.json's devDependencies"

if [ -n "$example" ]; then
    step "npm test in $(basename "$example")"
    npm test
    step "done"
    exit 0
fi

step "npx csms-emulator --version"
npx csms-emulator --version | tee "$work/version"
grep -q "^csms-emulator $version (commit " "$work/version" || fail "--version does not print $version"

step "npx csms-emulator serves a request"
node - << 'NODE'
// Runs the command on a free port, checks health and creates and reads a secret, then
// closes its standard input and expects exit code 0. Gives up after a minute.
const { spawn } = require('node:child_process');
const child = spawn('npx', ['csms-emulator', '--listen', '127.0.0.1:0', '--exit-on-stdin-close'], {
  stdio: ['pipe', 'pipe', 'inherit'],
});
const giveUp = setTimeout(() => {
  console.error('no answer within a minute');
  process.exit(1);
}, 60_000);

async function check(address) {
  const base = `http://${address}`;
  const health = await fetch(`${base}/_emulator/health`);
  const created = await fetch(`${base}/v1/installtest/secrets`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'from-npx', secret_string: 'npx-value' }),
  });
  const read = await (await fetch(`${base}/v1/installtest/secrets/from-npx/versions/latest`)).json();
  if (health.status !== 200 || created.status !== 200 || read.version?.secret_string !== 'npx-value') {
    throw new Error(`unexpected answers: ${health.status}, ${created.status}, ${JSON.stringify(read)}`);
  }
  console.log(`health, then a secret created and read through ${address}`);
}

let seen = '';
let address = null;
child.stdout.setEncoding('utf8');
child.stdout.on('data', (chunk) => {
  seen += chunk;
  const found = address === null && /csms-emulator serving listen=(\S+)/.exec(seen);
  if (!found) return;
  address = found[1];
  check(address).then(
    () => child.stdin.end(),
    (err) => {
      console.error(err.message);
      process.exit(1);
    },
  );
});
child.on('exit', (code, signal) => {
  clearTimeout(giveUp);
  if (code !== 0) console.error(`the command ended with ${code ?? signal}:\n${seen}`);
  process.exit(code === 0 ? 0 : 1);
});
NODE

step "the Node helper's tests against the installed package"
cp -r "$root/npm/csms-emulator/test" "$app/test"
node --test test/*.test.js
step "done"
