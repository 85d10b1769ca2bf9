/**
 * An error with a machine-readable code (`not_running`, `invalid_settings`,
 * `refused`, …), for every boundary that answers with one: the agent's control
 * API, its client, and the UI contract's dispatcher.
 */
export class CodedError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
