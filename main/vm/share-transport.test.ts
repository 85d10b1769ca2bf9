import { describe, expect, test } from 'vitest';
import { DEFAULT_SHARE_OPTIONS, shareOptionsFrom } from './share-options';
import { chooseShareTransport, findVirtiofsd, virtiofsdArgs } from './share-transport';

const c = { path: '/usr/lib/qemu/virtiofsd', kind: 'c' } as const;
const rust = { path: '/usr/libexec/virtiofsd', kind: 'rust' } as const;

describe('share transport', () => {
  test('a virtiofsd is taken only as root: the Rust one before the C one', () => {
    const all = () => true;
    expect(findVirtiofsd(0, all)).toEqual(rust);
    expect(findVirtiofsd(0, (p) => p === c.path)).toEqual(c);
    expect(findVirtiofsd(1000, all)).toBeUndefined();
    expect(findVirtiofsd(0, () => false)).toBeUndefined();
  });

  test('virtio-fs where the host has a virtiofsd, 9p elsewhere; an asked transport wins, and virtio-fs without a daemon is refused', () => {
    expect(chooseShareTransport(DEFAULT_SHARE_OPTIONS, c)).toEqual({ kind: 'virtiofs', virtiofsd: c });
    expect(chooseShareTransport(DEFAULT_SHARE_OPTIONS, undefined)).toEqual({ kind: '9p' });
    expect(chooseShareTransport(shareOptionsFrom('transport=9p'), c)).toEqual({ kind: '9p' });
    expect(() => chooseShareTransport(shareOptionsFrom('transport=virtiofs'), undefined)).toThrow(/no virtiofsd Berth may run/);
  });

  test("each daemon's own spelling of the socket, the folder and cache=always", () => {
    expect(virtiofsdArgs(c, '/s/fs0.sock', '/home/u')).toEqual(['--socket-path=/s/fs0.sock', '-o', 'source=/home/u', '-o', 'cache=always']);
    expect(virtiofsdArgs(rust, '/s/fs0.sock', '/home/u')).toEqual(['--socket-path', '/s/fs0.sock', '--shared-dir', '/home/u', '--cache', 'always']);
  });

  test('an open-files limit asked in the share options reaches each daemon in its own spelling', () => {
    const chosen = chooseShareTransport(shareOptionsFrom('nofile=4096'), c);
    expect(chosen).toEqual({ kind: 'virtiofs', virtiofsd: { ...c, nofile: 4096 } });
    expect(virtiofsdArgs({ ...c, nofile: 4096 }, '/s/fs0.sock', '/h')).toContain('--rlimit-nofile=4096');
    expect(virtiofsdArgs({ ...rust, nofile: 4096 }, '/s/fs0.sock', '/h').slice(-2)).toEqual(['--rlimit-nofile', '4096']);
    expect(() => shareOptionsFrom('nofile=12')).toThrow(/nofile=<256-1048576>/);
  });
});
