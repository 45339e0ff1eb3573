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

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    { level, redact: { paths: REDACT, censor: '[redacted]' }, base: { service: 'passby' } },
    destination ?? process.stdout,
  );
}
