import { availableParallelism, totalmem } from 'node:os';
import { z } from 'zod';
import { ACCEL_SETTINGS } from '../vm/accel';
import { pathProblem, sharedPathProblem } from './host-paths';
import { engineConfigProblem } from './engine-config';

/** Limits the schema checks against; injected so tests do not depend on the machine. */
export interface HostLimits {
  cpus: number;
  memoryMiB: number;
}

export function hostLimits(): HostLimits {
  return { cpus: availableParallelism(), memoryMiB: Math.floor(totalmem() / 1024 / 1024) };
}

/** An absolute host path in normal form, or empty (which means `emptyMeans`). */
function optionalPath(key: string, emptyMeans: string) {
  return z.string().superRefine((p, ctx) => {
    const problem = p === '' ? undefined : pathProblem(p);
    if (problem) ctx.addIssue({ code: 'custom', message: `${key} ${problem}, or empty ${emptyMeans}` });
  });
}

/** How the app and the VM behave over time: the settings that do not depend on the host's size. */
const APP_BEHAVIOUR = {
  /**
   * Sleep when idle: after idleSleepMinutes with no running containers and no docker client
   * connected, the VM's state is saved and QEMU exits; the first docker command wakes it.
   */
  idleSleep: z.boolean({ error: 'idleSleep must be true or false' }).default(true),
  /** Idle minutes before the VM sleeps; fractions are allowed (0.1 is six seconds). */
  idleSleepMinutes: z
    .number({ error: 'idleSleepMinutes must be a number of minutes' })
    .min(0.05, 'idleSleepMinutes must be at least 0.05 (three seconds)')
    .max(1440, 'idleSleepMinutes must be at most 1440 (a day)')
    .default(5),
  startAtLogin: z.boolean({ error: 'startAtLogin must be true or false' }).default(false),
  startVmOnLaunch: z.boolean({ error: 'startVmOnLaunch must be true or false' }).default(true),
  stopVmOnQuit: z.boolean({ error: 'stopVmOnQuit must be true or false' }).default(true),
};

/** How the engine is set up: the image store, and the user's daemon.json (Docker Desktop's "Docker Engine" page). */
const ENGINE = {
  /**
   * Docker Desktop's "Use containerd for pulling and storing images": the engine keeps images
   * in containerd, which multi-platform images (manifest lists) need. Images kept the other
   * way stay on the disk, hidden while this is on, and come back when it is off.
   */
  containerdImageStore: z.boolean({ error: 'containerdImageStore must be true or false' }).default(false),
  /** Docker Desktop's "Docker Engine" page: the user's daemon.json, checked key by key (engine-config.ts); Docker's defaults when empty. */
  engine: z
    .record(z.string(), z.unknown(), { error: 'engine must be a JSON object, as daemon.json is' })
    .superRefine((v, ctx) => {
      const problem = engineConfigProblem(v);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .default({}),
};

/** A list of absolute host folders, each checked as a share is (sharedPathProblem). */
function folderList(key: string, what: string) {
  return z
    .array(
      z.string().superRefine((p, ctx) => {
        const problem = sharedPathProblem(p);
        if (problem) ctx.addIssue({ code: 'custom', message: `${key} must hold absolute paths of folders ${what}: ${JSON.stringify(p)} ${problem}` });
      }),
      { error: `${key} must be a list of absolute paths` },
    )
    .default([]);
}

/**
 * Berth's settings. Defaults match Docker Desktop's small-VM defaults; every
 * field says in its message what a valid value is.
 */
export function settingsSchema(limits: HostLimits) {
  return z
    .object({
      cpus: z
        .number({ error: 'cpus must be a whole number' })
        .int('cpus must be a whole number')
        .min(1, 'cpus must be at least 1')
        .max(limits.cpus, `cpus must be at most ${limits.cpus}, the number of CPUs this machine has`)
        .default(Math.min(2, limits.cpus)),
      memoryMiB: z
        .number({ error: 'memoryMiB must be a whole number of MiB' })
        .int('memoryMiB must be a whole number of MiB')
        .min(512, 'memoryMiB must be at least 512 (the engine needs room to run)')
        .max(limits.memoryMiB, `memoryMiB must be at most ${limits.memoryMiB}, this machine's memory`)
        .default(2048),
      diskGiB: z
        .number({ error: 'diskGiB must be a whole number of GiB' })
        .int('diskGiB must be a whole number of GiB')
        .min(8, 'diskGiB must be at least 8')
        .max(4096, 'diskGiB must be at most 4096')
        .default(64),
      /** Where the Docker socket for shell users lives; empty means ~/.berth/docker.sock. */
      socketPath: optionalPath('socketPath', 'for the default')
        .refine((p) => Buffer.byteLength(p) < 100, 'socketPath must be shorter than 100 bytes (a unix socket limit)')
        .default(''),
      /** Host port for the engine's TLS forward on 127.0.0.1; 0 picks a free one at each start. */
      enginePort: z
        .number({ error: 'enginePort must be a port number' })
        .int('enginePort must be a port number')
        .min(0, 'enginePort must be 0 (automatic) or 1024–65535')
        .max(65535, 'enginePort must be at most 65535')
        .refine((p) => p === 0 || p >= 1024, 'enginePort must be 0 (automatic) or 1024–65535')
        .default(0),
      /** Host folders shared into the VM at the same path, besides the home directory. */
      sharedPaths: folderList('sharedPaths', 'to share'),
      /** Host folders synchronized with a copy on the VM's disk, at the same path (main/sync/). */
      syncedPaths: folderList('syncedPaths', 'to synchronize'),
      /** auto: hvf or KVM where they really work, software emulation (TCG) where they don't. */
      accelerator: z.enum(ACCEL_SETTINGS, { error: `accelerator must be one of ${ACCEL_SETTINGS.join(', ')}` }).default('auto'),
      /** The folder holding QEMU's programs (or the qemu-system binary); empty searches PATH and the usual places. */
      qemuPath: optionalPath('qemuPath', 'to search PATH and the usual places').default(''),
      ...ENGINE,
      ...APP_BEHAVIOUR,
    })
    .strict();
}

/** The validated settings. */
export type Settings = z.infer<ReturnType<typeof settingsSchema>>;
export type SettingsKey = keyof Settings;
