// CsmsEmulator's process: start, options as flags, failed starts, stop, and that the
// emulator never outlives the Node process that started it.
'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { CsmsEmulator, DEFAULT_PROJECT_ID } = require('csms-emulator');
const { csms, alive, gone } = require('./helpers');

function tempDir(t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'csms-emulator-test-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('start serves on a free loopback port, healthy, with the default project', async (t) => {
  const emulator = await CsmsEmulator.start();
  t.after(() => emulator.stop());
  assert.match(emulator.endpoint, /^http:\/\/127\.0\.0\.1:[1-9][0-9]*$/);
  assert.equal(emulator.projectId, DEFAULT_PROJECT_ID);
  assert.equal(emulator.projectId, '0123456789abcdef0123456789abcdef');
  assert.equal((await fetch(`${emulator.endpoint}/_emulator/health`)).status, 200);
});

test('a secret is created and read over CSMS with plain fetch', async (t) => {
  const emulator = await CsmsEmulator.start();
  t.after(() => emulator.stop());
  const project = emulator.newProjectId();
  assert.match(project, /^[0-9a-f]{32}$/);
  const created = await csms(emulator.endpoint, 'POST', `/v1/${project}/secrets`, { name: 'db', secret_string: 'pw' });
  assert.equal(created.status, 200);
  assert.equal(created.body.secret.name, 'db');
  const read = await csms(emulator.endpoint, 'GET', `/v1/${project}/secrets/db/versions/latest`);
  assert.equal(read.status, 200);
  assert.equal(read.body.version.secret_string, 'pw');
});

test('stop ends the process with exit code 0, and stopping twice is harmless', async () => {
  const emulator = await CsmsEmulator.start();
  assert.equal(await emulator.stop(), 0);
  assert.equal(await emulator.stop(), 0);
  assert.ok(await gone(emulator.pid));
});

test('two emulators run at once on different ports, each with its own state', async (t) => {
  const [first, second] = await Promise.all([CsmsEmulator.start(), CsmsEmulator.start()]);
  t.after(() => Promise.all([first.stop(), second.stop()]));
  assert.notEqual(first.endpoint, second.endpoint);
  await csms(first.endpoint, 'POST', '/v1/p/secrets', { name: 'only-in-first', secret_string: 'v' });
  assert.equal((await csms(first.endpoint, 'GET', '/v1/p/secrets/only-in-first')).status, 200);
  assert.equal((await csms(second.endpoint, 'GET', '/v1/p/secrets/only-in-first')).status, 404);
});

test('auth, credentials, controlToken and projectId become flags', async (t) => {
  const emulator = await CsmsEmulator.start({
    auth: 'enforce',
    credentials: ['AKN:SKN'],
    tokens: ['tok:abcdefabcdefabcdefabcdefabcdefab'],
    controlToken: 'ctl',
    projectId: 'abcdefabcdefabcdefabcdefabcdefab',
  });
  t.after(() => emulator.stop());
  assert.equal(emulator.projectId, 'abcdefabcdefabcdefabcdefabcdefab');
  assert.equal((await csms(emulator.endpoint, 'GET', `/v1/${emulator.projectId}/secrets`)).status, 401);
  const withToken = await fetch(`${emulator.endpoint}/v1/${emulator.projectId}/secrets`, {
    headers: { 'x-auth-token': 'tok' },
  });
  assert.equal(withToken.status, 200);
  assert.equal((await emulator.clock()).mode, 'real'); // the control token opens the control API
});

test('seed and dataDir become flags: a seeded secret survives a restart on the same folder', async (t) => {
  const dir = tempDir(t);
  const fixture = path.join(dir, 'fixture.json');
  fs.writeFileSync(fixture, JSON.stringify({
    format: 1,
    projects: [{ id: 'seeded', secrets: [{ name: 'db', versions: [{ secret_string: 'from-file' }] }] }],
  }));
  const dataDir = path.join(dir, 'data');
  fs.mkdirSync(dataDir);
  const first = await CsmsEmulator.start({ seed: fixture, dataDir });
  await csms(first.endpoint, 'POST', '/v1/seeded/secrets', { name: 'added', secret_string: 'later' });
  assert.equal(await first.stop(), 0);

  const second = await CsmsEmulator.start({ dataDir });
  t.after(() => second.stop());
  for (const [name, value] of [['db', 'from-file'], ['added', 'later']]) {
    const read = await csms(second.endpoint, 'GET', `/v1/seeded/secrets/${name}/versions/latest`);
    assert.equal(read.body.version.secret_string, value);
  }
});

test('the default log has the serving line and no line per successful request; requestLog and args pass through', async (t) => {
  const quiet = await CsmsEmulator.start();
  t.after(() => quiet.stop());
  const loud = await CsmsEmulator.start({ requestLog: 'all', args: ['--journal-size', '0'] });
  t.after(() => loud.stop());
  for (const emulator of [quiet, loud]) await csms(emulator.endpoint, 'GET', '/v1/p/secrets');
  assert.deepEqual(await loud.journal(), []);
  await quiet.stop();
  await loud.stop();
  assert.match(quiet.output(), /csms-emulator serving listen=/);
  assert.doesNotMatch(quiet.output(), /INFO request /);
  assert.match(loud.output(), /INFO request method=GET path=\/v1\/p\/secrets/);
});

test('a start that fails rejects with the reason and the emulator\'s output', async () => {
  await assert.rejects(
    CsmsEmulator.start({ auth: 'sometimes' }),
    /csms-emulator exited with 2 before it served; its output:\n[\s\S]*sometimes/,
  );
  await assert.rejects(
    CsmsEmulator.start({ binary: path.join(os.tmpdir(), 'no-such-csms-emulator') }),
    /csms-emulator could not start; its output:\ncannot run .*no-such-csms-emulator: spawn .* ENOENT/,
  );
});

test('a start that never serves rejects after startupTimeoutMs and leaves no process', { skip: process.platform === 'win32' }, async (t) => {
  const dir = tempDir(t);
  const script = path.join(dir, 'silent');
  const pidFile = path.join(dir, 'pid');
  fs.writeFileSync(script, `#!/bin/sh\necho $$ > '${pidFile}'\necho "starting, never serving"\nexec sleep 600\n`, { mode: 0o755 });
  await assert.rejects(
    CsmsEmulator.start({ binary: script, startupTimeoutMs: 5000 }),
    /did not serve within 5000 ms; its output:\nstarting, never serving/,
  );
  assert.ok(await gone(Number(fs.readFileSync(pidFile, 'utf8'))));
});

test('the emulator does not outlive a Node process killed with SIGKILL', { skip: process.platform === 'win32' }, async () => {
  const script = `
    const { CsmsEmulator } = require(${JSON.stringify(require.resolve('csms-emulator'))});
    CsmsEmulator.start().then((emulator) => {
      console.log(emulator.pid);
      setInterval(() => {}, 1000); // stays until killed
    });
  `;
  const parent = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const pid = await new Promise((resolve, reject) => {
    parent.stdout.once('data', (chunk) => resolve(Number(chunk.toString().trim())));
    parent.once('exit', () => reject(new Error('the launching process ended before it printed a pid')));
  });
  assert.ok(alive(pid), `the emulator ${pid} runs`);
  parent.kill('SIGKILL');
  assert.ok(await gone(pid), `the emulator ${pid} outlived the killed process`);
});

test('CSMS_* variables of this process do not reach the emulator; options.env does', async (t) => {
  const saved = process.env.CSMS_AUTH;
  process.env.CSMS_AUTH = 'enforce';
  t.after(() => {
    if (saved === undefined) delete process.env.CSMS_AUTH;
    else process.env.CSMS_AUTH = saved;
  });
  const open = await CsmsEmulator.start();
  t.after(() => open.stop());
  assert.equal((await csms(open.endpoint, 'GET', '/v1/p/secrets')).status, 200);
  const enforcing = await CsmsEmulator.start({ env: { CSMS_AUTH: 'enforce' } });
  t.after(() => enforcing.stop());
  assert.equal((await csms(enforcing.endpoint, 'GET', '/v1/p/secrets')).status, 401);
});
