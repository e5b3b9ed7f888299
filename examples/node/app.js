// The application's database settings, read from a CSMS secret that holds
// {"username", "password", "host", "port", "database"} as JSON.
'use strict';

const DEFAULT_SECRET = 'myapp-database';

/** The database secret cannot be read. */
class SecretUnavailable extends Error {}

/**
 * `postgresql://user:password@host:port/database` from the secret's current version. A
 * server error is tried again, up to `attempts` times in all.
 * @param {{endpoint: string, projectId: string, secretName?: string, attempts?: number}} settings
 */
async function databaseUrl({ endpoint, projectId, secretName = DEFAULT_SECRET, attempts = 2 }) {
  const url = `${endpoint}/v1/${projectId}/secrets/${encodeURIComponent(secretName)}/versions/latest`;
  let answer;
  for (let attempt = 1; ; attempt += 1) {
    const response = await fetch(url);
    answer = await response.json();
    if (response.ok) break;
    if (response.status < 500 || attempt >= attempts) {
      throw new SecretUnavailable(`${secretName}: ${answer.error_code} ${answer.error_msg}`);
    }
  }
  let settings;
  try {
    settings = JSON.parse(answer.version.secret_string);
  } catch (err) {
    throw new SecretUnavailable(`${secretName}: not a database secret (${err.message})`);
  }
  const { username, password, host, database, port = 5432 } = settings;
  if (!username || !password || !host || !database) {
    throw new SecretUnavailable(`${secretName}: not a database secret (a field is missing)`);
  }
  const user = encodeURIComponent(username);
  return `postgresql://${user}:${encodeURIComponent(password)}@${host}:${port}/${database}`;
}

module.exports = { databaseUrl, SecretUnavailable, DEFAULT_SECRET };
