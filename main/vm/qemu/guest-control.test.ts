import { mkdtempSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, test } from 'vitest';
import { GuestControl } from './guest-control';

/** A STAND-IN for rc.control on QEMU's socket: answers each line the way `answer` says (undefined: silence; a promise: when it settles). */
async function standInGuest(answer: (line: string) => string | undefined | Promise<string>) {
  const path = join(mkdtempSync(join(tmpdir(), 'berth-ctl-')), 'control.sock');
  const got: { line: string; at: number }[] = [];
  const server = createServer((s: Socket) => {
    s.on('error', () => undefined);
    const rl = createInterface({ input: s }).on('error', () => undefined);
    rl.on('line', (line) => {
      got.push({ line, at: Date.now() });
      const a = answer(line);
      if (typeof a === 'string') s.write(`${a}\n`);
      else void a?.then((l) => s.write(`${l}\n`));
    });
  });
  await new Promise<void>((r) => server.listen(path, () => r()));
  return { path, got, close: () => server.close() };
}

describe('GuestControl', () => {
  test("one command at a time, each resolved by its own ok; an err carries the guest's reason", async () => {
    const g = await standInGuest((l) => (l === 'suspend' ? 'err suspend busy: /root' : `ok ${l.split(' ')[0]}`));
    const c = await GuestControl.connect(g.path);
    await Promise.all([c.send('mount', 1000), c.send('mount', 1000)]);
    await expect(c.send('suspend', 1000)).rejects.toThrow('the guest could not suspend: busy: /root');
    expect(g.got.map((x) => x.line)).toEqual(['mount', 'mount', 'suspend']);
    c.close();
    g.close();
  });

  test('a batch of live changes is its line, then exactly the bytes the line counts: the paths, tab-separated', async () => {
    const g = await standInGuest((l) => (l.startsWith('changed ') ? 'ok changed' : undefined));
    const c = await GuestControl.connect(g.path);
    const paths = ['/home/u/p/a.js', '/home/u/p/é b.js'];
    await c.shareEvents.changed(paths, true);
    const body = Buffer.from(`${paths.join('\t')}\n`);
    // The stand-in reads lines, so the block shows as the line after the command.
    expect(g.got.map((x) => x.line)).toEqual([`changed ${body.length} 1`, paths.join('\t')]);
    expect(body.length).toBe(Buffer.byteLength(paths.join('\t')) + 1);
    c.close();
    g.close();
  });

  test('no answer is a timeout that names the command, and a late answer is not taken for the next one', async () => {
    let n = 0;
    const g = await standInGuest((l) => (n++ === 0 ? undefined : `ok ${l}`));
    const c = await GuestControl.connect(g.path);
    await expect(c.send('mount', 100)).rejects.toThrow('the guest did not answer "mount" within 100 ms');
    await c.send('suspend', 1000);
    c.close();
    g.close();
  });

  test("a timed-out command's answer, arriving later, is its own: the next command of that name waits for its own", async () => {
    const after = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
    // In order, as rc.control answers: the first after 300 ms, the second 200 ms after that.
    let previous = Promise.resolve();
    const g = await standInGuest((l) => {
      // The batch's block shows as a line of its own, which has no answer.
      if (!l.startsWith('changed')) return undefined;
      previous = previous.then(() => after(l.startsWith('changed 2') ? 300 : 200));
      return previous.then(() => 'ok changed');
    });
    const c = await GuestControl.connect(g.path);
    const t0 = Date.now();
    await expect(c.send('changed 2 0', 100, Buffer.from('a\n'))).rejects.toThrow('did not answer "changed"');
    await c.send('changed 3 0', 2000, Buffer.from('bb\n'));
    // The first answer came at about 300 ms; the second's is at about 500 ms.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(450);
    c.close();
    g.close();
  });

  test('the clock: at once the nearest second; exactly, on the next second boundary', async () => {
    const g = await standInGuest((l) => `ok ${l.split(' ')[0]}`);
    const c = await GuestControl.connect(g.path);
    const before = Date.now();
    await c.setClock(1000);
    expect(Math.abs(Number(g.got[0].line.split(' ')[1]) * 1000 - before)).toBeLessThanOrEqual(600);
    await c.setClock(2000, true);
    const exact = g.got[1];
    const second = Number(exact.line.split(' ')[1]) * 1000;
    // Sent as that second begins, so the guest is right to within the line's trip.
    expect(exact.at - second).toBeGreaterThanOrEqual(0);
    expect(exact.at - second).toBeLessThan(100);
    c.close();
    g.close();
  });

  test('a guest that sends an endless line is cut off, and the command waiting on it fails', async () => {
    const g = await standInGuest(() => 'x'.repeat(200_000));
    const c = await GuestControl.connect(g.path);
    await expect(c.send('mount', 5000)).rejects.toThrow(/control port closed|is closed/);
    c.close();
    g.close();
  });
});
