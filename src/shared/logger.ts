import { pino, type Logger } from 'pino';

export type { Logger };

/** Paths pino blanks out: credentials and anything that could carry a raw MAC or a code. */
const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-twilio-signature"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.apiKey',
  '*.token',
  '*.secret',
  '*.otp',
  '*.mac',
];

export interface LoggerOptions {
  /** Also receives every line at level error and above, after redaction (the recent-errors list). */
  errorSink?: { write(line: string): unknown };
  /** Fields on every line, e.g. the process role ("web", "worker"). */
  bindings?: Record<string, string>;
}

export function createLogger(level: string, destination?: NodeJS.WritableStream, options: LoggerOptions = {}): Logger {
  const main = destination ?? process.stdout;
  const stream = options.errorSink
    ? pino.multistream([
        // The logger's own level already filters; this stream takes whatever passes it.
        { level: 'trace', stream: main },
        { level: 'error', stream: options.errorSink },
      ])
    : main;
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' }, base: { service: 'passby', ...options.bindings } }, stream);
}
