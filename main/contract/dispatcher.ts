import { CALLS, type CallArgs, type CallName, type CallResults, type Reply } from './berth-api';
import { describeIssues, SettingsError } from '../settings/settings-store';
import { CodedError } from '../common/coded-error';

/** The implementation side of the contract: one async function per call. */
export type BerthHandlers = { [K in CallName]: (...args: CallArgs<K>) => Promise<CallResults[K]> };

/**
 * Validates a call against the contract and runs it. It never throws: an
 * unknown call or wrong arguments never reach the handlers and come back as
 * `{ ok: false }`, and so does any error a handler raises. Every transport
 * (Electron IPC, the dashboard's WebSocket) goes through this one function.
 */
export async function dispatch(handlers: BerthHandlers, name: unknown, args: unknown): Promise<Reply<unknown>> {
  try {
    if (typeof name !== 'string' || !Object.hasOwn(CALLS, name)) {
      return { ok: false, error: { code: 'unknown_call', message: `no such call: ${String(name).slice(0, 80)}` } };
    }
    const call = name as CallName;
    const parsed = CALLS[call].safeParse(args);
    if (!parsed.success) {
      return { ok: false, error: { code: 'invalid_arguments', message: `${call}: ${describeIssues(parsed.error)}` } };
    }
    const handler = handlers[call] as (...a: unknown[]) => Promise<unknown>;
    const value = await handler(...(parsed.data as unknown[]));
    return { ok: true, value: value ?? null };
  } catch (e) {
    const err = e as Error;
    const code = err instanceof CodedError ? err.code : err instanceof SettingsError ? 'invalid_settings' : 'failed';
    return { ok: false, error: { code, message: err?.message ?? String(e) } };
  }
}
