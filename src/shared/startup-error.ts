/**
 * A problem the operator must fix before the process can start (no Redis, a
 * wrong eviction policy...). The CLI prints only the message, no stack.
 */
export class StartupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StartupError';
  }
}
