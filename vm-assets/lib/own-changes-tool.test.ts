import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { until } from '../../e2e/helpers/berth-cli';
import { hostBuiltTool } from '../../e2e/helpers/host-built-tool';

/** The guest's own-changes recorder, built for this host from the same source, run on a folder of the test's own. */
const dir = mkdtempSync(join(tmpdir(), 'berth-own-tool-'));
const tool = hostBuiltTool('own-changes');
let running: ChildProcess | undefined;

afterEach(() => {
  if (running?.pid && running.exitCode === null) process.kill(running.pid, 'SIGTERM');
  running = undefined;
});

/** Starts the tool with `args` and collects its lines; resolves once its watches are in place. */
async function record(args: string[]): Promise<{ lines: () => string[]; writes: () => number }> {
  const child = spawn(tool, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  running = child;
  let text = '';
  child.stdout!.on('data', (b: Buffer) => (text += b.toString()));
  // Its watches are added before its first poll; a probe file proves they are.
  const probe = args.at(-1)!;
  await until(() => {
    writeFileSync(join(probe, '.probe'), '');
    return text.includes('.probe');
  }, 5_000);
  const start = text.length;
  return {
    lines: () =>
      text
        .slice(start)
        .split('\n')
        .filter((l) => l && !l.endsWith('.probe')),
    // write(2) calls the process made: /proc's count of them.
    writes: () => Number(/syscw: (\d+)/.exec(readFileSync(`/proc/${child.pid}/io`, 'utf8'))![1]),
  };
}

describe("own-changes, the guest recorder of containers' own changes", () => {
  test('prints each close-write, create, delete and move by path, and a watched file by its own path', async () => {
    const tree = join(dir, 'basic');
    mkdirSync(join(tree, 'sub'), { recursive: true });
    writeFileSync(join(tree, 'sub/old.js'), 'x');
    const mark = join(dir, 'mark');
    writeFileSync(mark, '');
    const list = join(dir, 'roots');
    writeFileSync(list, `${tree}\n`);
    const r = await record(['--fromfile', list, mark, tree]);
    writeFileSync(join(tree, 'sub/new.js'), '1');
    renameSync(join(tree, 'sub/new.js'), join(tree, 'moved.js'));
    rmSync(join(tree, 'sub/old.js'));
    chmodSync(join(tree, 'moved.js'), 0o755);
    writeFileSync(mark, '');
    await until(() => r.lines().includes(mark), 5_000);
    const at = (p: string) => join(tree, p);
    expect(r.lines()).toEqual([at('sub/new.js'), at('sub/new.js'), at('sub/new.js'), at('moved.js'), at('sub/old.js'), mark]);
  });

  test('a folder made with its contents, or moved in, is watched and its entries printed', async () => {
    const tree = join(dir, 'made');
    mkdirSync(tree);
    const outside = join(dir, 'outside');
    mkdirSync(join(outside, 'deep'), { recursive: true });
    writeFileSync(join(outside, 'deep/f'), '');
    const r = await record([tree]);
    mkdirSync(join(tree, 'a/b/c'), { recursive: true });
    writeFileSync(join(tree, 'a/b/c/x'), '');
    renameSync(outside, join(tree, 'in'));
    await until(() => r.lines().includes(join(tree, 'in/deep/f')), 5_000);
    writeFileSync(join(tree, 'in/deep/later'), '');
    await until(() => r.lines().includes(join(tree, 'in/deep/later')), 5_000);
    expect(new Set(r.lines())).toEqual(new Set(['a', 'a/b', 'a/b/c', 'a/b/c/x', 'in', 'in/deep', 'in/deep/f', 'in/deep/later'].map((p) => join(tree, p))));
  });

  test('a burst of changes costs a few writes, not one a line', async () => {
    const tree = join(dir, 'burst');
    mkdirSync(tree);
    const r = await record([tree]);
    const before = r.writes();
    for (let i = 0; i < 2000; i++) writeFileSync(join(tree, `f${i}`), 'x');
    await until(() => r.lines().includes(join(tree, 'f1999')) && r.lines().length >= 4000, 10_000);
    // Each file is a create and a close-write: 4,000 lines.
    expect(r.lines()).toHaveLength(4000);
    expect(r.writes() - before).toBeLessThan(200);
  });

  test('--attrib adds attribute changes; without it a chmod prints nothing', async () => {
    const tree = join(dir, 'attrib');
    mkdirSync(tree);
    writeFileSync(join(tree, 'f'), '');
    const plain = await record([tree]);
    chmodSync(join(tree, 'f'), 0o700);
    writeFileSync(join(tree, 'g'), '');
    await until(() => plain.lines().includes(join(tree, 'g')), 5_000);
    expect(plain.lines()).not.toContain(join(tree, 'f'));
    process.kill(running!.pid!, 'SIGTERM');
    const attrib = await record(['--attrib', tree]);
    chmodSync(join(tree, 'f'), 0o755);
    await until(() => attrib.lines().includes(join(tree, 'f')), 5_000);
    expect(attrib.lines()).toEqual([join(tree, 'f')]);
  });
});
