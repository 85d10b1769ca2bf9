import type { RunSpec } from '../../../main/contract/berth-api';

/** A row's own key, so React keeps each row's fields when another row is removed. */
let rowCount = 0;
const rowKey = () => `row-${++rowCount}`;

/** A published port as typed: blank host port lets the engine choose. */
export interface PortRow {
  key: string;
  host: string;
  container: string;
  proto: 'tcp' | 'udp';
}

/** A mount as typed: an absolute host path (a bind) or a name (a volume). */
export interface MountRow {
  key: string;
  source: string;
  target: string;
  readOnly: boolean;
}

/** The run dialog's fields, as text the way they were typed. */
export interface RunForm {
  image: string;
  name: string;
  ports: PortRow[];
  /** KEY=value, one per line. */
  env: string;
  mounts: MountRow[];
  command: string;
  remove: boolean;
}

export const emptyPort = (): PortRow => ({ key: rowKey(), host: '', container: '', proto: 'tcp' });
export const emptyMount = (): MountRow => ({ key: rowKey(), source: '', target: '', readOnly: false });

export function emptyRunForm(image = ''): RunForm {
  return { image, name: '', ports: [], env: '', mounts: [], command: '', remove: false };
}

function portNumber(text: string, what: string, blankIs?: number): number | string {
  const t = text.trim();
  if (!t && blankIs !== undefined) return blankIs;
  const n = Number(t);
  return /^\d+$/.test(t) && n >= 1 && n <= 65_535 ? n : `${what} "${text}" is not a port number (1 to 65535)`;
}

/**
 * The spec the contract takes, or what is wrong with the form, said in its
 * terms. Empty rows are left out. Everything else (names, paths, the image
 * reference) is checked by the contract and then by the engine, in their words.
 */
export function toRunSpec(f: RunForm): RunSpec | string {
  if (!f.image.trim()) return 'Name an image to run.';
  const ports: RunSpec['ports'] = [];
  for (const p of f.ports.filter((x) => x.host.trim() || x.container.trim())) {
    const container = portNumber(p.container, 'Container port');
    const host = portNumber(p.host, 'Host port', 0);
    if (typeof container === 'string') return container;
    if (typeof host === 'string') return host;
    ports.push({ host, container, proto: p.proto });
  }
  const env = f.env
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const bad = env.find((l) => !/^[^=\s]+=/.test(l));
  if (bad !== undefined) return `Environment line "${bad}" is not KEY=value.`;
  const mounts = f.mounts.filter((m) => m.source.trim() || m.target.trim()).map((m) => ({ source: m.source.trim(), target: m.target.trim(), readOnly: m.readOnly }));
  const half = mounts.find((m) => !m.source || !m.target);
  if (half) return 'A mount needs both a host path (or volume name) and a container path.';
  return { image: f.image.trim(), name: f.name.trim(), ports, env, mounts, command: f.command.trim() || undefined, remove: f.remove };
}
