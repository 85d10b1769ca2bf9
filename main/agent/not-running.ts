/** A call that needs the VM up, made while it is not; the control API answers it with 409 `not_running`. */
export class NotRunningError extends Error {
  constructor() {
    super('the VM is not running');
  }
}
