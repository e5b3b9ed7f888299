// The control API methods (lib/control.js) against one emulator for this file; each test
// works in a fresh project, and the clock test has an emulator of its own.
'use strict';

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { CsmsEmulator, CsmsEmulatorError, EmulatorControl } = require('csms-emulator');
const { csms } = require('./helpers');

const DAY_MS = 86_400_000;

let emulator;
before(async () => {
  emulator = await CsmsEmulator.start();
});
after(() => emulator.stop());

const create = (project, name, value = 'v') =>
  csms(emulator.endpoint, 'POST', `/v1/${project}/secrets`, { name, secret_string: value });

describe('the clock, on an emulator of its own', () => {
  let own;
  before(async () => {
    own = await CsmsEmulator.start();
  });
  after(() => own.stop());

  test('advanceClock moves the clock GET /_emulator/clock reports; setClock and freezeClock too', async () => {
    // Frozen, so the moments compared are exact rather than microseconds apart.
    const frozen = await own.freezeClock();
    assert.equal(frozen.mode, 'frozen');
    const moved = await own.advanceClock(7 * 24 * 3600);
    assert.equal(moved.now, frozen.now + 7 * DAY_MS);
    const reported = await (await fetch(`${own.endpoint}/_emulator/clock`)).json();
    assert.equal(reported.now, frozen.now + 7 * DAY_MS);
    assert.equal((await own.setClock(new Date('2031-01-01T00:00:00Z'))).now, Date.parse('2031-01-01T00:00:00Z'));
    assert.equal((await own.setClock(Date.UTC(2032, 0, 1))).now, Date.UTC(2032, 0, 1));
    assert.equal((await own.freezeClock(false)).mode, 'real');
  });

  test('advancing the clock runs a scheduled deletion', async () => {
    const project = own.newProjectId();
    await csms(own.endpoint, 'POST', `/v1/${project}/secrets`, { name: 'doomed', secret_string: 'v' });
    const path = `/v1/${project}/secrets/doomed/scheduled-deleted-tasks/create`;
    assert.equal((await csms(own.endpoint, 'POST', path, { recovery_window_in_days: 7 })).status, 200);
    assert.equal((await csms(own.endpoint, 'GET', `/v1/${project}/secrets/doomed`)).status, 200);
    await own.advanceClock(7 * 24 * 3600 + 1);
    assert.equal((await csms(own.endpoint, 'GET', `/v1/${project}/secrets/doomed`)).status, 404);
  });
});

test('reset empties one project and leaves the others', async () => {
  const [kept, emptied] = [emulator.newProjectId(), emulator.newProjectId()];
  for (const project of [kept, emptied]) await create(project, 's');
  await emulator.reset(emptied);
  assert.equal((await csms(emulator.endpoint, 'GET', `/v1/${emptied}/secrets`)).body.secrets.length, 0);
  assert.equal((await csms(emulator.endpoint, 'GET', `/v1/${kept}/secrets`)).body.secrets.length, 1);
});

test('an injected fault fails the faulted operation until it is removed', async () => {
  const project = emulator.newProjectId();
  const id = await emulator.injectFault({
    operation: 'CreateSecret', projectId: project, status: 503, errorCode: 'CSMS.0006', errorMsg: 'injected',
  });
  assert.equal(typeof id, 'number');
  assert.ok((await emulator.faults()).some((rule) => rule.id === id && rule.project === project));
  const failed = await create(project, 'x');
  assert.deepEqual([failed.status, failed.body.error_code, failed.body.error_msg], [503, 'CSMS.0006', 'injected']);
  await emulator.removeFault(id);
  assert.equal((await create(project, 'x')).status, 200);
});

test('a fault limited to `times` calls ends itself; clearFaults removes the rest', async () => {
  const project = emulator.newProjectId();
  await emulator.injectFault({ operation: 'CreateSecret', projectId: project, status: 500, errorCode: 'CSMS.0001', times: 1 });
  await emulator.injectFault({ operation: 'ShowSecret', projectId: project, latencyMs: 1 });
  assert.equal((await create(project, 'x')).status, 500);
  assert.equal((await create(project, 'x')).status, 200);
  await emulator.clearFaults();
  assert.deepEqual(await emulator.faults(), []);
});

test('seed loads a fixture into a project; export reads it back', async () => {
  const project = emulator.newProjectId();
  const fixture = { format: 1, projects: [{ id: 'named-in-file', secrets: [{ name: 'db', versions: [{ secret_string: 'pw' }] }] }] };
  assert.deepEqual(await emulator.seed(fixture, { projectId: project }), { project_id: project, secrets: 1, events: 0 });
  const withValues = await emulator.export({ projectId: project, values: true });
  assert.equal(withValues.projects[0].secrets[0].versions[0].secret_string, 'pw');
  const withoutValues = await emulator.export({ projectId: project });
  assert.equal(withoutValues.projects[0].secrets[0].versions[0].secret_string, undefined);
});

test('setSecretState does what no public API does', async () => {
  const project = emulator.newProjectId();
  await create(project, 'db');
  assert.equal((await emulator.setSecretState('db', 'DISABLED', { projectId: project })).state, 'DISABLED');
  assert.equal((await csms(emulator.endpoint, 'GET', `/v1/${project}/secrets/db`)).body.secret.state, 'DISABLED');
});

test('journal lists the latest requests; clearJournal empties it', async () => {
  const project = emulator.newProjectId();
  await emulator.clearJournal();
  await create(project, 'db');
  const [entry] = await emulator.journal({ limit: 1 });
  assert.deepEqual([entry.operation, entry.project, entry.status], ['CreateSecret', project, 200]);
  await emulator.clearJournal();
  assert.deepEqual(await emulator.journal(), []);
});

test('a refused control call rejects with CsmsEmulatorError', async () => {
  await assert.rejects(emulator.seed({ format: 1, projects: [] }), (err) => {
    assert.ok(err instanceof CsmsEmulatorError);
    assert.ok(err instanceof Error);
    assert.equal(err.status, 400);
    assert.equal(err.errorCode, 'CSMS.0002');
    assert.match(err.errorMsg, /exactly one/);
    assert.match(err.message, /^POST \/_emulator\/seed: 400 CSMS\.0002: /);
    return true;
  });
  await assert.rejects(emulator.removeFault(999_999), { name: 'CsmsEmulatorError', status: 404, errorCode: 'CSMS.0005' });
});

test('EmulatorControl drives a running emulator; without the control token enforce mode refuses it', async (t) => {
  const enforcing = await CsmsEmulator.start({ auth: 'enforce', controlToken: 'ctl' });
  t.after(() => enforcing.stop());
  const withToken = new EmulatorControl(enforcing.endpoint, { controlToken: 'ctl' });
  assert.equal(await withToken.isHealthy(), true);
  assert.equal(await withToken.isReady(), true);
  assert.equal((await withToken.clock()).mode, 'real');
  await assert.rejects(new EmulatorControl(enforcing.endpoint).clock(), { status: 401, errorCode: 'APIGW.0301' });
});

test('a control call to no emulator says where it went', async () => {
  const stopped = await CsmsEmulator.start();
  await stopped.stop();
  await assert.rejects(stopped.clock(), /GET \/_emulator\/clock: csms-emulator at http:\/\/127\.0\.0\.1:\d+ is unreachable \(\w+\)/);
});
