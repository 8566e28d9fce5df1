// HTTP_PROXY / HTTPS_PROXY / NO_PROXY from the environment, as pip and uv honour
// them: requests to the index go through the proxy, except for NO_PROXY hosts.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sandbox, type Sandbox } from './helpers/cli.js';
import { startTestIndex, type TestIndex } from './helpers/test-index.js';

/** A forward proxy on 127.0.0.1 that counts what went through it (CONNECT tunnels and absolute-form requests). */
function startProxy(): Promise<{ url: string; seen: string[]; close: () => Promise<void> }> {
  const seen: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    seen.push(`${req.method ?? ''} ${req.url ?? ''}`);
    const target = new URL(req.url ?? '');
    const upstream = httpRequest({ host: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connect', (req, client: Socket, head: Buffer) => {
    seen.push(`CONNECT ${req.url ?? ''}`);
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host ?? '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        seen,
        close: () =>
          new Promise((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

describe('proxies from the environment', () => {
  let index: TestIndex;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  let box: Sandbox;

  before(async () => {
    index = await startTestIndex({ packages: [{ name: 'behind', version: '1.2', requires: ['dep'] }, { name: 'dep', version: '0.1' }] });
    proxy = await startProxy();
    box = sandbox();
    writeFileSync(join(box.cwd, 'req.in'), 'behind\n');
  });
  after(async () => {
    await proxy.close();
    await index.close();
    box.cleanup();
  });

  it('sends index requests through HTTP_PROXY', async () => {
    const r = await box.run(['pip', 'compile', 'req.in', '--index-url', index.url, '--cache-dir', join(box.root, 'c1')], { env: { HTTP_PROXY: proxy.url, NO_PROXY: '', no_proxy: '' } });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^behind==1\.2$/m);
    assert.match(r.stdout, /^dep==0\.1$/m);
    assert.ok(proxy.seen.length > 0, 'the proxy saw the requests');
    assert.ok(proxy.seen.some((s) => s.includes(`127.0.0.1:${index.port}`)), proxy.seen.join('\n'));
  });

  it('goes direct for NO_PROXY hosts', async () => {
    const before = proxy.seen.length;
    const r = await box.run(['pip', 'compile', 'req.in', '--index-url', index.url, '--cache-dir', join(box.root, 'c2')], { env: { HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(proxy.seen.length, before, 'nothing went through the proxy');
  });
});
