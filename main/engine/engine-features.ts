import type { Settings } from '../settings/settings-schema';

/** dockerd `features` the guest can turn on at boot (rc.boot writes them into the engine's daemon.json). */
export type EngineFeature = 'containerd-snapshotter';

/** The engine features the settings ask for; the guest gets them through fw_cfg at the next start. */
export function engineFeatures(s: Pick<Settings, 'containerdImageStore'>): EngineFeature[] {
  return s.containerdImageStore ? ['containerd-snapshotter'] : [];
}
