// app.js against csms-emulator: one emulator for this file, a fresh project per test, so
// every test may use the same secret name.
'use strict';

const { test, before, after, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const { CsmsEmulator } = require('csms-emulator');
const { databaseUrl, SecretUnavailable, DEFAULT_SECRET } = require('../app');

const SETTINGS = { username: 'app', password: 'p@ss/word', host: 'db.internal', database: 'orders' };

let emulator;
let projectId;
before(async () => {
  emulator = await CsmsEmulator.start();
});
after(() => emulator.stop());
beforeEach(() => {
  projectId = emulator.newProjectId();
});

async function store(value, name = DEFAULT_SECRET) {
  const response = await fetch(`${emulator.endpoint}/v1/${projectId}/secrets`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, secret_string: typeof value === 'string' ? value : JSON.stringify(value) }),
  });
  assert.equal(response.status, 200);
}

const read = () => databaseUrl({ endpoint: emulator.endpoint, projectId });

test('the url is built from the secret', async () => {
  await store(SETTINGS);
  assert.equal(await read(), 'postgresql://app:p%40ss%2Fword@db.internal:5432/orders');
});

test('a new version is read after rotation', async () => {
  await store(SETTINGS);
  await fetch(`${emulator.endpoint}/v1/${projectId}/secrets/${DEFAULT_SECRET}/versions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ secret_string: JSON.stringify({ ...SETTINGS, password: 'rotated' }) }),
  });
  assert.match(await read(), /:rotated@/);
});

test('a missing secret is reported', async () => {
  await assert.rejects(read(), (err) => err instanceof SecretUnavailable && /CSMS\.0005/.test(err.message));
});

test('one server error is retried', async () => {
  await store(SETTINGS);
  const fault = await emulator.injectFault({
    operation: 'ShowSecretVersion', projectId, status: 500, error_code: 'CSMS.0001', times: 1,
  });
  assert.match(await read(), /^postgresql:\/\/app:/);
  await emulator.clearFaults(fault).catch(() => {}); // a used-up rule may be gone already
});

test('two server errors give up', async () => {
  await store(SETTINGS);
  const fault = await emulator.injectFault({
    operation: 'ShowSecretVersion', projectId, status: 500, error_code: 'CSMS.0001',
  });
  await assert.rejects(read(), SecretUnavailable);
  await emulator.clearFaults(fault);
});

test('a seeded secret is read', async () => {
  const value = JSON.stringify({ ...SETTINGS, password: 'seeded' });
  await emulator.seed(
    { projects: [{ id: 'any', secrets: [{ name: DEFAULT_SECRET, versions: [{ secret_string: value }] }] }] },
    { projectId },
  );
  assert.equal(await read(), 'postgresql://app:seeded@db.internal:5432/orders');
});

test('a value that is not JSON is reported', async () => {
  await store('hunter2');
  await assert.rejects(read(), /not a database secret/);
});
