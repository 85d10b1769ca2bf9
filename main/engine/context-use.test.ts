import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { readContextStore } from './context-store';
import { useContext } from './context-use';

const cli = (config: string, ...args: string[]) => spawnSync('docker', args, { env: { PATH: process.env.PATH, HOME: config, DOCKER_CONFIG: config }, encoding: 'utf8' });

describe('use a context for the shell', () => {
  test('the docker CLI then uses it; other keys and the mode are kept; default removes the key', () => {
    const config = mkdtempSync(join(tmpdir(), 'berth-use-'));
    expect(cli(config, 'context', 'create', 'box', '--docker', 'host=tcp://10.0.0.2:2376').status).toBe(0);
    writeFileSync(join(config, 'config.json'), JSON.stringify({ auths: { 'registry.example': {} }, credsStore: 'pass' }), { mode: 0o640 });
    useContext(config, 'box');
    expect(cli(config, 'context', 'show').stdout.trim()).toBe('box');
    expect(readContextStore(config).current).toBe('box');
    const kept = JSON.parse(readFileSync(join(config, 'config.json'), 'utf8'));
    expect(kept).toEqual({ auths: { 'registry.example': {} }, credsStore: 'pass', currentContext: 'box' });
    expect(statSync(join(config, 'config.json')).mode & 0o777).toBe(0o640);
    useContext(config, 'default');
    expect(cli(config, 'context', 'show').stdout.trim()).toBe('default');
    expect(JSON.parse(readFileSync(join(config, 'config.json'), 'utf8'))).not.toHaveProperty('currentContext');
  });

  test('an unknown context, or a config.json that cannot be read, changes nothing and says why', () => {
    const config = mkdtempSync(join(tmpdir(), 'berth-use-'));
    expect(() => useContext(config, 'nope')).toThrow('there is no Docker context named "nope"');
    expect(cli(config, 'context', 'create', 'box', '--docker', 'host=tcp://10.0.0.2:2376').status).toBe(0);
    writeFileSync(join(config, 'config.json'), '{ "auths": ');
    expect(() => useContext(config, 'box')).toThrow(/config\.json could not be read \(.*\), so the current context was not changed/);
    expect(readFileSync(join(config, 'config.json'), 'utf8')).toBe('{ "auths": ');
  });
});
