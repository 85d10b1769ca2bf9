import { useCallback, useEffect, useState } from 'react';
import type { CallResults, ReclaimResult } from '../../../main/contract/berth-api';
import type { Settings } from '../../../main/contract/berth-api';
import { vmUp } from '../store/store';
import { useApi, useBerth } from './context';
import { bytes, percent } from './format';
import { Sparkline } from './sparkline';
import { useStatsWatch } from './use-stats-watch';
import { AccelFallbackNotice } from './host-notices';

type Editable = Pick<Settings, 'cpus' | 'memoryMiB' | 'diskGiB' | 'accelerator' | 'containerdImageStore'>;

const ACCEL_CHOICES: ReadonlyArray<[Settings['accelerator'], string]> = [
  ['auto', 'Automatic (hardware where it works)'],
  ['hvf', 'HVF (macOS)'],
  ['kvm', 'KVM (Linux)'],
  ['tcg', 'Software emulation (TCG)'],
];

/** The VM's size (editable; applying asks to restart), its live CPU and memory, and disk usage with Reclaim space. */
export function ResourcesPage() {
  const running = useBerth(vmUp);
  const settings = useBerth((s) => s.settings);
  if (!settings) return <p className="empty">Loading…</p>;
  return (
    <section aria-label="Resources" className="form">
      <h2>Virtual machine</h2>
      <AccelFallbackNotice />
      <VmSizeForm settings={settings} running={running} />
      <h2>Usage</h2>
      {running ? <VmGraphs /> : <p className="muted">Live CPU and memory appear while the VM runs.</p>}
      <DiskUsage running={running} />
    </section>
  );
}

/** CPUs, memory, disk, accelerator and the image store: a draft that Apply sends to the agent, offering a restart. */
function VmSizeForm({ settings, running }: { settings: Settings; running: boolean }) {
  const { api, store } = useApi();
  const status = useBerth((s) => s.status);
  const [draft, setDraft] = useState<Partial<Editable>>({});
  const field = (key: 'cpus' | 'memoryMiB' | 'diskGiB', label: string, min: number) => (
    <label className="row">
      {label}
      <input type="number" min={min} value={draft[key] ?? settings[key]} onChange={(e) => setDraft({ ...draft, [key]: Number(e.target.value) })} />
    </label>
  );
  const apply = async () => {
    const r = await store.getState().run('settings', () => api['settings.update'](draft));
    if (!r) return;
    store.setState({ settings: r });
    setDraft({});
    if (running && confirm('Restart the VM now to apply the new resources?')) await store.getState().run('vm', () => api['vm.restart']());
  };
  return (
    <>
      {field('cpus', 'CPUs', 1)}
      {field('memoryMiB', 'Memory (MiB)', 512)}
      {field('diskGiB', 'Disk (GiB)', 8)}
      <label className="row">
        Accelerator
        <select value={draft.accelerator ?? settings.accelerator} onChange={(e) => setDraft({ ...draft, accelerator: e.target.value as Settings['accelerator'] })}>
          {ACCEL_CHOICES.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </label>
      <label className="row">
        <input type="checkbox" checked={draft.containerdImageStore ?? settings.containerdImageStore} onChange={(e) => setDraft({ ...draft, containerdImageStore: e.target.checked })} /> Use containerd
        for pulling and storing images (multi-platform images need it; images stored the other way are hidden while it is on)
      </label>
      {status?.accel && (
        <p className="muted" data-testid="accel-in-use">
          Running on {status.accel}
          {status.accelReason ? `: ${status.accelReason}` : ''}
        </p>
      )}
      <button type="button" disabled={Object.keys(draft).length === 0} onClick={() => void apply()}>
        Apply
      </button>
    </>
  );
}

/** What the engine's data takes, and Reclaim space with the host-side result. */
function DiskUsage({ running }: { running: boolean }) {
  const { api, store } = useApi();
  const [df, setDf] = useState<CallResults['system.df']>();
  const [reclaimed, setReclaimed] = useState<ReclaimResult>();
  const [withVolumes, setWithVolumes] = useState(false);
  const reclaiming = useBerth((s) => s.busy.reclaim);
  // A failed refresh keeps the last figures rather than hiding the section.
  const loadDf = useCallback(() => void api['system.df']().then((r) => r.ok && setDf(r.value)), [api]);
  // Asked again whenever the VM comes up or goes down: what the engine stores changes with it.
  useEffect(() => {
    if (running) loadDf();
  }, [loadDf, running]);
  const reclaim = async () => {
    const what = `stopped containers, unused networks, dangling images and the build cache${withVolumes ? ', and every volume no container uses' : ''}`;
    if (!confirm(`Reclaim space deletes ${what}. Continue?`)) return;
    const r = await store.getState().run('reclaim', () => api['system.reclaim']({ volumes: withVolumes }));
    if (r) setReclaimed(r);
    loadDf();
    await store.getState().refreshLists();
  };
  return (
    <>
      <h2>Disk usage</h2>
      {df && running ? (
        <>
          <ul data-testid="disk-usage">
            <li>Images: {bytes(df.images)}</li>
            <li>Containers: {bytes(df.containers)}</li>
            <li>Volumes: {bytes(df.volumes)}</li>
            <li>Build cache: {bytes(df.buildCache)}</li>
          </ul>
          <label className="row">
            <input type="checkbox" checked={withVolumes} onChange={(e) => setWithVolumes(e.target.checked)} /> Also delete volumes no container uses
          </label>
          <button type="button" onClick={() => void reclaim()} disabled={reclaiming}>
            {reclaiming ? 'Reclaiming…' : 'Reclaim space'}
          </button>
        </>
      ) : (
        <p className="muted">Disk usage appears while the VM runs.</p>
      )}
      {reclaimed && (
        <p role="status" data-testid="reclaim-result">
          Freed {bytes(reclaimed.reclaimedBytes)} in the VM ({reclaimed.removed.containers} containers, {reclaimed.removed.images} images, {reclaimed.removed.volumes} volumes,{' '}
          {reclaimed.removed.buildCache} cache entries). The disk image on this computer went from {bytes(reclaimed.diskBefore)} to {bytes(reclaimed.diskAfter)}.
        </p>
      )}
    </>
  );
}

/** Live CPU and memory of the VM, streamed only while this page is open. */
function VmGraphs() {
  useStatsWatch('vm');
  const history = useBerth((s) => s.vmStats);
  const last = history.at(-1);
  if (!last) return <p className="muted">Collecting…</p>;
  const guest = last.guest;
  return (
    <div className="graphs">
      <Sparkline label={`CPU (${last.cpus} vCPUs)`} testId="vm-cpu-graph" values={history.map((h) => h.cpuPercent ?? 0)} max={100} valueText={percent(last.cpuPercent)} />
      <Sparkline
        label="Memory in use"
        testId="vm-memory-graph"
        values={history.map((h) => h.guest?.usedBytes ?? 0)}
        max={guest?.totalBytes ?? last.memoryBytes}
        valueText={guest ? `${bytes(guest.usedBytes)} of ${bytes(guest.totalBytes)}` : '—'}
      />
      <p className="muted">
        On this computer the VM occupies {bytes(last.hostResidentBytes)} of memory{last.disk ? ` and its disk image ${bytes(last.disk.allocatedBytes)}` : ''}.
      </p>
    </div>
  );
}
