import { describe, expect, test } from 'vitest';
import type { BerthHandlers } from '../contract/dispatcher';
import { launchPlan, quitAction, quitVm } from './quit-policy';
import { CONTENT_SECURITY_POLICY, externalUrl, isAllowedExternal, isAllowedNavigation } from '../contract/web-security';
import { secureWebPreferences } from './window-security';

describe('window security', () => {
  test('webPreferences isolate and sandbox the renderer, with no Node', () => {
    expect(secureWebPreferences('/p.js')).toMatchObject({ preload: '/p.js', contextIsolation: true, sandbox: true, nodeIntegration: false, webviewTag: false });
  });

  test('the CSP allows only the app itself', () => {
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("object-src 'none'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval|https?:/);
  });

  test('only http://localhost:PORT and http://127.0.0.1:PORT open externally', () => {
    for (const ok of ['http://localhost:8080', 'http://127.0.0.1:3000/path?q=1', 'http://localhost:65535/']) expect(isAllowedExternal(ok), ok).toBe(true);
    for (const bad of [
      'https://example.com',
      'http://example.com:80',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'http://localhost',
      'http://user:pw@localhost:80',
      'http://localhost.evil.com:80',
      'http://127.0.0.2:80',
      'not a url',
      'http://[::1]:80',
    ])
      expect(isAllowedExternal(bad), bad).toBe(false);
    expect(isAllowedNavigation('http://localhost:8080')).toBe(false);
  });

  test('what is opened is the normalized URL that was checked, not the raw string', () => {
    expect(externalUrl('\thttp://localhost:8080/a b\n')).toBe('http://localhost:8080/a%20b');
    expect(externalUrl(' http://127.0.0.1:3000/x?y=1#z ')).toBe('http://127.0.0.1:3000/x?y=1#z');
    expect(externalUrl('http://localhost:8080\t/')).toBe('http://localhost:8080/');
    expect(externalUrl('HTTP://LOCALHOST:8080')).toBe('http://localhost:8080/');
  });
});

describe('quit and launch policy', () => {
  test('quit stops the VM by default, or detaches', () => {
    expect(quitAction({ stopVmOnQuit: true })).toBe('stop-vm');
    expect(quitAction({ stopVmOnQuit: false })).toBe('detach');
  });

  test('a login launch (--hidden) opens no window; the VM starts only if asked', () => {
    expect(launchPlan({ startVmOnLaunch: false }, ['berth', '--hidden'])).toEqual({ startVm: false, showWindow: false });
    expect(launchPlan({ startVmOnLaunch: true }, ['berth'])).toEqual({ startVm: true, showWindow: true });
    // macOS 13+ drops a login item's arguments: wasOpenedAtLogin alone says it was a login launch.
    expect(launchPlan({ startVmOnLaunch: true }, ['berth'], true)).toEqual({ startVm: true, showWindow: false });
  });
});

describe('quit reads the settings at quit time', () => {
  const rig = (stopVmOnQuit: boolean | 'unreachable') => {
    const calls: string[] = [];
    const handlers = {
      'settings.get': async () => {
        calls.push('settings.get');
        if (stopVmOnQuit === 'unreachable') throw new Error('the agent is not running');
        return { stopVmOnQuit };
      },
      'vm.stop': async () => (calls.push('vm.stop'), null),
    } as unknown as BerthHandlers;
    return { calls, handlers };
  };

  test('stop VM on quit on: the VM is stopped', async () => {
    const { calls, handlers } = rig(true);
    expect(await quitVm(handlers)).toBe('stop-vm');
    expect(calls).toEqual(['settings.get', 'vm.stop']);
  });

  test('off (switched after launch): the VM keeps running', async () => {
    const { calls, handlers } = rig(false);
    expect(await quitVm(handlers)).toBe('detach');
    expect(calls).toEqual(['settings.get']);
  });

  test('settings unreadable: the default, stop', async () => {
    const { calls, handlers } = rig('unreachable');
    expect(await quitVm(handlers)).toBe('stop-vm');
    expect(calls).toEqual(['settings.get', 'vm.stop']);
  });
});
