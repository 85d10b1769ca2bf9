/** Bytes in the units people read sizes in (decimal, like docker and Finder). */
export function bytes(n?: number): string {
  if (n === undefined || n < 0 || !Number.isFinite(n)) return '—';
  if (n < 1e3) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n / 1e3;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

export function percent(n?: number): string {
  return n === undefined || !Number.isFinite(n) ? '—' : `${n.toFixed(n < 10 ? 1 : 0)} %`;
}

/** "Up 5 minutes", the way docker ps says it, from a start time and the current time. */
export function upFor(startedAt: number, now: number): string {
  const s = Math.max(0, Math.round((now - startedAt) / 1000));
  const unit = (n: number, u: string) => `${n} ${u}${n === 1 ? '' : 's'}`;
  if (s < 60) return s < 2 ? 'Up less than a second' : `Up ${unit(s, 'second')}`;
  if (s < 3600) return `Up ${unit(Math.floor(s / 60), 'minute')}`;
  if (s < 48 * 3600) return `Up ${unit(Math.floor(s / 3600), 'hour')}`;
  return `Up ${unit(Math.floor(s / 86400), 'day')}`;
}
