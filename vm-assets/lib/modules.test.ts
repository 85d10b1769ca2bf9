import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadableModules, moduleLoadOrder, moduleName, stripModuleSignature } from './modules';

describe('moduleLoadOrder', () => {
  test('dependencies load first, each module once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-mod-'));
    writeFileSync(
      join(dir, 'modules.dep'),
      [
        'kernel/net/bridge/br_netfilter.ko: kernel/net/bridge/bridge.ko kernel/net/802/stp.ko kernel/net/llc/llc.ko',
        'kernel/net/bridge/bridge.ko: kernel/net/802/stp.ko kernel/net/llc/llc.ko',
        'kernel/net/802/stp.ko: kernel/net/llc/llc.ko',
        'kernel/net/llc/llc.ko:',
        'kernel/fs/9p/9p.ko: kernel/fs/netfs/netfs.ko',
        'kernel/fs/netfs/netfs.ko:',
      ].join('\n'),
    );
    const order = moduleLoadOrder(dir, ['br_netfilter', 'bridge', '9p']);
    expect(order).toEqual(['kernel/net/llc/llc.ko', 'kernel/net/802/stp.ko', 'kernel/net/bridge/bridge.ko', 'kernel/net/bridge/br_netfilter.ko', 'kernel/fs/netfs/netfs.ko', 'kernel/fs/9p/9p.ko']);
    expect(() => moduleLoadOrder(dir, ['nope'])).toThrow(/nope is not in/);
  });

  test('names fold dashes to underscores', () => {
    expect(moduleName('kernel/drivers/char/hw_random/virtio-rng.ko')).toBe('virtio_rng');
  });
});

describe('stripModuleSignature', () => {
  test('drops the appended PKCS#7 signature and its trailer', () => {
    const body = Buffer.from('\x7fELF-module-body');
    const sig = Buffer.alloc(10, 0xaa);
    const info = Buffer.alloc(12);
    info.writeUInt32BE(sig.length, 8);
    const signed = Buffer.concat([body, sig, info, Buffer.from('~Module signature appended~\n')]);
    expect(stripModuleSignature(signed).equals(body)).toBe(true);
    expect(stripModuleSignature(body).equals(body)).toBe(true);
  });
});

describe('loadableModules', () => {
  test('keeps the modules this kernel builds as modules, drops the built-in ones, refuses unknown names', () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-mod-'));
    writeFileSync(join(dir, 'modules.dep'), 'kernel/drivers/block/virtio_blk.ko.xz:\nkernel/fs/squashfs/squashfs.ko.xz:\n');
    writeFileSync(join(dir, 'modules.builtin'), 'kernel/drivers/virtio/virtio_pci.ko\n');
    expect(loadableModules(dir, ['virtio_pci', 'virtio-blk', 'squashfs'])).toEqual(['virtio-blk', 'squashfs']);
    expect(() => loadableModules(dir, ['no_such_module'])).toThrow(/no_such_module is neither a module nor built in/);
  });
});
