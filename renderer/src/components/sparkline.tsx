/** A small line graph of recent samples, with its latest value as text for screen readers and eyes. */
export function Sparkline({ label, values, max, valueText, testId }: { label: string; values: number[]; max: number; valueText: string; testId?: string }) {
  const w = 240;
  const h = 48;
  const top = Math.max(max, ...values, 1);
  const step = values.length > 1 ? w / (values.length - 1) : w;
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(h - (Math.max(0, v) / top) * (h - 2) - 1).toFixed(1)}`).join(' ');
  return (
    <figure className="sparkline" data-testid={testId}>
      <figcaption>
        <span>{label}</span> <strong>{valueText}</strong>
      </figcaption>
      <svg viewBox={`0 0 ${w} ${h}`} width={w} height={h} role="img" aria-label={`${label}: ${valueText}`} preserveAspectRatio="none">
        {values.length > 1 ? (
          <polyline points={points} fill="none" stroke="currentColor" strokeWidth="1.5" vectorEffect="non-scaling-stroke" />
        ) : (
          <text x="4" y={h / 2} className="muted">
            collecting…
          </text>
        )}
      </svg>
    </figure>
  );
}
