import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { daemonJson, engineConfigProblem } from './engine-config';
import { SettingsError, SettingsStore } from './settings-store';

describe("the engine setting (the user's daemon.json)", () => {
  test('the keys users ask for pass: mirrors, insecure registries, log options, features, address pools', () => {
    expect(
      engineConfigProblem({
        'registry-mirrors': ['http://host.docker.internal:5000'],
        'insecure-registries': ['10.0.2.2:5000'],
        'log-opts': { 'max-size': '10m', 'max-file': '3' },
        features: { 'containerd-snapshotter': true },
        'default-address-pools': [{ base: '10.99.0.0/16', size: 24 }],
      }),
    ).toBeUndefined();
  });

  test('a key Berth owns is refused with its reason; an unknown key and a wrong type are refused, all in one message', () => {
    const p = engineConfigProblem({ hosts: ['tcp://0.0.0.0:2375'], 'data-root': '/x', 'log-opt': {}, 'log-opts': { 'max-size': 10 } })!;
    expect(p).toMatch(/^engine \(daemon.json\) is refused: /);
    expect(p).toContain('"hosts" is Berth\'s to set: the engine listens only where the agent reaches it');
    expect(p).toContain('"data-root" is Berth\'s to set');
    expect(p).toContain('"log-opt" is not a daemon.json key dockerd knows');
    expect(p).toMatch(/"log-opts": max-size: /);
    expect(engineConfigProblem([])).toBe('engine must be a JSON object, as daemon.json is');
  });

  test("the merge: Docker's log defaults (no log-opts), the user's keys over Berth's defaults, Berth's owned keys over all", () => {
    const plain = daemonJson({}, { containerdImageStore: false });
    expect(plain['log-opts']).toBeUndefined();
    expect(plain).toMatchObject({ 'log-driver': 'json-file', 'storage-driver': 'overlay2', features: { buildkit: false } });
    const mine = daemonJson({ 'log-level': 'debug', features: { buildkit: true } }, { containerdImageStore: true });
    expect(mine).toMatchObject({ 'log-level': 'debug', 'storage-driver': 'overlayfs', features: { buildkit: true, 'containerd-snapshotter': true } });
  });

  test('berth config set engine takes JSON; a refused value leaves settings.json as it was', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'berth-engine-')), 'settings.json');
    writeFileSync(file, JSON.stringify({ cpus: 1 }));
    const store = new SettingsStore(file, { cpus: 4, memoryMiB: 8192 });
    const before = readFileSync(file, 'utf8');
    expect(() => store.coerce('engine', '{not json')).toThrow(SettingsError);
    const s = store.load().settings;
    expect(() => store.apply(s, { engine: store.coerce('engine', '{"tls": false}') })).toThrow(/"tls" is Berth's to set/);
    expect(readFileSync(file, 'utf8')).toBe(before);
    const after = store.apply(s, { engine: store.coerce('engine', '{"log-opts": {"max-size": "1m"}}') });
    expect(after.engine).toEqual({ 'log-opts': { 'max-size': '1m' } });
  });
});
