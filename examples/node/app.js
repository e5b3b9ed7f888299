// The application's database settings, read from the CSMS secret that holds
// {"username", "password", "host", "port"?, "database"} as JSON, with fetch over CSMS's
// REST API (an IAM token in X-Auth-Token authenticates it, as Huawei Cloud's APIs accept).
'use strict';

const DEFAULT_SECRET = 'myapp-database';

/** The secret cannot be read, or does not hold database settings. */
class SecretUnavailable extends Error {
  constructor(message) {
    super(message);
    this.name = 'SecretUnavailable';
  }
}

/**
 * `postgresql://user:password@host:port/database` from the secret's latest version. A
 * server error (5xx) is tried again, up to `attempts` calls in all.
 * @param {{endpoint: string, projectId: string, token?: string, secretName?: string, attempts?: number}} settings
 * @returns {Promise<string>}
 */
async function databaseUrl({ endpoint, projectId, token, secretName = DEFAULT_SECRET, attempts = 2 }) {
  const url = `${endpoint}/v1/${projectId}/secrets/${encodeURIComponent(secretName)}/versions/latest`;
  const headers = token ? { 'x-auth-token': token } : {};
  let response;
  let answer;
  for (let attempt = 1; ; attempt += 1) {
    response = await fetch(url, { headers });
    answer = await response.json();
    if (response.status < 500 || attempt >= attempts) break;
  }
  if (!response.ok) throw new SecretUnavailable(`${secretName}: ${answer.error_code} ${answer.error_msg}`);

  let settings;
  try {
    settings = JSON.parse(answer.version.secret_string);
  } catch (err) {
    throw new SecretUnavailable(`${secretName}: not JSON (${err.message})`);
  }
  const { username, password, host, database, port = 5432 } = settings;
  const missing = Object.entries({ username, password, host, database }).filter(([, value]) => !value);
  if (missing.length) {
    throw new SecretUnavailable(`${secretName}: no ${missing.map(([key]) => key).join(', ')}`);
  }
  const credentials = `${encodeURIComponent(username)}:${encodeURIComponent(password)}`;
  return `postgresql://${credentials}@${host}:${port}/${encodeURIComponent(database)}`;
}

module.exports = { databaseUrl, SecretUnavailable, DEFAULT_SECRET };
