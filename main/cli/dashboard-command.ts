import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { AgentCommand } from '../agent/agent-client';
import type { BerthPaths } from '../agent/paths';
import { BerthService } from '../contract/berth-service';
import { contextSourcesFrom } from '../contract/engine-choice';
import { CODE_TTL_MS } from '../dashboard/dashboard-auth';
import { DashboardServer } from '../dashboard/dashboard-server';
import { writeLaunchFile } from '../dashboard/launch-file';
import { XdgAutostart } from '../login-item/xdg-autostart';
import { findExecutable } from '../common/executables';

/** Opens a URL or an HTML file in the desktop's browser, if there is a desktop. */
function openInBrowser(target: string): void {
  const opener = process.platform === 'darwin' ? 'open' : findExecutable('xdg-open');
  if (!opener) return;
  spawn(opener, [target], { stdio: 'ignore', detached: true })
    .on('error', () => undefined)
    .unref();
}

/** `berth dashboard`: serves the UI until interrupted. */
export async function runDashboard(paths: BerthPaths, agentCommand: AgentCommand, port: number, open: boolean): Promise<void> {
  // Without the menu-bar app, starting at login means starting the VM: `berth start`.
  const autostart = new XdgAutostart([process.execPath, join(__dirname, 'index.js'), 'start']);
  const service = new BerthService({
    paths,
    agentCommand,
    loginItem: { get: () => ({ enabled: autostart.isEnabled(), needsApproval: false }), set: (on) => ({ enabled: autostart.set(on), needsApproval: false }) },
    openExternal: async (url) => openInBrowser(url),
    contexts: contextSourcesFrom(process.env),
  });
  const server = new DashboardServer(service, join(__dirname, '..', '..', 'renderer'));
  await server.listen(port);
  console.log(`Berth dashboard: ${server.url}`);
  // The browser gets a file that redirects to the link, never the link itself: argv is public.
  const launch = open ? writeLaunchFile(paths.dashboardLaunch, server.url) : undefined;
  if (launch) {
    openInBrowser(launch.path);
    setTimeout(launch.remove, CODE_TTL_MS).unref();
  }
  const stop = async () => {
    launch?.remove();
    service.close();
    await server.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  await new Promise(() => undefined);
}
