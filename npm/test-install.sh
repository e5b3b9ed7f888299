#!/usr/bin/env bash
# Installs the npm tarballs as a user would, into a fresh folder, with no registry: npm runs
# --offline with an empty cache and its registry pointed at a closed port, so everything
# must come from the tarballs. npm satisfies the main package's optional dependency for
# this platform with its tarball, and skips the other platforms' (optional, and not
# fetchable offline).
#
#   npm/test-install.sh DIST_NPM
#       npx csms-emulator --version; the command serves a request; then the Node helper's
#       tests (npm/csms-emulator/test) against the installed package
#   npm/test-install.sh --example DIR DIST_NPM
#       a copy of the example project DIR with the tarballs installed; then `npm test`
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

example=
if [ "${1:-}" = --example ]; then
    example=$2
    shift 2
fi
dist=$(cd "${1:?usage: $0 [--example DIR] DIST_NPM}" && pwd)
main=$(ls "$dist"/csms-emulator-[0-9]*.tgz)
version=$(basename "$main" .tgz)
version=${version#csms-emulator-}
case $(uname -m) in
    x86_64) platform=linux-x64 ;;
    aarch64) platform=linux-arm64 ;;
    *) echo "no platform package for $(uname -m)" >&2; exit 1 ;;
esac
native=$dist/csms-emulator-$platform-$version.tgz
[ -f "$native" ] || { echo "no $native" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export npm_config_registry=http://127.0.0.1:9/ npm_config_cache=$work/npm-cache
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
unset CSMS_EMULATOR_BINARY

install() { # into the current folder
    npm install --offline --no-save --loglevel=error "$main" "$native"
    [ -x "node_modules/@csms-emulator/$platform/bin/csms-emulator" ] \
        || { echo "the $platform binary is not installed" >&2; exit 1; }
}

if [ -n "$example" ]; then
    app=$work/example
    mkdir "$app"
    (cd "$root/$example" && tar --exclude=node_modules -cf - .) | (cd "$app" && tar -xf -)
    cd "$app"
    install
    npm test
    exit 0
fi

app=$work/app
mkdir "$app"
cd "$app"
printf '{"name": "csms-emulator-install-test", "version": "1.0.0", "private": true}\n' > package.json
install

echo "== npx csms-emulator --version"
npx --offline csms-emulator --version | tee "$work/version"
grep -q "^csms-emulator $version (commit " "$work/version"

echo "== npx csms-emulator serves a request"
node - << 'NODE'
const { spawn } = require('node:child_process');
const child = spawn('npx', ['--offline', 'csms-emulator', '--listen', '127.0.0.1:0', '--exit-on-stdin-close'],
  { stdio: ['pipe', 'pipe', 'inherit'] });
let seen = '';
child.stdout.on('data', async function onData(chunk) {
  seen += chunk;
  const found = /serving listen=(\S+)/.exec(seen);
  if (!found) return;
  child.stdout.off('data', onData);
  child.stdout.resume();
  const base = `http://${found[1]}/v1/installtest/secrets`;
  const created = await fetch(base, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'from-npx', secret_string: 'npx-value' }) });
  const read = await (await fetch(`${base}/from-npx/versions/latest`)).json();
  if (created.status !== 200 || read.version.secret_string !== 'npx-value') {
    console.error('unexpected answers', created.status, read);
    process.exit(1);
  }
  console.log('created and read a secret through', found[1]);
  child.stdin.end();
});
child.on('exit', (code) => process.exit(code === 0 ? 0 : 1));
NODE

echo "== the Node helper's tests against the installed package"
cp -r "$root/npm/csms-emulator/test" "$app/test"
node --test test/
