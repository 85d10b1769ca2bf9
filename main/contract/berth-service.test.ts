import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { berthPaths } from '../agent/paths';
import { BerthService } from './berth-service';
import { dispatch } from './dispatcher';

describe('BerthService app.openExternal', () => {
  test('opens exactly the normalized URL that was checked, never the raw string', async () => {
    const opened: string[] = [];
    const service = new BerthService({
      paths: berthPaths(mkdtempSync(join(tmpdir(), 'svc-'))),
      agentCommand: { execPath: 'unused', args: [] },
      loginItem: { get: () => ({ enabled: false, needsApproval: false }), set: (on) => ({ enabled: on, needsApproval: false }) },
      openExternal: async (url) => void opened.push(url),
      contexts: { configDir: mkdtempSync(join(tmpdir(), 'svc-docker-')), env: {}, sshCommand: ['ssh'] },
    });
    const handlers = service.handlers();
    expect(await dispatch(handlers, 'app.openExternal', ['\thttp://localhost:8080/a b\n'])).toEqual({ ok: true, value: null });
    expect((await dispatch(handlers, 'app.openExternal', ['file:///etc/passwd'])).ok).toBe(false);
    expect(opened).toEqual(['http://localhost:8080/a%20b']);
    service.close();
  });
});
