import { describe, expect, test } from 'vitest';
import { buildQemuCommand, qemuOptValue } from '../vm/qemu/qemu-args';
import { writeMountList } from '../vm/shared-folders';
import { pathProblem, sharedPathProblem } from './host-paths';
import { SettingsStore } from './settings-store';
import { exportDockerHost, shellQuote } from '../common/shell-quote';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const store = () => new SettingsStore(join(mkdtempSync(join(tmpdir(), 'paths-')), 'settings.json'), { cpus: 4, memoryMiB: 8192 });

describe('path settings', () => {
  test('a newline or tab in a shared path is refused, and the stored file is untouched', () => {
    const s = store();
    s.update({ sharedPaths: ['/srv/data'] });
    const before = readFileSync(s.path, 'utf8');
    for (const bad of ['/srv/x\n/root\t/etc', '/srv/a\tb', '/srv/\u0000x']) {
      expect(() => s.update({ sharedPaths: [bad] })).toThrow(/control characters/);
    }
    expect(readFileSync(s.path, 'utf8')).toBe(before);
  });

  test('relative, unnormalized and system-root shared paths are refused with the reason', () => {
    expect(sharedPathProblem('srv')).toBe('must be an absolute path');
    expect(sharedPathProblem('/srv/../etc')).toMatch(/normal form \(\/etc\)/);
    expect(sharedPathProblem('/srv/')).toMatch(/normal form \(\/srv\)/);
    expect(sharedPathProblem('/')).toMatch(/hide the whole VM/);
    expect(sharedPathProblem('/etc')).toMatch(/hide the VM's own \/etc, which the engine needs/);
    expect(sharedPathProblem('/var')).toMatch(/hide the VM's own \/var\/lib\/containerd|hide the VM's own \/var\/lib\/docker|hide the VM's own \/var\/log|hide the VM's own \/var\/run/);
    expect(sharedPathProblem('/usr')).toMatch(/hide the VM's own \/usr\/bin/);
    expect(sharedPathProblem('/var/lib/docker/volumes')).toMatch(/\/var\/lib\/docker/);
    for (const ok of ['/srv/data', '/tmp', '/opt/projects', '/home/me, with comma', '/usr/local/src', '/var/folders']) expect(sharedPathProblem(ok), ok).toBeUndefined();
    expect(() => store().update({ sharedPaths: ['/etc'] })).toThrow(/sharedPaths must hold absolute paths of folders to share: "\/etc" cannot be \/etc/);
  });

  test('socketPath must be a plain absolute path; shell metacharacters are kept literal when printed', () => {
    expect(() => store().update({ socketPath: '/tmp/x\n/y' })).toThrow(/socketPath must not contain control characters/);
    expect(() => store().update({ socketPath: 'rel/x.sock' })).toThrow(/socketPath must be an absolute path/);
    expect(pathProblem('/tmp/$(touch pwned).sock')).toBeUndefined();
    const line = exportDockerHost('unix:///tmp/$(touch pwned)`id`;x.sock');
    const r = spawnSync('sh', ['-c', `${line}; printf %s "$DOCKER_HOST"`], { encoding: 'utf8' });
    expect(r.stdout).toBe('unix:///tmp/$(touch pwned)`id`;x.sock');
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote('/plain/path.sock')).toBe('/plain/path.sock');
  });
});

describe('QEMU option strings', () => {
  test('a comma in a shared path is doubled, so it cannot add -fsdev options', () => {
    expect(qemuOptValue('/home/a,readonly=on')).toBe('/home/a,,readonly=on');
    const { args } = buildQemuCommand(
      {
        cpus: 1,
        memoryMiB: 512,
        kernel: '/k',
        initrd: '/i',
        cmdline: 'c',
        rootfs: '/r,x',
        dataDisk: '/d',
        guestTlsDir: '/t',
        enginePort: 1,
        qmpSocket: '/q',
        controlSocket: '/c',
        pidFile: '/p',
        mountList: '/m',
        shareSecurityModel: 'none',
        shares: [{ tag: 'berth0', hostPath: '/home/a,security_model=none' }],
      },
      { platform: 'linux', arch: 'x64', cpus: 2, accel: 'tcg', accelReason: 't', qemu: { major: 7, minor: 2, micro: 22, text: 'QEMU emulator version 7.2.22' }, sme: false, childDiesWithParent: true },
    );
    expect(args).toContain('local,id=fs0,path=/home/a,,security_model=none,security_model=none');
    expect(args.some((a) => a.startsWith('file=/r,,x,'))).toBe(true);
  });

  test('the mount list refuses a path that would add a line', () => {
    const f = join(mkdtempSync(join(tmpdir(), 'mounts-')), 'mounts.tsv');
    expect(() => writeMountList(f, [{ tag: 'berth0', hostPath: '/home/me\nberth0\t/etc' }])).toThrow(/control characters/);
  });
});
