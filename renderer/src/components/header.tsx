import { BOOT_STAGES } from '../../../main/contract/ui-constants';
import { useApi, useBerth } from './context';
import { showsRemote, vmUp } from '../store/store';
import { EngineSwitcher } from './engine-switcher';

/** VM state, Start/Stop, and boot progress from the guest's stages. */
export function Header() {
  const { api, store, mock } = useApi();
  const status = useBerth((s) => s.status);
  const stage = useBerth((s) => s.bootStage);
  const busy = useBerth((s) => s.busy.vm);
  const state = status?.state ?? 'stopped';
  const up = useBerth(vmUp);
  // Start, Stop and the VM's version mean something only for Berth's own VM.
  const remote = useBerth(showsRemote);
  const stageIndex = stage ? (BOOT_STAGES as readonly string[]).indexOf(stage) + 1 : 0;
  const run = (call: 'vm.start' | 'vm.stop') =>
    store
      .getState()
      .run('vm', () => api[call]())
      .then(() => store.getState().refreshStatus());
  return (
    <header className="header">
      <h1>Berth</h1>
      {mock && (
        <span className="mock-badge" data-testid="mock-badge">
          Mock backend
        </span>
      )}
      {/* With another engine shown, the badge still tells Berth's own VM: say whose state it is. */}
      {remote && <span className="muted">Berth VM</span>}
      <span className={`state state-${state}`} role="status" aria-live="polite" data-testid="vm-state">
        {state}
      </span>
      {state === 'starting' && (
        <progress aria-label="Boot progress" max={BOOT_STAGES.length} value={stageIndex}>
          {stage}
        </progress>
      )}
      {state === 'starting' && stage && <span className="muted">{stage}</span>}
      <EngineSwitcher />
      <span className="spacer" />
      {!remote && status?.engineVersion && up && <span className="muted">Docker {status.engineVersion}</span>}
      {remote ? null : up || state === 'starting' ? (
        <button type="button" onClick={() => void run('vm.stop')} disabled={busy}>
          Stop
        </button>
      ) : (
        <button type="button" className="primary" onClick={() => void run('vm.start')} disabled={busy || state === 'stopping' || state === 'suspending'}>
          {state === 'sleeping' ? 'Wake' : 'Start'}
        </button>
      )}
    </header>
  );
}
