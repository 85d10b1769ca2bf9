import { useEffect, useState } from 'react';
import type { GuestClock, LoginItemState } from '../../../main/contract/berth-api';
import { useApi, useBerth } from './context';

/** Software emulation although the host has a hardware accelerator: said on the page, with the way back. */
export function AccelFallbackNotice() {
  const { api, store } = useApi();
  const fallback = useBerth((s) => s.status?.accelFallback);
  if (!fallback) return null;
  return (
    <div role="alert" className="notice">
      <p>{fallback}</p>
      <button
        type="button"
        onClick={() =>
          void store
            .getState()
            .run('vm', () => api['vm.retryAccel']())
            .then(() => store.getState().refreshStatus())
        }
      >
        Try hardware acceleration again
      </button>
    </div>
  );
}

/** Start at login, and on macOS 13+ the approval it may wait for in System Settings. */
export function LoginItemToggle() {
  const { api } = useApi();
  const [login, setLogin] = useState<LoginItemState>();
  useEffect(() => void api['loginItem.get']().then((r) => r.ok && setLogin(r.value)), [api]);
  return (
    <>
      <label className="row">
        <input type="checkbox" checked={!!login?.enabled} onChange={(e) => void api['loginItem.set'](e.target.checked).then((r) => r.ok && setLogin(r.value))} /> Start Berth at login
      </label>
      {login?.needsApproval && (
        <p className="notice">
          macOS is waiting for you to allow Berth in System Settings › Login Items.{' '}
          <button type="button" onClick={() => void api['loginItem.openSettings']()}>
            Open System Settings
          </button>
        </p>
      )}
    </>
  );
}

/** The guest's clock against the host's: minutes of lag would break TLS and apt in containers. */
export function GuestClockLine() {
  const { api } = useApi();
  const state = useBerth((s) => s.status?.state);
  const [clock, setClock] = useState<GuestClock>();
  useEffect(() => {
    if (state !== 'running') return setClock(undefined);
    void api['vm.clock']().then((r) => setClock(r.ok ? r.value : undefined));
  }, [api, state]);
  if (!clock) return <p className="muted">The guest clock shows while the VM runs.</p>;
  const off = Math.abs(clock.skewMs) < 2000 ? 'in step' : `${(clock.skewMs / 1000).toFixed(0)} s ${clock.skewMs < 0 ? 'behind' : 'ahead'}`;
  return (
    <p data-testid="guest-clock">
      Guest clock {clock.guest} · host {clock.host} · {off}
    </p>
  );
}
