// The Node helper's tests (node --test): run against the source folder with
// CSMS_EMULATOR_BINARY set, or against the installed package (npm/test-install.sh).
'use strict';

const { test, describe, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const path = require('node:path');
const { CsmsEmulator, CsmsEmulatorError } = require('csms-emulator');

// Bounds on waiting for another process: reaching one is a failure, not slowness.
const PATIENCE_MS = 60_000;

async function csms(emulator, method, path, body) {
  const response = await fetch(emulator.endpoint + path, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

function alive(pid) {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // A zombie has exited; it only waits to be reaped.
    const stat = require('node:fs').readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

async function waitGone(pid) {
  const deadline = Date.now() + PATIENCE_MS;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}

describe('one emulator', () => {
  let emulator;
  before(async () => {
    emulator = await CsmsEmulator.start();
  });
  after(() => emulator.stop());

  test('it serves on a free loopback port with the default project', async () => {
    assert.match(emulator.endpoint, /^http:\/\/127\.0\.0\.1:[1-9][0-9]*$/);
    assert.equal(emulator.projectId, '0123456789abcdef0123456789abcdef');
    const health = await fetch(`${emulator.endpoint}/_emulator/health`);
    assert.equal(health.status, 200);
  });

  test('a secret is created and read over CSMS', async () => {
    const project = emulator.newProjectId();
    assert.match(project, /^[0-9a-f]{32}$/);
    const created = await csms(emulator, 'POST', `/v1/${project}/secrets`, { name: 'db', secret_string: 'pw' });
    assert.equal(created.status, 200);
    const read = await csms(emulator, 'GET', `/v1/${project}/secrets/db/versions/latest`);
    assert.equal(read.body.version.secret_string, 'pw');
  });

  test('advanceClock moves the clock the emulator reports', async () => {
    // Frozen, so the moments compared are exact rather than a few microseconds apart.
    const frozen = await emulator.freezeClock();
    const moved = await emulator.advanceClock(7 * 86_400);
    assert.equal(moved.now, frozen.now + 7 * 86_400_000);
    assert.equal((await emulator.clock()).now, moved.now);
    const set = await emulator.setClock(new Date('2031-01-01T00:00:00Z'));
    assert.equal(set.now, Date.parse('2031-01-01T00:00:00Z'));
    assert.equal((await emulator.freezeClock(false)).mode, 'real');
  });

  test('reset empties one project', async () => {
    const [kept, emptied] = [emulator.newProjectId(), emulator.newProjectId()];
    for (const project of [kept, emptied]) {
      await csms(emulator, 'POST', `/v1/${project}/secrets`, { name: 's', secret_string: 'v' });
    }
    await emulator.reset(emptied);
    assert.equal((await csms(emulator, 'GET', `/v1/${emptied}/secrets`)).body.secrets.length, 0);
    assert.equal((await csms(emulator, 'GET', `/v1/${kept}/secrets`)).body.secrets.length, 1);
  });

  test('an injected fault fails the faulted operation until cleared', async () => {
    const project = emulator.newProjectId();
    const id = await emulator.injectFault({
      operation: 'CreateSecret', projectId: project, status: 503, error_code: 'CSMS.0006', error_msg: 'injected',
    });
    assert.equal(typeof id, 'number');
    const failed = await csms(emulator, 'POST', `/v1/${project}/secrets`, { name: 'x', secret_string: 'v' });
    assert.deepEqual([failed.status, failed.body.error_code], [503, 'CSMS.0006']);
    await emulator.clearFaults(id);
    const worked = await csms(emulator, 'POST', `/v1/${project}/secrets`, { name: 'x', secret_string: 'v' });
    assert.equal(worked.status, 200);
  });

  test('seed loads a fixture into a project and export reads it back', async () => {
    const project = emulator.newProjectId();
    const fixture = { projects: [{ id: 'elsewhere', secrets: [{ name: 'seeded', versions: [{ secret_string: 'sv' }] }] }] };
    assert.deepEqual(await emulator.seed(fixture, { projectId: project }), { project_id: project, secrets: 1, events: 0 });
    const exported = await emulator.export({ projectId: project, values: true });
    assert.equal(exported.projects[0].secrets[0].versions[0].secret_string, 'sv');
    assert.ok((await emulator.journal({ limit: 5 })).length <= 5);
  });

  test('a refused control call rejects with the emulator\'s error', async () => {
    await assert.rejects(emulator.seed({ projects: [] }), (err) => {
      assert.ok(err instanceof CsmsEmulatorError);
      assert.equal(err.status, 400);
      assert.equal(err.errorCode, 'CSMS.0002');
      assert.match(err.errorMsg, /exactly one/);
      return true;
    });
  });
});

test('two emulators run at once on different ports', async () => {
  const [first, second] = await Promise.all([CsmsEmulator.start(), CsmsEmulator.start()]);
  try {
    assert.notEqual(first.endpoint, second.endpoint);
  } finally {
    await Promise.all([first.stop(), second.stop()]);
  }
});

test('options become flags', async () => {
  const emulator = await CsmsEmulator.start({
    auth: 'enforce', credentials: ['AKN:SKN'], controlToken: 'ctl', projectId: 'abcdefabcdefabcdefabcdefabcdefab',
  });
  try {
    assert.equal((await csms(emulator, 'GET', '/v1/p/secrets')).status, 401);
    assert.equal((await emulator.clock()).mode, 'real'); // the control token opens it
    assert.deepEqual(emulator.credential, { ak: 'AKN', sk: 'SKN' });
    assert.equal(emulator.projectId, 'abcdefabcdefabcdefabcdefabcdefab');
  } finally {
    await emulator.stop();
  }
});

test('a start that fails says why', async () => {
  await assert.rejects(CsmsEmulator.start({ auth: 'sometimes' }), /exited with 2 before serving[\s\S]*sometimes/);
});

test('stop ends the process with status 0, and twice is harmless', async () => {
  const emulator = await CsmsEmulator.start();
  assert.equal(await emulator.stop(), 0);
  assert.equal(await emulator.stop(), 0);
  assert.ok(await waitGone(emulator.pid));
});

test('the emulator does not outlive a Node process killed with SIGKILL', async () => {
  const script = `
    const { CsmsEmulator } = require('csms-emulator');
    CsmsEmulator.start().then((e) => { console.log(e.pid); setInterval(() => {}, 1000); });
  `;
  const parent = spawn(process.execPath, ['-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
    cwd: path.dirname(require.resolve('csms-emulator')),
    env: { ...process.env, NODE_PATH: module.paths.join(path.delimiter) },
  });
  const pid = await new Promise((resolve, reject) => {
    parent.stdout.once('data', (chunk) => resolve(Number(chunk.toString().trim())));
    parent.once('exit', () => reject(new Error('the launching process ended first')));
  });
  assert.ok(alive(pid));
  parent.kill('SIGKILL');
  assert.ok(await waitGone(pid), 'the emulator outlived the killed process');
});
