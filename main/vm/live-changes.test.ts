import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { sleep } from '../common/sleep';
import { LiveChanges } from './live-changes';
import type { ShareEvents } from './machine-driver';
import type { SharedFolder } from './shared-folders';

/**
 * A recording stand-in for the guest's half: what the guest would have been told. Its record of
 * the containers' own changes holds `own`; `late` joins it only when the host settles it, as a
 * path the guest's recorder had not streamed yet would.
 */
function recordingGuest(settles = true) {
  const watched: string[][] = [];
  const changed: string[] = [];
  const sinces: number[] = [];
  const forgets: boolean[] = [];
  const own = new Set<string>();
  const late = new Set<string>();
  const state = { writing: false, settles: 0 };
  const target: ShareEvents = {
    watch: async (p) => void watched.push([...p]),
    changed: async (p, forget) => {
      changed.push(...p);
      forgets.push(forget);
    },
    own: (p, since) => {
      sinces.push(since);
      return own.has(p);
    },
    settle: async () => {
      state.settles++;
      if (!settles) throw new Error('the guest did not reach its mark');
      for (const p of late) own.add(p);
    },
    writing: () => state.writing,
  };
  return { target, watched, changed, sinces, forgets, own, late, state };
}

const warnings: string[] = [];
const log = { info: () => undefined, warn: (m: string) => void warnings.push(m), error: () => undefined, debug: () => undefined };

async function until(what: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!what() && Date.now() < end) await sleep(20);
}

describe('LiveChanges', () => {
  const root = mkdtempSync(join(tmpdir(), 'berth-live-'));
  const project = join(root, 'project');
  let live: LiveChanges | undefined;
  afterEach(() => live?.close());

  function start(shares: SharedFolder[], budget?: number, platform: NodeJS.Platform = 'linux') {
    const g = recordingGuest();
    live = new LiveChanges({ shares: () => shares, target: () => g.target, log, budget, platform });
    return g;
  }

  test('a host edit, create, delete and move under a bind mount reach the guest by path, once per state', async () => {
    mkdirSync(join(project, 'src'), { recursive: true });
    writeFileSync(join(project, 'src/a.js'), '1');
    const g = start([{ tag: 'berth0', hostPath: root }]);
    live!.setBinds([project, join(project, 'src'), '/elsewhere']);
    await until(() => g.watched.length > 0);
    expect(g.watched).toEqual([[project]]);
    expect(live!.watched().roots).toEqual([project]);

    const wrote = Date.now();
    writeFileSync(join(project, 'src/a.js'), '2');
    await until(() => g.changed.includes(join(project, 'src/a.js')));
    expect(g.changed).toContain(join(project, 'src/a.js'));
    // When the host saw it, for the judgement of the containers' own writes.
    expect(g.sinces[0]).toBeGreaterThanOrEqual(wrote);
    expect(g.sinces[0]).toBeLessThan(wrote + 1000);

    // The guest's touch sets the mtime it already has: the same state, not sent again.
    g.changed.length = 0;
    execFileSync('touch', ['-m', '-r', join(project, 'src/a.js'), join(project, 'src/a.js')]);
    await sleep(300);
    expect(g.changed).toEqual([]);

    writeFileSync(join(project, 'src/new.js'), 'x');
    renameSync(join(project, 'src/new.js'), join(project, 'src/moved.js'));
    rmSync(join(project, 'src/a.js'));
    mkdirSync(join(project, 'src/deeper'));
    await until(() => g.changed.includes(join(project, 'src/deeper')));
    // Names made, moved and gone in src: src itself is raised, so the guest's listing of it is
    // fresh, and the gone a.js only there (the guest may still hold its name), with a forget.
    expect(g.changed).toEqual(expect.arrayContaining(['src/moved.js', 'src', 'src/deeper'].map((p) => join(project, p))));
    expect(g.changed).not.toContain(join(project, 'src/a.js'));
    expect(g.forgets).toContain(true);
    g.changed.length = 0;
    writeFileSync(join(project, 'src/deeper/later.js'), 'y');
    await until(() => g.changed.includes(join(project, 'src/deeper/later.js')));
    expect(g.changed).toEqual([join(project, 'src/deeper/later.js'), join(project, 'src/deeper')]);
    // An edit in place leaves the folder's names as they were: the file alone.
    g.changed.length = 0;
    writeFileSync(join(project, 'src/deeper/later.js'), 'yz');
    await until(() => g.changed.length > 0);
    await sleep(200);
    expect(g.changed).toEqual([join(project, 'src/deeper/later.js')]);
  });

  test("a container's own writes coming back are not sent, even those the guest's record streams only when settled", async () => {
    const dir = join(root, 'own');
    mkdirSync(dir, { recursive: true });
    const g = start([{ tag: 'berth0', hostPath: root }]);
    live!.setBinds([dir]);
    g.own.add(join(dir, 'known.js'));
    g.late.add(join(dir, 'late.js'));
    for (const f of ['known.js', 'late.js', 'host.js']) writeFileSync(join(dir, f), f);
    await until(() => g.changed.length > 0);
    await sleep(200);
    // The folder too, for host.js's sake; not for the containers' files alone (below).
    expect(g.changed).toEqual([join(dir, 'host.js'), dir]);
    g.changed.length = 0;
    g.own.add(join(dir, 'second.js'));
    writeFileSync(join(dir, 'second.js'), 'x');
    await sleep(300);
    expect(g.changed).toEqual([]);
  });

  test('while containers write, a path not yet in their record waits for it (at most 200 ms) instead of having the guest mark it', async () => {
    const dir = join(root, 'busy');
    mkdirSync(dir, { recursive: true });
    const g = start([{ tag: 'berth0', hostPath: root }]);
    live!.setBinds([dir]);
    g.state.writing = true;
    writeFileSync(join(dir, 'theirs.js'), 'x');
    // Its record arrives 100 ms after the host saw the write.
    await sleep(100);
    g.own.add(join(dir, 'theirs.js'));
    await sleep(300);
    expect(g.changed).toEqual([]);
    expect(g.state.settles).toBe(0);
    // A host edit meanwhile is sent once it has waited, after a mark.
    writeFileSync(join(dir, 'host.js'), 'y');
    const wrote = Date.now();
    await until(() => g.changed.length > 0);
    expect(Date.now() - wrote).toBeGreaterThanOrEqual(190);
    expect(g.changed).toEqual([join(dir, 'host.js'), dir]);
    expect(g.state.settles).toBe(1);
    // Not writing in bulk: a host edit does not wait.
    g.state.writing = false;
    g.changed.length = 0;
    writeFileSync(join(dir, 'host.js'), 'yz');
    const edited = Date.now();
    await until(() => g.changed.length > 0);
    expect(Date.now() - edited).toBeLessThan(190);
  });

  test('a guest whose record cannot settle still gets every path it may not know: an echo beats a lost edit', async () => {
    const dir = join(root, 'unsettled');
    mkdirSync(dir, { recursive: true });
    const g = recordingGuest(false);
    live = new LiveChanges({ shares: () => [{ tag: 'berth0', hostPath: root }], target: () => g.target, log, platform: 'linux' });
    live.setBinds([dir]);
    g.own.add(join(dir, 'known.js'));
    for (const f of ['known.js', 'host.js']) writeFileSync(join(dir, f), f);
    await until(() => g.changed.length > 0);
    await sleep(200);
    expect(g.changed).toEqual([join(dir, 'host.js'), dir]);
  });

  test('after a batch the guest rests three times as long as it took (at most 0.5 s) before the next', async () => {
    const dir = join(root, 'paced');
    mkdirSync(dir, { recursive: true });
    const sentAt: number[] = [];
    const target: ShareEvents = {
      ...recordingGuest().target,
      // A guest that takes 100 ms over each batch.
      changed: async () => {
        sentAt.push(Date.now());
        await sleep(100);
      },
    };
    live = new LiveChanges({ shares: () => [{ tag: 'berth0', hostPath: root }], target: () => target, log, platform: 'linux' });
    live.setBinds([dir]);
    await sleep(100);
    writeFileSync(join(dir, 'one'), '1');
    await until(() => sentAt.length === 1);
    writeFileSync(join(dir, 'two'), '2');
    await until(() => sentAt.length === 2, 3000);
    expect(sentAt).toHaveLength(2);
    // 100 ms in the guest, then 300 ms of rest.
    expect(sentAt[1]! - sentAt[0]!).toBeGreaterThanOrEqual(390);
    expect(sentAt[1]! - sentAt[0]!).toBeLessThan(1000);
  });

  test('nothing is watched without bind mounts, and a stopped container stops its watch', async () => {
    const g = start([{ tag: 'berth0', hostPath: root }]);
    live!.setBinds([]);
    expect(live!.watched()).toEqual({ roots: [], watches: 0, capped: false });
    live!.setBinds([project]);
    expect(live!.watched().watches).toBeGreaterThan(0);
    live!.setBinds([]);
    expect(live!.watched()).toEqual({ roots: [], watches: 0, capped: false });
    await until(() => g.watched.length === 2);
    expect(g.watched).toEqual([[project], []]);
  });

  test('a share under a second name (macOS /tmp) is watched at its host path and reported by the guest name', async () => {
    mkdirSync(join(project, 'alias'), { recursive: true });
    const g = start([{ tag: 'berth1', hostPath: project, guestPath: '/alias-root' }]);
    live!.setBinds(['/alias-root/alias']);
    expect(live!.watched().roots).toEqual([join(project, 'alias')]);
    writeFileSync(join(project, 'alias/f'), '1');
    await until(() => g.changed.length > 0);
    expect(g.changed).toEqual(['/alias-root/alias/f', '/alias-root/alias']);
  });

  test('the cap on watched folders stops the walk and says so', () => {
    for (const d of ['c1', 'c2', 'c3']) mkdirSync(join(root, 'capped', d), { recursive: true });
    start([{ tag: 'berth0', hostPath: root }], 2);
    warnings.length = 0;
    live!.setBinds([join(root, 'capped')]);
    expect(live!.watched()).toMatchObject({ watches: 2, capped: true });
    expect(warnings.join()).toMatch(/cap of 2 watched folders is reached; changes deeper in .*capped are not sent/);
  });

  test("macOS's path: one recursive fs.watch per tree (FSEvents there; Node's own recursive watch here)", async () => {
    const tree = join(root, 'mac');
    mkdirSync(join(tree, 'deep/er'), { recursive: true });
    const g = start([{ tag: 'berth0', hostPath: root }], undefined, 'darwin');
    live!.setBinds([tree]);
    expect(live!.watched()).toEqual({ roots: [tree], watches: 1, capped: false });
    await sleep(200);
    writeFileSync(join(tree, 'deep/er/f.js'), '1');
    await until(() => g.changed.includes(join(tree, 'deep/er/f.js')));
    expect(g.changed).toContain(join(tree, 'deep/er/f.js'));
  });
});
