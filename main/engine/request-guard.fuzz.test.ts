import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { bindSources } from './mount-policy';
import { RequestGuard } from './request-guard';

/** Runs the guard over `parts` as the socket would deliver them; what it forwarded, whether it denied, and how long it took. */
function guard(parts: Buffer[], inspect: (b: unknown) => string | undefined) {
  const g = new RequestGuard(inspect);
  const out: Buffer[] = [];
  let denied = false;
  g.on('data', (d: Buffer) => out.push(d));
  g.on('deny', () => (denied = true));
  const t0 = performance.now();
  for (const p of parts) g.write(p);
  g.end();
  return { out: Buffer.concat(out), denied, ms: performance.now() - t0 };
}

/** Splits `buf` at the given offsets (sorted, within it). */
function split(buf: Buffer, cuts: number[]): Buffer[] {
  const at = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  const parts: Buffer[] = [];
  let from = 0;
  for (const c of [...at, buf.length]) {
    parts.push(buf.subarray(from, c));
    from = c;
  }
  return parts.filter((p) => p.length);
}

const token = fc.stringMatching(/^[a-z0-9]{1,12}$/);
const path = fc.constantFrom('/_ping', '/v1.41/version', '/containers/json', '/v1.43/images/load', '/build?t=x', '/containers/create', '/v1.41/containers/create?name=n');
const binds = fc.array(fc.constantFrom('/home/me/a:/a', '/srv/x:/x', 'vol:/v', '/tmp/t:/t:ro'), { maxLength: 3 });

/** A well-formed request (a method, a path, a few headers, a body framed by length or by chunks), and whether the guard must refuse it. */
const request = fc
  .record({
    method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
    path,
    headers: fc.array(fc.tuple(token, token), { maxLength: 4 }),
    binds,
    chunks: fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 4 }),
    chunked: fc.boolean(),
  })
  .map((r) => {
    const refuse = r.method === 'POST' && r.path.includes('containers/create') && r.binds.includes('/srv/x:/x');
    const text = ((): string => {
      const body = r.path.includes('containers/create') ? JSON.stringify({ Image: 'x', HostConfig: { Binds: r.binds } }) : r.method === 'POST' ? 'x'.repeat(r.chunks.reduce((a, b) => a + b, 0)) : '';
      const head = `${r.method} ${r.path} HTTP/1.1\r\nHost: docker\r\n${r.headers.map(([k, v]) => `X-${k}: ${v}\r\n`).join('')}`;
      if (!body) return `${head}\r\n`;
      if (!r.chunked) return `${head}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
      const sizes = r.chunks.length ? r.chunks : [body.length];
      let rest = body;
      let chunks = '';
      for (const n of sizes) {
        if (!rest) break;
        chunks += `${Math.min(n, rest.length).toString(16)}\r\n${rest.slice(0, n)}\r\n`;
        rest = rest.slice(n);
      }
      if (rest) chunks += `${rest.length.toString(16)}\r\n${rest}\r\n`;
      return `${head}Transfer-Encoding: chunked\r\n\r\n${chunks}0\r\n\r\n`;
    })();
    return { text, refuse };
  });

const denySrv = (b: unknown) => (bindSources(b).some((s) => s.startsWith('/srv')) ? 'Mounts denied: /srv' : undefined);

describe('RequestGuard under generated input (fast-check)', () => {
  test('pipelined well-formed requests, split anywhere: each one reaches the engine byte for byte unless a create names /srv, then nothing after it', () => {
    fc.assert(
      fc.property(fc.array(request, { minLength: 1, maxLength: 5 }), fc.array(fc.nat(), { maxLength: 12 }), (reqs, cuts) => {
        const input = Buffer.from(reqs.map((q) => q.text).join(''), 'latin1');
        const firstDenied = reqs.findIndex((q) => q.refuse);
        const r = guard(split(input, cuts), denySrv);
        expect(r.ms).toBeLessThan(100);
        const expected = (firstDenied < 0 ? reqs : reqs.slice(0, firstDenied)).map((q) => q.text).join('');
        expect(r.out.toString('latin1')).toBe(expected);
        expect(r.denied).toBe(firstDenied >= 0);
      }),
      { numRuns: 3000 },
    );
  });

  test('random bytes after a valid head, split anywhere: the guard ends within 100 ms, holds little, and never forwards a create that names /srv', () => {
    fc.assert(
      fc.property(request, fc.uint8Array({ maxLength: 2000 }), fc.array(fc.nat(), { maxLength: 12 }), ({ text: head, refuse }, noise, cuts) => {
        const input = Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(noise)]);
        const r = guard(split(input, cuts), denySrv);
        expect(r.ms).toBeLessThan(100);
        expect(r.out.length).toBeLessThanOrEqual(input.length);
        // A refused create never reaches the engine, whatever follows it.
        if (refuse) expect(r.out.length).toBe(0);
      }),
      { numRuns: 3000 },
    );
  });
});
