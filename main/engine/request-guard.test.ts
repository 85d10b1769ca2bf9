import { describe, expect, test } from 'vitest';
import { bindSources, MountPolicy } from './mount-policy';
import { chunkSize, denialResponse, RequestGuard } from './request-guard';

/** Feeds `input` in pieces of `step` bytes; returns what was forwarded and any denial. */
async function run(input: string, step: number, inspect = (_b: unknown): string | undefined => undefined) {
  const g = new RequestGuard(inspect);
  const out: Buffer[] = [];
  const denied: string[] = [];
  g.on('data', (d: Buffer) => out.push(d));
  g.on('deny', (r: string) => denied.push(r));
  const buf = Buffer.from(input, 'latin1');
  for (let i = 0; i < buf.length; i += step) g.write(buf.subarray(i, i + step));
  g.end();
  await new Promise((r) => g.once('end', r).once('close', r).resume());
  return { out: Buffer.concat(out).toString('latin1'), denied };
}

const req = (method: string, path: string, body = '', headers = '') =>
  `${method} ${path} HTTP/1.1\r\nHost: docker\r\n${headers}${body ? `Content-Length: ${Buffer.byteLength(body)}\r\n` : ''}\r\n${body}`;
const chunked = (path: string, parts: string[]) =>
  `POST ${path} HTTP/1.1\r\nHost: docker\r\nTransfer-Encoding: chunked\r\n\r\n${parts.map((p) => `${Buffer.byteLength(p).toString(16)};ext=1\r\n${p}\r\n`).join('')}0\r\nX-Trailer: y\r\n\r\n`;

const create = (binds: string[]) => JSON.stringify({ Image: 'busybox', HostConfig: { Binds: binds } });
const denyUnder = (prefix: string) => (b: unknown) => (bindSources(b).some((s) => s.startsWith(prefix)) ? `Mounts denied: ${prefix}` : undefined);

describe('RequestGuard', () => {
  test('every byte of ordinary requests passes through unchanged, whatever the piece size', async () => {
    const input =
      req('GET', '/_ping') +
      req('POST', '/v1.41/build?t=x', 'tar bytes \r\n\r\n POST /containers/create') +
      chunked('/v1.41/images/load', ['abc', 'POST /x HTTP/1.1\r\n\r\n']) +
      req('GET', '/v1.41/version');
    for (const step of [1, 3, 7, 64, 100_000]) {
      const r = await run(input, step, denyUnder('/'));
      expect(r.out, `step ${step}`).toBe(input);
      expect(r.denied).toEqual([]);
    }
  });

  test('an allowed create passes unchanged, Content-Length or chunked, and requests after it too', async () => {
    const input =
      req('POST', '/v1.41/containers/create?name=web', create(['/home/me/www:/www'])) +
      chunked('/containers/create', [create(['/home/me/a:/a']).slice(0, 10), create(['/home/me/a:/a']).slice(10)]) +
      req('GET', '/_ping');
    for (const step of [1, 5, 4096]) {
      const r = await run(input, step, denyUnder('/srv'));
      expect(r.out).toBe(input);
      expect(r.denied).toEqual([]);
    }
  });

  test('a denied create never reaches the engine, and nothing after it does either', async () => {
    const before = req('GET', '/_ping');
    for (const step of [1, 9, 4096]) {
      const r = await run(before + req('POST', '/v1.43/containers/create', create(['/srv/site:/www'])) + req('GET', '/_ping'), step, denyUnder('/srv'));
      expect(r.out).toBe(before);
      expect(r.denied).toEqual(['Mounts denied: /srv']);
      const c = await run(chunked('/containers/create', [create(['/srv/x:/x'])]), step, denyUnder('/srv'));
      expect(c.out).toBe('');
      expect(c.denied).toHaveLength(1);
    }
  });

  test('after a hijacked or upgraded request the connection is a plain pipe', async () => {
    const hijack = req('POST', '/v1.41/containers/abc/attach?stream=1&stdin=1', '', 'Connection: Upgrade\r\nUpgrade: tcp\r\n');
    const raw = req('POST', '/containers/create', create(['/srv/x:/x']));
    for (const h of [hijack, req('POST', '/v1.41/exec/123/start', '{"Detach":false}')]) {
      const r = await run(h + raw, 4, denyUnder('/srv'));
      expect(r.out).toBe(h + raw);
      expect(r.denied).toEqual([]);
    }
  });

  test('junk it cannot parse is passed on for the engine to refuse', async () => {
    const junk = 'POST /containers/create HTTP/1.1\r\nContent-Length: nope\r\n\r\n{"HostConfig":{"Binds":["/srv/x:/x"]}}';
    expect((await run(junk, 3, denyUnder('/srv'))).out).toBe(junk);
    expect((await run('GET /\r\n', 1)).out).toBe('GET /\r\n');
  });

  test('the denial is an HTTP 400 with a JSON message, as dockerd sends', () => {
    const r = denialResponse('Mounts denied: x').toString();
    expect(r).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(r.endsWith('\r\n\r\n{"message":"Mounts denied: x"}')).toBe(true);
    expect(r).toContain(`Content-Length: ${'{"message":"Mounts denied: x"}'.length}`);
  });
});

describe('MountPolicy', () => {
  const onHost = (p: string) => (p.startsWith('/srv') ? (p.endsWith('.conf') ? 'file' : 'dir') : undefined) as 'dir' | 'file' | undefined;
  const policy = new MountPolicy(['/home/me', '/tmp'], ['/data'], onHost);

  test('shared folders, guest-only paths and paths the host does not have pass', () => {
    expect(policy.deny(['/home/me/project/www', '/tmp/x', '/var/run/docker.sock', '/proc', '/var/lib/docker/volumes', '/opt/only-in-vm'])).toBeUndefined();
  });

  test('a host path outside every shared folder is refused, naming it and the command that shares it', () => {
    expect(policy.deny(['/home/me/ok', '/srv/site'])).toBe(
      'Mounts denied: the path /srv/site is not shared from the host, so the container would see an empty folder. Shared now: /home/me, /tmp. To share it: berth config set sharedPaths /data,/srv/site && berth restart',
    );
    expect(policy.deny(['/srv/nginx.conf'])).toMatch(/sharedPaths \/data,\/srv &&/);
    expect(policy.deny(['/home/me/../../srv/x'])).toMatch(/the path \/srv\/x is not shared/);
  });

  test('bind sources come from Binds and bind Mounts; volumes and other mount types are not sources', () => {
    expect(
      bindSources({
        HostConfig: {
          Binds: ['/a:/a:ro', 'named:/v', 'C:/x'],
          Mounts: [
            { Type: 'bind', Source: '/b', Target: '/b' },
            { Type: 'volume', Source: 'v', Target: '/v' },
            { Type: 'tmpfs', Target: '/t' },
          ],
        },
      }),
    ).toEqual(['/a', '/b']);
    for (const junk of [null, 1, {}, { HostConfig: null }, { HostConfig: { Binds: 'x', Mounts: [null] } }]) expect(bindSources(junk)).toEqual([]);
  });

  test("chunk sizes follow Go's grammar: hex digits, 16 at most, optional extensions; a negative size no longer loops forever", async () => {
    expect(chunkSize('1a')).toBe(26);
    expect(chunkSize('1A;name=value')).toBe(26);
    expect(chunkSize('10 ')).toBe(16);
    for (const bad of ['-5', '0x1', '+1', '', ' 1', '1_0', '12345678901234567', 'z']) expect(() => chunkSize(bad), bad).toThrow(/chunk size/);
    for (const path of ['/images/create', '/containers/create']) {
      const t0 = Date.now();
      const r = await run(`POST ${path} HTTP/1.1\r\nHost: docker\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nZ\r\n-5\r\nX`, 1000, denyUnder('/srv'));
      expect(Date.now() - t0).toBeLessThan(1000);
      // The guard gives up on framing it cannot follow: the engine (Go) answers it with its own error.
      expect(r.out).toContain('-5\r\nX');
    }
  });

  test('a chunk-size line without an end is not kept growing', async () => {
    const t0 = Date.now();
    const r = await run(`POST /images/create HTTP/1.1\r\nHost: docker\r\nTransfer-Encoding: chunked\r\n\r\n${'1'.repeat(10_000)}`, 1000);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(r.out.length).toBeGreaterThan(10_000);
  });
});
