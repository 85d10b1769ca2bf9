import { Duplex, PassThrough } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { OWN_MARK, OWN_WINDOW_MS, OwnChanges } from './own-changes';

/** The record as the guest's inotifywait streams it, on a stand-in port, with a clock the test moves. */
function record() {
  const port = new PassThrough();
  let now = 1_000_000;
  const own = new OwnChanges(port, () => now);
  const write = (text: string) => new Promise<void>((r) => port.write(text, () => setImmediate(r)));
  return { port, own, write, at: (t: number) => void (now = t) };
}

describe('OwnChanges', () => {
  test('a path, or a path under a folder, a container changed within the window before the host saw it is its own', async () => {
    const r = record();
    await r.write('/home/u/app/src/a.js\n/home/u/app/new-dir\n/home/u/ap');
    await r.write('p/other.js\n');
    expect(r.own.has('/home/u/app/src/a.js', 1_000_000)).toBe(true);
    expect(r.own.has('/home/u/app/new-dir/in-it.js', 1_000_000)).toBe(true);
    // A line split across reads is one path.
    expect(r.own.has('/home/u/app/other.js', 1_000_000)).toBe(true);
    expect(r.own.has('/home/u/app/src/b.js', 1_000_000)).toBe(false);
    expect(r.own.has('/home/u/app', 1_000_000)).toBe(false);
    // A host change seen long after the container's is the host's own.
    expect(r.own.has('/home/u/app/src/a.js', 1_000_000 + OWN_WINDOW_MS + 1)).toBe(false);
  });

  test('writing in bulk: a score of changes within about half a second, not a few, and not long ago', async () => {
    const r = record();
    await r.write('/app/log.txt\n/app/log.txt\n');
    expect(r.own.writing()).toBe(false);
    await r.write(Array.from({ length: 25 }, (_, i) => `/app/node_modules/f${i}.js\n`).join(''));
    expect(r.own.writing()).toBe(true);
    r.at(1_000_000 + 5000);
    expect(r.own.writing()).toBe(false);
  });

  test('old paths are forgotten as new ones arrive, so the record stays small', async () => {
    const r = record();
    await r.write('/old\n');
    r.at(1_000_000 + 60_000);
    await r.write('/new\n');
    expect(r.own.has('/old', 0)).toBe(false);
    expect(r.own.has('/new', 1_000_000 + 60_000)).toBe(true);
  });

  test('settle resolves when the mark comes through the record, after what came before it', async () => {
    const r = record();
    let touched = 0;
    const settled = r.own.settle(async () => {
      touched++;
      await r.write('/app/late.js\n');
      await r.write(`${OWN_MARK}\n`);
    }, 1000);
    await settled;
    expect(touched).toBe(1);
    expect(r.own.has('/app/late.js', 1_000_000)).toBe(true);
    // The mark is not a change of anyone's.
    expect(r.own.has(OWN_MARK, 1_000_000)).toBe(false);
  });

  test('settle fails with the reason when the mark never comes or cannot be touched', async () => {
    const r = record();
    await expect(r.own.settle(async () => undefined, 50)).rejects.toThrow(/did not reach its mark within 50 ms/);
    await expect(
      r.own.settle(async () => {
        throw new Error('the control port is closed');
      }, 1000),
    ).rejects.toThrow('the control port is closed');
  });

  test("asks the guest to drop its cache with a line of its own the other way, and nothing it writes counts as the guest's record", async () => {
    const written: string[] = [];
    const port = new Duplex({
      read() {},
      write(chunk, _encoding, done) {
        written.push(String(chunk));
        done();
      },
    });
    const own = new OwnChanges(port);
    await own.forget();
    expect(written).toEqual(['forget\n']);
    expect(own.has('forget', Date.now())).toBe(false);
  });
});
