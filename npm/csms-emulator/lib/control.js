// The control API (/_emulator/, docs/control-api.md) as methods: for an emulator this
// package started (CsmsEmulator extends EmulatorControl) or one running elsewhere (a
// container, a shared instance). Every method is one HTTP call; this file holds no process.
'use strict';

const crypto = require('node:crypto');
const fs = require('node:fs');

const DEFAULT_PROJECT_ID = '0123456789abcdef0123456789abcdef';

/** The emulator refused a control call: its HTTP status and CSMS-style error. */
class CsmsEmulatorError extends Error {
  /**
   * @param {number} status
   * @param {string} errorCode
   * @param {string} errorMsg
   * @param {string} call `METHOD /path`
   */
  constructor(status, errorCode, errorMsg, call) {
    super(`${call}: ${status} ${errorCode}: ${errorMsg}`);
    this.name = 'CsmsEmulatorError';
    this.status = status;
    this.errorCode = errorCode;
    this.errorMsg = errorMsg;
  }
}

/** `path?query` with the query's undefined, null and false entries left out. */
function withQuery(path, query) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== false) params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/** A running emulator's control API. */
class EmulatorControl {
  #controlToken;

  /**
   * @param {string | null} endpoint `http://HOST:PORT`
   * @param {{projectId?: string, controlToken?: string}} [options] `controlToken` is sent
   *   as X-Auth-Token on every control call (needed with `--auth enforce`)
   */
  constructor(endpoint, { projectId, controlToken } = {}) {
    this.endpoint = endpoint;
    this.projectId = projectId ?? DEFAULT_PROJECT_ID;
    this.#controlToken = controlToken;
  }

  /**
   * One control call: the decoded JSON answer, or null for an empty one. A 4xx or 5xx
   * answer rejects with a CsmsEmulatorError.
   * @param {string} method
   * @param {string} path
   * @param {unknown} [body] sent as JSON
   */
  async call(method, path, body) {
    const headers = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.#controlToken) headers['x-auth-token'] = this.#controlToken;
    let response;
    try {
      response = await fetch(this.endpoint + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      const why = err.cause?.code ?? err.message;
      throw new Error(`${method} ${path}: csms-emulator at ${this.endpoint} is unreachable (${why})`, { cause: err });
    }
    const text = await response.text();
    if (!response.ok) {
      let answer = {};
      try {
        answer = JSON.parse(text);
      } catch {
        // Not the emulator's JSON error (a proxy's page?): the text is the message.
      }
      throw new CsmsEmulatorError(response.status, answer.error_code ?? '', answer.error_msg ?? text, `${method} ${path}`);
    }
    return text ? JSON.parse(text) : null;
  }

  /** Whether `/_emulator/ready` answers 200: the state is loaded and writes are taken. */
  isReady() {
    return this.#answers200('/_emulator/ready');
  }

  /** Whether `/_emulator/health` answers 200: the process is alive (from the moment its port
   * is bound, while its state may still be loading). */
  isHealthy() {
    return this.#answers200('/_emulator/health');
  }

  async #answers200(path) {
    try {
      await this.call('GET', path);
      return true;
    } catch {
      return false;
    }
  }

  /** The clock: `{now, mode, offset_ms}` (epoch milliseconds). */
  clock() {
    return this.call('GET', '/_emulator/clock');
  }

  /**
   * Moves the clock forward, running on the way everything that falls due (scheduled
   * deletions, version expiry, rotation). Resolves to the clock.
   * @param {number} seconds
   */
  advanceClock(seconds) {
    return this.call('POST', '/_emulator/clock', { advance: Math.round(seconds * 1000) });
  }

  /**
   * Sets the clock to a Date or epoch milliseconds (forward runs what falls due).
   * Resolves to the clock.
   * @param {Date | number} when
   */
  setClock(when) {
    return this.call('POST', '/_emulator/clock', { set: when instanceof Date ? when.getTime() : when });
  }

  /** Freezes the clock (true) or lets it run again (false). Resolves to the clock. */
  freezeClock(frozen = true) {
    return this.call('POST', '/_emulator/clock', { mode: frozen ? 'frozen' : 'real' });
  }

  /** Empties one project, or every project. */
  async reset(projectId) {
    await this.call('POST', withQuery('/_emulator/reset', { project: projectId }));
  }

  /**
   * Loads a fixture holding one project (the object, or a `--seed` file's path) in one
   * transaction; into `projectId` when given, whatever id the fixture names. Resolves to
   * `{project_id, secrets, events}`.
   * @param {object | string} fixture
   * @param {{projectId?: string}} [options]
   */
  seed(fixture, { projectId } = {}) {
    const document = typeof fixture === 'string' ? JSON.parse(fs.readFileSync(fixture, 'utf8')) : fixture;
    return this.call('POST', withQuery('/_emulator/seed', { project: projectId }), document);
  }

  /**
   * The state as a fixture, of one project or all; secret values only when asked.
   * @param {{projectId?: string, values?: boolean}} [options]
   */
  export({ projectId, values } = {}) {
    return this.call('GET', withQuery('/_emulator/export', { project: projectId, values }));
  }

  /**
   * Sets a secret's state (`ENABLED`, `DISABLED`, `FROZEN`), which no public API does.
   * Resolves to the secret.
   * @param {string} secretName
   * @param {string} state
   * @param {{projectId?: string}} [options] default: this emulator's project
   */
  async setSecretState(secretName, state, { projectId = this.projectId } = {}) {
    const path = `/_emulator/projects/${encodeURIComponent(projectId)}/secrets/${encodeURIComponent(secretName)}/state`;
    return (await this.call('POST', path, { state })).secret;
  }

  /**
   * The latest requests, oldest first (operation, project, secret, status, error code,
   * latency; never a value or credential).
   * @param {{limit?: number}} [options]
   */
  async journal({ limit } = {}) {
    return (await this.call('GET', withQuery('/_emulator/journal', { limit }))).requests;
  }

  /** Empties the journal. */
  async clearJournal() {
    await this.call('DELETE', '/_emulator/journal');
  }

  /**
   * Makes matching calls fail with `status` and `errorCode` (or wait `latencyMs`) before
   * any state changes. Resolves to the rule's id.
   * @param {import('../index').FaultRule} [rule]
   */
  async injectFault({
    operation = '*', projectId, secretPattern, status, errorCode, errorMsg, latencyMs, times, probability,
  } = {}) {
    const rule = await this.call('POST', '/_emulator/faults', {
      operation,
      project: projectId,
      secret_pattern: secretPattern,
      status,
      error_code: errorCode,
      error_msg: errorMsg,
      latency_ms: latencyMs,
      times,
      probability,
    });
    return rule.id;
  }

  /** The fault rules in force, as the emulator describes them. */
  async faults() {
    return (await this.call('GET', '/_emulator/faults')).faults;
  }

  /** Removes one fault rule (a rule limited to `times` calls removes itself when used up). */
  async removeFault(id) {
    await this.call('DELETE', `/_emulator/faults/${encodeURIComponent(id)}`);
  }

  /** Removes every fault rule. */
  async clearFaults() {
    await this.call('DELETE', '/_emulator/faults');
  }

  /** A fresh project id (32 hex characters): a namespace of its own, for one test. */
  newProjectId() {
    return crypto.randomBytes(16).toString('hex');
  }
}

module.exports = { EmulatorControl, CsmsEmulatorError, DEFAULT_PROJECT_ID };
