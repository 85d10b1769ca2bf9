/**
 * bench/agent-calls: what an idle app with the dashboard open on Containers
 * costs in calls to the agent, per minute. One VM, one busy container, the
 * container stats streaming (the page holds its lease) and the tray listening
 * to the service's events. Two windows in one run:
 *   - baseline: the tray rebuilt on every service event (what the app did
 *     before: every stats frame asked the agent for its status);
 *   - now: the tray rebuilt only on the events that change it (trayCares).
 * Each is counted at the agent client, and printed per minute with the ratio.
 *
 *   npm run build && npm run bench:agent-calls            # about 2 minutes under TCG
 *   npm run build && npm run bench:agent-calls -- 20      # 20-second windows
 */
import { AgentClient } from '../main/agent/agent-client';
import type { BerthService } from '../main/contract/berth-service';
import { dispatch } from '../main/contract/dispatcher';
import { importBusybox } from '../e2e/helpers/busybox-image';
import { benchVm, dockerIn, serviceFor } from './bench-vm';
import { trayCares } from '../main/contract/tray-events';

const vm = benchVm('agent-calls');
const { env, berth } = vm;
const windowSec = Number(process.argv[2] ?? 30);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const docker = dockerIn(env);

// Bench-only instrumentation: count every control-API request this process makes, by route.
const counts = new Map<string, number>();
const request = AgentClient.prototype.request;
AgentClient.prototype.request = function (this: AgentClient, route: never, ...args: never[]) {
  counts.set(route, (counts.get(route) ?? 0) + 1);
  return (request as (...a: unknown[]) => Promise<unknown>).call(this, route, ...args);
} as typeof request;
const total = () => [...counts.values()].reduce((a, b) => a + b, 0);

async function window(service: BerthService, handlers: ReturnType<BerthService['handlers']>, trayOnEvery: boolean): Promise<{ perMinute: number; byRoute: string; trayRebuilds: number }> {
  let rebuilds = 0;
  // The tray's refresh asks for what the menu shows: the status, the containers, the login item.
  const refresh = () => {
    rebuilds++;
    void Promise.all([dispatch(handlers, 'vm.status', []), dispatch(handlers, 'containers.list', []), dispatch(handlers, 'loginItem.get', [])]);
  };
  const onEvent = (name: string) => (trayOnEvery || trayCares(name)) && refresh();
  service.on('berth-event', onEvent);
  counts.clear();
  await sleep(windowSec * 1000);
  service.off('berth-event', onEvent);
  const byRoute = [...counts.entries()].map(([r, n]) => `${r} ${((n * 60) / windowSec).toFixed(1)}`).join(', ') || 'none';
  return { perMinute: (total() * 60) / windowSec, byRoute, trayRebuilds: rebuilds };
}

async function main(): Promise<void> {
  berth('start');
  importBusybox((tar) => docker('import', tar, 'bench/busybox:latest'));
  docker('run', '-d', '--name', 'busy', 'bench/busybox:latest', 'sh', '-c', 'while :; do :; done');
  const service = serviceFor(vm);
  const handlers = service.handlers();
  // The Containers page: it watches container stats and renews its lease every 5 s.
  const watch = () => dispatch(handlers, 'stats.watch', ['containers', 'bench-page-0001']);
  await watch();
  const renew = setInterval(() => void watch(), 5000);
  try {
    console.log(`${windowSec}-second windows; dashboard open on Containers, one busy container, stats streaming`);
    const before = await window(service, handlers, true);
    const after = await window(service, handlers, false);
    console.log(`baseline (tray rebuilt on every event): ${before.perMinute.toFixed(1)} agent calls/min (${before.byRoute}); tray rebuilds ${before.trayRebuilds}`);
    console.log(`now (tray rebuilt on VM and container changes only): ${after.perMinute.toFixed(1)} agent calls/min (${after.byRoute}); tray rebuilds ${after.trayRebuilds}`);
    console.log(`ratio now / baseline: ${(after.perMinute / Math.max(before.perMinute, 0.001)).toFixed(2)}`);
  } finally {
    clearInterval(renew);
    service.close();
  }
}

vm.run('agent-calls', main);
