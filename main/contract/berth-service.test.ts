import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { berthPaths } from '../agent/paths';
import { writeDockerContext } from '../engine/docker-context';
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

describe('BerthService: which engine a call goes to', () => {
  /** A STAND-IN engine on a unix socket whose only container is `name`. */
  const standIn = (socket: string, name: string) =>
    new Promise<Server>((resolve) => {
      const s = createServer((req, res) => {
        res.setHeader('Content-Type', 'application/json');
        if (req.url?.startsWith('/containers/json')) res.end(JSON.stringify([{ Id: `${name}-id`, Names: [`/${name}`], Image: 'i', State: 'exited', Status: 'Exited (0)', Created: 0, Ports: [] }]));
        else res.writeHead(404).end('{"message":"not here"}');
      });
      s.listen(socket, () => resolve(s));
    });

  test("a page's engine calls follow its switcher; the tray's stay on Berth's VM", async () => {
    const home = mkdtempSync(join(tmpdir(), 'svc-'));
    const config = mkdtempSync(join(tmpdir(), 'svc-docker-'));
    const paths = berthPaths(home);
    const servers = [await standIn(paths.dockerSocket, 'vm-web'), await standIn(join(home, 'remote.sock'), 'remote-web')];
    writeDockerContext(join(home, 'remote.sock'), 'remote', config);
    const service = new BerthService({
      paths,
      agentCommand: { execPath: 'unused', args: [] },
      loginItem: { get: () => ({ enabled: false, needsApproval: false }), set: (on) => ({ enabled: on, needsApproval: false }) },
      openExternal: async () => undefined,
      contexts: { configDir: config, env: {}, sshCommand: ['ssh'] },
    });
    const page = service.handlers();
    const tray = service.handlers({ for: 'vm' });
    const names = async (h: typeof page) => ((await dispatch(h, 'containers.list', [])) as { value: { name: string }[] }).value.map((c) => c.name);
    expect((await dispatch(page, 'engines.list', [])).ok).toBe(true);
    expect(await dispatch(page, 'engines.select', ['remote'])).toEqual({ ok: true, value: { selected: 'remote' } });
    expect(await names(page)).toEqual(['remote-web']);
    expect(await names(tray)).toEqual(['vm-web']);
    await dispatch(page, 'engines.select', [null]);
    expect(await names(page)).toEqual(['vm-web']);
    service.close();
    for (const s of servers) s.close();
  });
});
