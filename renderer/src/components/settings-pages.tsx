import { useEffect, useState } from 'react';
import type { Settings } from '../../../main/contract/berth-api';
import { useApi, useBerth } from './context';
import { AccelFallbackNotice, GuestClockLine, LoginItemToggle } from './host-notices';
import { EngineEditor } from './engine-editor';
import { SyncedFolders } from './synced-folders';

function Toggle({ label, value, onChange }: { label: string; value: boolean; onChange: (v: boolean) => void }) {
  return (
    <label className="row">
      <input type="checkbox" checked={value} onChange={(e) => onChange(e.target.checked)} /> {label}
    </label>
  );
}

/** App behaviour, the socket and the Docker context. */
export function SettingsPage() {
  const { api, store } = useApi();
  const settings = useBerth((s) => s.settings);
  const status = useBerth((s) => s.status);
  if (!settings) return <p className="empty">Loading settings…</p>;
  // Optimistic: the toggle moves at once; a refused change puts it back.
  const update = async (patch: Partial<Settings>) => {
    const before = settings;
    store.setState({ settings: { ...settings, ...patch } });
    const r = await store.getState().run('settings', () => api['settings.update'](patch));
    store.setState({ settings: r ?? before });
  };
  const exportLine = status?.dockerHostExport ?? '';
  return (
    <section aria-label="Settings" className="form">
      <LoginItemToggle />
      <Toggle label="Start the VM when Berth launches" value={settings.startVmOnLaunch} onChange={(v) => void update({ startVmOnLaunch: v })} />
      <Toggle label="Stop the VM when Berth quits" value={settings.stopVmOnQuit} onChange={(v) => void update({ stopVmOnQuit: v })} />
      <div className="row">
        <Toggle label="Sleep when idle for" value={settings.idleSleep} onChange={(v) => void update({ idleSleep: v })} />
        <input
          type="number"
          aria-label="Idle minutes before sleep"
          min={1}
          step={1}
          disabled={!settings.idleSleep}
          value={settings.idleSleepMinutes}
          onChange={(e) => e.target.valueAsNumber > 0 && void update({ idleSleepMinutes: e.target.valueAsNumber })}
        />{' '}
        minutes
      </div>
      <p className="muted">Asleep, the VM uses no memory or CPU; the next docker command wakes it in a second or two.</p>
      <div className="row">
        <code data-testid="docker-host">{exportLine}</code>
        <button type="button" onClick={() => void navigator.clipboard?.writeText(exportLine)}>
          Copy
        </button>
      </div>
      <div className="row">
        <code>docker context use berth</code>
        <button type="button" onClick={() => void navigator.clipboard?.writeText('docker context use berth')}>
          Copy
        </button>
      </div>
      <p className="muted">
        For tools that only know /var/run/docker.sock, run <code>berth link-socket</code> (it needs admin rights).
      </p>
      <EngineEditor settings={settings} />
      <SyncedFolders settings={settings} folders={status?.sync ?? []} />
    </section>
  );
}

/** Readiness checks, log tails, restart and factory reset. */
export function TroubleshootPage() {
  const { api, store } = useApi();
  const status = useBerth((s) => s.status);
  const [agentLog, setAgentLog] = useState('');
  const [vmLog, setVmLog] = useState('');
  // biome-ignore lint/correctness/useExhaustiveDependencies: the logs are read again whenever the VM's state changes
  useEffect(() => {
    void api['logs.tail']('agent', 50).then((r) => r.ok && setAgentLog(r.value));
    void api['logs.tail']('vm', 50).then((r) => r.ok && setVmLog(r.value));
  }, [api, status?.state]);
  return (
    <section aria-label="Troubleshoot">
      <h2>Readiness checks</h2>
      {status?.checks.length ? (
        <ul>
          {status.checks.map((c) => (
            <li key={c.name}>
              {c.status === 'passed' ? '✓' : c.status === 'failed' ? '✗' : '–'} {c.name}
              {c.error && (
                <span className="muted">
                  {' '}
                  — {c.error}. {c.hint}
                </span>
              )}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">Checks run while the VM is up.</p>
      )}
      {status?.lastError && <p role="alert">{status.lastError}</p>}
      <AccelFallbackNotice />
      <h2>Clock</h2>
      <GuestClockLine />
      <div className="toolbar">
        <button type="button" onClick={() => void store.getState().run('vm', () => api['vm.restart']())}>
          Restart VM
        </button>
        <button
          type="button"
          className="danger"
          onClick={() => {
            if (confirm('Factory reset deletes every image, container and volume in Berth, and its certificates. Continue?')) void store.getState().run('vm', () => api['vm.reset']('delete-all-data'));
          }}
        >
          Factory reset…
        </button>
      </div>
      <h2>Agent log</h2>
      <pre className="logs">{agentLog || 'No log yet.'}</pre>
      <h2>VM console</h2>
      <pre className="logs">{vmLog || 'No log yet.'}</pre>
    </section>
  );
}
