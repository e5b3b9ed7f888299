// A throwaway npm registry for npm/test-install.sh: serves the packages packed in one
// folder's .tgz files (a packument per name, and the tarballs) on a loopback port, answers
// 404 to everything else, and logs every request, so the test can show that npm fetched
// what a user's `npm install csms-emulator` fetches and nothing more. Not for real use.
//
//   node npm/local-registry.js DIST_NPM
//       first line on stdout: the registry's URL; then `METHOD PATH STATUS` per request.
//       Runs until killed.
'use strict';

const { execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');

const dist = path.resolve(process.argv[2] ?? '');
const tarballs = fs.readdirSync(dist).filter((file) => file.endsWith('.tgz'));
if (tarballs.length === 0) {
  console.error(`usage: node ${path.basename(__filename)} DIST_NPM (a folder of npm pack tarballs)`);
  process.exit(2);
}

const server = http.createServer();
/** name → the packument; filled once the port is known (tarball URLs carry it). */
const packuments = new Map();

server.on('request', (request, response) => {
  const urlPath = new URL(request.url, 'http://registry').pathname;
  let status = 404;
  let body = JSON.stringify({ error: 'not found' });
  let type = 'application/json';
  const tarball = /^\/-\/tarballs\/([^/]+\.tgz)$/.exec(urlPath);
  const packument = packuments.get(decodeURIComponent(urlPath.slice(1)));
  if (request.method !== 'GET') {
    status = 405;
  } else if (tarball && tarballs.includes(tarball[1])) {
    [status, body, type] = [200, fs.readFileSync(path.join(dist, tarball[1])), 'application/octet-stream'];
  } else if (packument) {
    [status, body] = [200, JSON.stringify(packument)];
  }
  console.log(`${request.method} ${urlPath} ${status}`);
  response.writeHead(status, { 'content-type': type });
  response.end(body);
});

server.listen(0, '127.0.0.1', () => {
  const base = `http://127.0.0.1:${server.address().port}`;
  for (const file of tarballs) {
    const bytes = fs.readFileSync(path.join(dist, file));
    const manifest = JSON.parse(execFileSync('tar', ['-xzOf', path.join(dist, file), 'package/package.json']));
    if (packuments.has(manifest.name)) {
      console.error(`${dist} holds ${manifest.name} twice; a test registry serves one version`);
      process.exit(2);
    }
    packuments.set(manifest.name, {
      name: manifest.name,
      'dist-tags': { latest: manifest.version },
      versions: {
        [manifest.version]: {
          ...manifest,
          _id: `${manifest.name}@${manifest.version}`,
          dist: {
            tarball: `${base}/-/tarballs/${file}`,
            integrity: `sha512-${crypto.createHash('sha512').update(bytes).digest('base64')}`,
            shasum: crypto.createHash('sha1').update(bytes).digest('hex'),
          },
        },
      },
    });
  }
  console.log(`${base}/`);
});
