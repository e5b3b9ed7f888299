// The `csms-emulator` command (bin/csms-emulator.js): arguments, exit codes and signals
// pass through, and a missing platform package is named.
'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { PACKAGE_DIR, csms } = require('./helpers');

const LAUNCHER = path.join(PACKAGE_DIR, 'bin', 'csms-emulator.js');
const POSIX = { skip: process.platform === 'win32' };
const SERVING = /csms-emulator serving listen=(\S+)/;

/**
 * The command serving on a free port, with `--exit-on-stdin-close` so that it ends with
 * the test whatever happens. Resolves once it answers a health check to
 * `{launcher, endpoint, ended}`;
 * `ended` resolves when the command has exited and its output has ended, to
 * `{code, signal, output}`.
 */
async function serve() {
  const launcher = spawn(process.execPath, [LAUNCHER, '--listen', '127.0.0.1:0', '--exit-on-stdin-close'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let output = '';
  const exit = new Promise((resolve) => {
    launcher.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const outputEnd = new Promise((resolve) => {
    launcher.stdout.once('end', resolve);
  });
  const ended = Promise.all([exit, outputEnd]).then(([status]) => ({ ...status, output }));
  const address = await new Promise((resolve, reject) => {
    launcher.stdout.setEncoding('utf8');
    launcher.stdout.on('data', (chunk) => {
      output += chunk;
      const found = SERVING.exec(output);
      if (found) resolve(found[1]);
    });
    ended.then(({ output: printed }) => reject(new Error(`the command ended before it served:\n${printed}`)));
  });
  const endpoint = `http://${address}`;
  assert.equal((await fetch(`${endpoint}/_emulator/health`)).status, 200);
  return { launcher, endpoint, ended };
}

test('--version passes through', () => {
  const result = spawnSync(process.execPath, [LAUNCHER, '--version'], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /^csms-emulator \d+\.\d+\.\d+\S* \(commit [0-9a-f]+, [^,]+, built \d{4}-\d\d-\d\d\)\n$/);
});

test('the binary\'s exit code passes through', () => {
  const result = spawnSync(process.execPath, [LAUNCHER, '--auth', 'sometimes'], { encoding: 'utf8' });
  assert.equal(result.status, 2);
  assert.match(result.stderr, /sometimes/);
});

test('it serves, and ends when its standard input closes', async () => {
  const { launcher, endpoint, ended } = await serve();
  const created = await csms(endpoint, 'POST', '/v1/p/secrets', { name: 'db', secret_string: 'pw' });
  assert.equal(created.status, 200);
  launcher.stdin.end();
  const { code, signal, output } = await ended;
  assert.deepEqual({ code, signal }, { code: 0, signal: null });
  assert.match(output, /standard input closed/);
});

// Node closes a child's standard input when the child exits, so an emulator the command
// failed to stop would stop then too; its log tells the two apart.
test('SIGTERM is passed on: the emulator stops gracefully and the command exits 0', POSIX, async () => {
  const { launcher, ended } = await serve();
  launcher.kill('SIGTERM');
  const { code, signal, output } = await ended;
  assert.deepEqual({ code, signal }, { code: 0, signal: null });
  assert.match(output, /shutting down/);
  assert.doesNotMatch(output, /standard input closed/);
});

test('a signal that kills the binary kills the command too', POSIX, async () => {
  const { launcher, ended } = await serve();
  launcher.kill('SIGHUP'); // passed on; the emulator does not catch SIGHUP
  const { code, signal, output } = await ended;
  assert.deepEqual({ code, signal }, { code: null, signal: 'SIGHUP' });
  assert.doesNotMatch(output, /shutting down/); // killed, not stopped
});

test('without its platform package the command names the package to install', (t) => {
  // A copy of the command outside any node_modules, so no platform package resolves.
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'csms-emulator-launcher-'));
  t.after(() => fs.rmSync(copy, { recursive: true, force: true }));
  for (const dir of ['bin', 'lib']) fs.cpSync(path.join(PACKAGE_DIR, dir), path.join(copy, dir), { recursive: true });
  const env = { ...process.env };
  delete env.CSMS_EMULATOR_BINARY;
  const result = spawnSync(process.execPath, [path.join(copy, 'bin', 'csms-emulator.js'), '--version'], {
    encoding: 'utf8',
    env,
  });
  assert.equal(result.status, 1);
  const platform = `${process.platform}-${process.arch}`;
  assert.match(result.stderr, new RegExp(`the package @csms-emulator/${platform} is not installed`));
});
