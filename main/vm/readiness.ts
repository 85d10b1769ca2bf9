/** One named readiness check, Lima-style: it passes or throws, and carries a hint for when it does not. */
export interface ReadinessCheck {
  name: string;
  /** What to look at when this check fails. */
  hint: string;
  run: () => Promise<void>;
}

/** The outcome of one check. */
export interface CheckResult {
  name: string;
  status: 'passed' | 'failed' | 'skipped';
  hint: string;
  error?: string;
}

/** Runs the checks in order once; after the first failure the rest are reported as skipped. */
export async function runChecks(checks: readonly ReadinessCheck[]): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  let failed = false;
  for (const c of checks) {
    if (failed) {
      out.push({ name: c.name, status: 'skipped', hint: c.hint });
      continue;
    }
    try {
      await c.run();
      out.push({ name: c.name, status: 'passed', hint: c.hint });
    } catch (e) {
      failed = true;
      out.push({ name: c.name, status: 'failed', hint: c.hint, error: (e as Error).message });
    }
  }
  return out;
}

/**
 * Retries each check in order until it passes, within one overall deadline.
 * `onCheck` reports each check as it passes, for progress output. Rejects
 * with the failing check's name, last error and hint.
 */
export async function waitForChecks(
  checks: readonly ReadinessCheck[],
  opts: {
    timeoutMs: number;
    intervalMs?: number;
    onCheck?: (name: string) => void;
    /** Reports each failed try, so a caller that gives up for its own reasons can say which check was failing. */
    onRetry?: (name: string, error: string, hint: string) => void;
    /** Returns a reason to give up early (the VM is gone, the start was cancelled). */
    abort?: () => string | undefined;
  },
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  for (const c of checks) {
    let last: unknown;
    while (true) {
      const reason = opts.abort?.();
      if (reason) throw new Error(reason);
      try {
        await c.run();
        opts.onCheck?.(c.name);
        break;
      } catch (e) {
        last = e;
        opts.onRetry?.(c.name, (e as Error)?.message ?? String(e), c.hint);
      }
      if (Date.now() > deadline) {
        throw new Error(`readiness check "${c.name}" failed: ${(last as Error)?.message ?? 'timed out'}. Hint: ${c.hint}`);
      }
      await new Promise((r) => setTimeout(r, opts.intervalMs ?? 200));
    }
  }
}
