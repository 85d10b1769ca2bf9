import { homedir } from 'node:os';
import { join } from 'node:path';

/** Every file Berth keeps for one user, under one directory. */
export interface BerthPaths {
  home: string;
  settings: string;
  controlSocket: string;
  agentPid: string;
  /** The default Docker socket shell users point DOCKER_HOST at. */
  dockerSocket: string;
  logs: string;
  vm: string;
  /** The remembered accelerator verdict for this host (kept across `berth reset`). */
  accelVerdict: string;
  /** Synchronized folders' journals (kept across `berth reset`: a new VM copy is told apart by its marker). */
  sync: string;
  /** Where `berth dashboard` leaves the 0600 page that sends the browser on to its link. */
  dashboardLaunch: string;
}

/** `BERTH_HOME` overrides the whole directory, which is how tests isolate themselves. */
export function berthHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.BERTH_HOME || join(homedir(), '.berth');
}

export function berthPaths(home = berthHome()): BerthPaths {
  return {
    home,
    settings: join(home, 'settings.json'),
    controlSocket: join(home, 'agent.sock'),
    agentPid: join(home, 'agent.pid'),
    dockerSocket: join(home, 'docker.sock'),
    logs: join(home, 'logs'),
    vm: join(home, 'vm'),
    accelVerdict: join(home, 'accel-verdict.json'),
    dashboardLaunch: join(home, 'dashboard'),
    sync: join(home, 'sync'),
  };
}
