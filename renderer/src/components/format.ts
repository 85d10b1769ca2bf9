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
