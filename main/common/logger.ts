/** The logger every module takes: electron-log's loggers fit it, and so does a test's array. */
export interface Logger {
  info(...a: unknown[]): void;
  warn(...a: unknown[]): void;
  error(...a: unknown[]): void;
}
