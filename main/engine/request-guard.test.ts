import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { duplicateKey } from './json-keys';
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

  test('what it cannot read is refused, never passed on unchecked', async () => {
    const cases = [
      'POST /containers/create HTTP/1.1\r\nContent-Length: nope\r\n\r\n{"HostConfig":{"Binds":["/srv/x:/x"]}}',
      'GARBAGE\r\n\r\n',
      req('POST', '/containers/create', '{"HostConfig":'),
      req('POST', '/containers/%zz', '{}'),
    ];
    for (const junk of cases) {
      const r = await run(junk, 3, denyUnder('/srv'));
      expect(r.out, junk).not.toContain('/srv/x');
      expect(r.denied, junk).toEqual([expect.stringMatching(/^Berth could not check this request to the Docker API \(.+\), so it was not passed on\.$/)]);
    }
  });

  test('the ways around "Mounts denied" are closed', async () => {
    const body = create(['/srv/x:/x']);
    const bypasses = [
      req('POST', '/v1.41/containers/create', body, 'Connection: Upgrade\r\nUpgrade: tcp\r\n'),
      req('POST', '/_ping?x=/attach', '') + req('POST', '/containers/create', body),
      req('POST', 'http://docker/v1.41/containers/create', body),
      req('POST', '/containers/%63reate', body),
      req('POST', '/v1.41//containers/./create', body),
      req('post', '/containers/create', body),
      req('POST', '/containers/create', JSON.stringify({ hostconfig: { binds: ['/srv/x:/x'] } })),
      req('POST', '/containers/create', JSON.stringify({ HostConfig: { Mounts: [{ type: 'bind', source: '/srv/x', target: '/x' }] } })),
      req('POST', '/containers/create', '{"HostConfig":{"Binds":["/srv/x:/x"]},"HostConfig":{"Memory":1}}'),
      req('POST', '/containers/create', '{"HostConfig":{"Binds":["/srv/x:/x"]},"hostConfig":{}}'),
      req('POST', '/containers/create', `${body}${' '.repeat(4 * 1024 * 1024)}`),
      `POST /containers/create HTTP/1.1\r\nX-Pad: ${'a'.repeat(70 * 1024)}\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    ];
    for (const b of bypasses) {
      const r = await run(b, 4096, denyUnder('/srv'));
      expect(r.out, b.slice(0, 120)).not.toContain('/srv/x');
      expect(r.denied, b.slice(0, 120)).toHaveLength(1);
    }
  });

  test('BuildKit session and gRPC upgrades, and websocket attach, become plain pipes', async () => {
    for (const path of ['/session', '/v1.44/grpc', '/v1.41/containers/abc/attach/ws']) {
      const h = req('POST', path, '', 'Connection: Upgrade\r\nUpgrade: h2c\r\n');
      const raw = 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00';
      const r = await run(h + raw, 5);
      expect(r.out).toBe(h + raw);
      expect(r.denied).toEqual([]);
    }
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
  const policy = new MountPolicy(['/home/me', '/tmp'], ['/data'], { onHost });

  test('shared folders, guest-only paths and paths the host does not have pass', () => {
    expect(policy.deny(['/home/me/project/www', '/tmp/x', '/var/run/docker.sock', '/proc', '/var/lib/docker/volumes', '/opt/only-in-vm'])).toBeUndefined();
  });

  test("a path whose contents are not in the VM yet (a synchronized folder's first copy) is refused with the reason; others pass", () => {
    const gated = new MountPolicy(['/home/me'], [], { onHost, notReady: (p) => (p.startsWith('/home/me/big') ? '/home/me/big is still being copied into the VM (10 of 90 entries)' : undefined) });
    expect(gated.deny(['/home/me/big/src'])).toBe('Mounts denied: /home/me/big is still being copied into the VM (10 of 90 entries)');
    expect(gated.deny(['/home/me/other'])).toBeUndefined();
  });

  test('a host path outside every shared folder is refused, naming it and the command that shares it', () => {
    expect(policy.deny(['/home/me/ok', '/srv/site'])).toBe(
      'Mounts denied: the path /srv/site is not shared from the host, so the container would see an empty folder. Shared now: /home/me, /tmp. To share it: berth config set sharedPaths /data,/srv/site && berth restart',
    );
    expect(policy.deny(['/srv/nginx.conf'])).toMatch(/sharedPaths \/data,\/srv &&/);
    expect(policy.deny(['/home/me/../../srv/x'])).toMatch(/the path \/srv\/x is not shared/);
  });

  test('a link inside a share that leads out of it is refused; a share that is itself a link is fine', () => {
    const root = mkdtempSync(join(tmpdir(), 'berth-links-'));
    for (const d of ['home/me', 'outside', 'real-home/u']) mkdirSync(join(root, d), { recursive: true });
    symlinkSync(join(root, 'outside'), join(root, 'home/me/out'));
    symlinkSync(join(root, 'real-home/u'), join(root, 'home/u'));
    const p = new MountPolicy([join(root, 'home/me'), join(root, 'home/u')], []);
    expect(p.deny([join(root, 'home/me/out')])).toMatch(/the path .*home\/me\/out is a link to .*outside, which is not shared/);
    expect(p.deny([join(root, 'home/u'), join(root, 'home/me')])).toBeUndefined();
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
      // Framing it cannot follow is refused, and the connection with it.
      expect(r.out).not.toContain('-5\r\nX');
      expect(r.denied).toEqual([expect.stringMatching(/a bad chunk size "-5"/)]);
    }
  });

  test('a chunk-size line without an end is not kept growing', async () => {
    const t0 = Date.now();
    const r = await run(`POST /images/create HTTP/1.1\r\nHost: docker\r\nTransfer-Encoding: chunked\r\n\r\n${'1'.repeat(10_000)}`, 1000);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(r.denied).toEqual([expect.stringMatching(/a chunk line too long/)]);
  });
});

describe('duplicateKey', () => {
  test('finds a key twice in one object: ignoring case on the way to bind mounts, as Go matches struct fields; exactly in maps such as Labels', () => {
    expect(duplicateKey('{"HostConfig":{},"hostconfig":{}}')).toBe('hostconfig');
    expect(duplicateKey('{"HostConfig":{"Binds":[],"binds":[]}}')).toBe('binds');
    expect(duplicateKey('{"HostConfig":{"Mounts":[{"Source":"/a","source":"/b"}]}}')).toBe('source');
    expect(duplicateKey('{"a":1,"b":{"c":[{"d":1,"d":2}]}}')).toBe('d');
    expect(duplicateKey('{"Labels":{"Foo":"1","foo":"2"}}')).toBeUndefined();
    expect(duplicateKey('{"a":{"x":1},"b":{"x":1},"c":[{"x":1},{"x":2}]}')).toBeUndefined();
    expect(duplicateKey('{"a":"\\"a\\":1,","b":["a","a"]}')).toBeUndefined();
    expect(duplicateKey('[1,"x",{"k":"v"}]')).toBeUndefined();
  });
});
