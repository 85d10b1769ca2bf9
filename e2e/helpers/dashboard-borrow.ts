/**
 * The dashboard's session, as a container would try to borrow it: the
 * container is a web app the person opens in the same browser, and then a
 * client that replays what it heard to the dashboard through
 * host.docker.internal. Also a plain WebSocket attempt from the host.
 */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import WebSocket from 'ws';
import { until } from './berth-cli';
import type { dockerCli } from './docker-cli';
import { wsFromContainer } from './ws-from-container';

/** The published port a container's web app listens on, for the borrowing check. */
const SPY_PORT = 18096;

/** The container records the request its published port receives from the page's browser, then replays it to the dashboard on `port`. */
export async function borrowAsAContainer(page: Page, docker: ReturnType<typeof dockerCli>, image: string, port: number, session: string): Promise<void> {
  // The container plays a web app the user opens: it records the raw request it receives.
  const reply = 'HTTP/1.0 200 OK\\r\\nContent-Length: 2\\r\\nConnection: close\\r\\n\\r\\nhi';
  const spy = ['run', '-d', '--name', 'dash-spy', '-p', `127.0.0.1:${SPY_PORT}:80`, image, 'sh', '-c', `while :; do printf '${reply}' | nc -l -p 80; done`];
  expect(docker(spy).status).toBe(0);
  const tab = await page.context().newPage();
  expect(await until(async () => (await tab.goto(`http://127.0.0.1:${SPY_PORT}/`).catch(() => undefined))?.ok() === true, 20_000, 500)).toBe(true);
  await tab.close();
  const heard = docker(['logs', 'dash-spy']).stdout;
  console.log(`what the container's port received:\n${heard.trim()}`);
  expect(heard).toMatch(/^GET \/ HTTP\/1\.1\r?$/m);
  expect(heard).not.toMatch(/^cookie:/im);
  expect(heard).not.toContain(session);
  // The container replays every header it heard, forges Host and Origin, and calls the dashboard through host.docker.internal.
  const replayed = heard.split(/\r?\n/).filter((l) => /^[A-Za-z-]+: /.test(l) && !/^(host|origin|connection|upgrade|sec-websocket-[a-z]+):/i.test(l));
  const forged = [...replayed, `Host: 127.0.0.1:${port}`, `Origin: http://127.0.0.1:${port}`];
  const call = JSON.stringify({ id: 1, call: 'vm.status', args: [] });
  const tryIt = (texts: string[]) => docker(['run', '--rm', image, 'sh', '-c', wsFromContainer('host.docker.internal', port, forged, texts)]).stdout;
  const borrowed = tryIt([call]);
  expect(borrowed).toContain('101 Switching Protocols');
  expect(borrowed).toContain('open the link that berth dashboard printed');
  expect(borrowed).not.toContain('"reply"');
  // The same path with the page's session works: only the credential, which the container never saw, stands in the way.
  const withSession = tryIt([JSON.stringify({ hello: { session } }), call]);
  expect(withSession).toContain('{"welcome"');
  expect(withSession).toContain('"reply":{"ok":true');
  expect(docker(['rm', '-f', 'dash-spy']).status).toBe(0);
}

/** One WebSocket to the dashboard from the host: what it got first (data, a close code or a refusal). */
export function firstAnswer(port: string | number, first: unknown, origin: string): Promise<string> {
  return new Promise<string>((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { origin } });
    ws.on('open', () => {
      if (first !== undefined) ws.send(JSON.stringify(first));
      ws.send(JSON.stringify({ id: 1, call: 'vm.status', args: [] }));
      ws.on('message', (m) => resolve(`data: ${String(m).slice(0, 40)}`));
      ws.on('close', (code) => resolve(`closed ${code}`));
    });
    ws.on('unexpected-response', (_req, res) => resolve(`refused ${res.statusCode}`));
    ws.on('error', (e) => resolve(`error ${e.message}`));
  });
}
