// app.js against csms-emulator: one emulator for this file, enforcing authentication as
// CSMS does, and a fresh project per test, so tests share no state and may reuse names.
'use strict';

const { test, before, after, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const { CsmsEmulator } = require('csms-emulator');
const { databaseUrl, SecretUnavailable, DEFAULT_SECRET } = require('../app');

const TOKEN = 'test-iam-token';
const SETTINGS = { username: 'app', password: 'p@ss/word', host: 'db.internal', database: 'orders' };

let emulator;
let projectId;
before(async () => {
  emulator = await CsmsEmulator.start({ auth: 'enforce', tokens: [TOKEN], controlToken: 'test-control-token' });
});
after(() => emulator.stop());
beforeEach(() => {
  projectId = emulator.newProjectId();
});

/** A CSMS call in this test's project, as the application would make it. */
async function csms(method, path, body) {
  const response = await fetch(`${emulator.endpoint}/v1/${projectId}${path}`, {
    method,
    headers: { 'content-type': 'application/json', 'x-auth-token': TOKEN },
    body: JSON.stringify(body),
  });
  assert.equal(response.status, 200, await response.text());
}

const json = (value) => (typeof value === 'string' ? value : JSON.stringify(value));
const store = (value) => csms('POST', '/secrets', { name: DEFAULT_SECRET, secret_string: json(value) });
const read = (settings = {}) => databaseUrl({ endpoint: emulator.endpoint, projectId, token: TOKEN, ...settings });

test('the url is built from the secret, escaped', async () => {
  await store(SETTINGS);
  assert.equal(await read(), 'postgresql://app:p%40ss%2Fword@db.internal:5432/orders');
});

test('the latest version is read after a rotation', async () => {
  await store(SETTINGS);
  await csms('POST', `/secrets/${DEFAULT_SECRET}/versions`, { secret_string: json({ ...SETTINGS, password: 'rotated' }) });
  assert.match(await read(), /^postgresql:\/\/app:rotated@/);
});

test('a missing secret is reported with CSMS\'s error', async () => {
  await assert.rejects(read(), (err) => err instanceof SecretUnavailable && /CSMS\.0005/.test(err.message));
});

test('a request without the token is refused', async () => {
  await store(SETTINGS);
  await assert.rejects(read({ token: undefined }), /APIGW\.0301/);
});

test('one server error is retried', async () => {
  await store(SETTINGS);
  // The rule is limited to this test's project, so it cannot leak into another test.
  await emulator.injectFault({ operation: 'ShowSecretVersion', projectId, status: 500, errorCode: 'CSMS.0001', times: 1 });
  assert.match(await read(), /^postgresql:\/\/app:/);
});

test('two server errors give up', async () => {
  await store(SETTINGS);
  await emulator.injectFault({ operation: 'ShowSecretVersion', projectId, status: 500, errorCode: 'CSMS.0001', times: 2 });
  await assert.rejects(read(), /CSMS\.0001/);
});

test('a secret seeded from a fixture is read', async () => {
  const secret = { name: DEFAULT_SECRET, versions: [{ secret_string: json({ ...SETTINGS, password: 'seeded' }) }] };
  await emulator.seed({ format: 1, projects: [{ id: 'fixture', secrets: [secret] }] }, { projectId });
  assert.equal(await read(), 'postgresql://app:seeded@db.internal:5432/orders');
});

test('a disabled secret is reported', async () => {
  await store(SETTINGS);
  await emulator.setSecretState(DEFAULT_SECRET, 'DISABLED', { projectId });
  await assert.rejects(read(), (err) => err instanceof SecretUnavailable && /CSMS\.0109/.test(err.message));
});

test('a value that is not database settings is reported', async () => {
  await store('hunter2');
  await assert.rejects(read(), /not JSON/);
  await csms('POST', `/secrets/${DEFAULT_SECRET}/versions`, { secret_string: json({ ...SETTINGS, host: '' }) });
  await assert.rejects(read(), /no host/);
});
