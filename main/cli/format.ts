import type { AgentEvent, AgentStatus } from '../agent/control-api';

/** One progress line for `berth start`, or undefined for events not worth a line. */
export function progressLine(e: AgentEvent): string | undefined {
  switch (e.event) {
    case 'vm.bootStage':
      return `Starting… (${e.payload.stage})`;
    case 'vm.state':
      return e.payload.state === 'suspending' ? 'Going to sleep…' : undefined;
    case 'vm.checkPassed':
      return `Starting… (${e.payload.check} ok)`;
    case 'vm.stopStep':
      return `Stopping… (${e.payload.step})`;
    case 'vm.notice':
      return e.payload.message;
    default:
      return undefined;
  }
}

function duration(s: number): string {
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

/** `berth status` for people. */
export function formatStatus(s: Partial<AgentStatus>): string {
  const lines = [`State:        ${s.state}${s.state === 'sleeping' ? ' (idle: no memory or CPU used; the next docker command wakes it, or `berth start`)' : ''}`];
  if (s.accel) lines.push(`Accelerator:  ${s.accel}${s.accelReason ? ` (${s.accelReason})` : ''}`);
  if (s.accelFallback) lines.push(`WARNING:      ${s.accelFallback}`, `              Try hardware acceleration again: berth accel retry`);
  if (s.uptimeSeconds !== undefined) lines.push(`Uptime:       ${duration(s.uptimeSeconds)}`);
  if (s.engineVersion) lines.push(`Engine:       Docker ${s.engineVersion} (API ${s.apiVersion})`);
  if (s.socketPath) lines.push(`Socket:       ${s.socketPath}`);
  // What the running VM has, not what the settings now say; a change waits for a restart.
  const r = s.booted ?? s.settings;
  if (r) lines.push(`Resources:    ${r.cpus} CPUs, ${r.memoryMiB} MiB memory, ${r.diskGiB} GiB disk`);
  if (r?.containerdImageStore) lines.push('Images:       stored by containerd (multi-platform images supported)');
  if (r?.engine && Object.keys(r.engine).length) lines.push(`Engine:       daemon.json sets ${Object.keys(r.engine).join(', ')}`);
  if (s.pendingRestart?.length) lines.push(`Pending:      ${s.pendingRestart.join(', ')} changed; applies at the next \`berth restart\``);
  if (s.sharedPaths?.length) lines.push(`Shared:       ${s.sharedPaths.join(', ')} (same path in the VM)`);
  for (const p of s.ports ?? []) lines.push(`Port:         127.0.0.1:${p.port}/${p.proto} → ${p.container}`);
  for (const p of s.portConflicts ?? []) lines.push(`Port conflict: 127.0.0.1:${p.port}/${p.proto} for ${p.container}: ${p.error}`);
  if (s.bootStage && s.state === 'starting') lines.push(`Boot stage:   ${s.bootStage}`);
  for (const c of s.checks ?? []) {
    lines.push(`Check:        ${c.status === 'passed' ? 'ok ' : c.status === 'failed' ? 'FAIL' : '-  '} ${c.name}${c.error ? `: ${c.error} (${c.hint})` : ''}`);
  }
  if (s.lastError) lines.push(`Last error:   ${s.lastError}`);
  if (s.settingsRecovered) lines.push(`Note:         settings were unreadable and were reset; the old file is ${s.settingsRecovered.backup}`);
  return lines.join('\n');
}
