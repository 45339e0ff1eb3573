import { z } from 'zod';

/**
 * Configuration, parsed once at start. This is the only module that reads the
 * environment: everything else receives a `Config`.
 */

const SECRET_VARS = new Set(['SECRET_KEY', 'TWILIO_AUTH_TOKEN', 'DATABASE_URL', 'REDIS_URL', 'METRICS_TOKEN']);

const bool = (fallback: boolean) =>
  z
    .string()
    .trim()
    .toLowerCase()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '') return fallback;
      if (['1', 'true', 'yes', 'on'].includes(value)) return true;
      if (['0', 'false', 'no', 'off'].includes(value)) return false;
      ctx.addIssue({ code: 'custom', message: 'expected true or false' });
      return z.NEVER;
    });

const int = (fallback: number, min: number, max: number) =>
  z
    .string()
    .trim()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '') return fallback;
      const parsed = Number(value);
      if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
        ctx.addIssue({ code: 'custom', message: `expected an integer from ${min} to ${max}` });
        return z.NEVER;
      }
      return parsed;
    });

const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((value) => (value === '' ? undefined : value));

const url = (protocols: string[]) =>
  optionalText.refine(
    (value) => {
      if (value === undefined) return true;
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `expected a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
  );

const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    PORT: int(3000, 1, 65535),
    HOST: optionalText,
    PUBLIC_URL: url(['http:', 'https:']),
    TRUST_PROXY: bool(false),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    DATA_DIR: optionalText,
    SECRET_KEY: optionalText.refine((v) => v === undefined || v.length >= 32, {
      message: 'must be at least 32 characters (try: openssl rand -base64 48)',
    }),
    DATABASE_URL: url(['postgres:', 'postgresql:']),
    DATABASE_POOL_SIZE: int(10, 1, 200),
    REDIS_URL: url(['redis:', 'rediss:']),
    REDIS_ALLOW_EVICTION: bool(false),
    QUEUE_PREFIX: optionalText.refine((v) => v === undefined || /^(\{[\w.-]+\}|[\w.-]+)(:[\w.-]+)*$/.test(v), {
      message: 'expected letters, digits, ".", "-", "_" or a Redis Cluster hash tag such as {passby}',
    }),
    WORKER_CONCURRENCY: int(8, 1, 256),
    OPERATOR_EMAILS: optionalText,
    METRICS_TOKEN: optionalText.refine((v) => v === undefined || v.length >= 16, { message: 'must be at least 16 characters (try: openssl rand -hex 24)' }),
    DEMO_SEED: bool(true),
    TWILIO_ACCOUNT_SID: optionalText.refine((v) => v === undefined || /^AC[0-9a-fA-F]{32}$/.test(v), {
      message: 'expected AC followed by 32 hex digits',
    }),
    TWILIO_AUTH_TOKEN: optionalText,
    TWILIO_VERIFY_SERVICE_SID: optionalText.refine((v) => v === undefined || /^VA[0-9a-fA-F]{32}$/.test(v), {
      message: 'expected VA followed by 32 hex digits',
    }),
    TWILIO_MESSAGING_SERVICE_SID: optionalText.refine((v) => v === undefined || /^MG[0-9a-fA-F]{32}$/.test(v), {
      message: 'expected MG followed by 32 hex digits',
    }),
    TWILIO_FROM: optionalText.refine((v) => v === undefined || /^\+[1-9]\d{6,14}$/.test(v), {
      message: 'expected an E.164 phone number such as +447700900123',
    }),
    TWILIO_API_BASE_URL: url(['http:', 'https:']),
    ANALYTICS_PROBE_RETENTION_DAYS: int(30, 1, 3650),
    ANALYTICS_SALT_ROTATION_HOURS: int(24, 1, 168),
    ANALYTICS_SALT_GRACE_MINUTES: int(60, 0, 24 * 60),
    ANALYTICS_MAX_CLOCK_SKEW_SECONDS: int(300, 0, 24 * 3600),
    ANALYTICS_INGEST_MAX_BODY_MB: int(16, 1, 1024),
    ANALYTICS_INGEST_MAX_INFLATED_MB: int(64, 1, 4096),
    ANALYTICS_INGEST_MAX_RECORDS: int(100_000, 1, 10_000_000),
    TRIGGERS_WEBHOOK_TIMEOUT_SECONDS: int(15, 1, 60),
    TRIGGERS_WEBHOOK_MAX_RESPONSE_KB: int(64, 1, 10_240),
    TRIGGERS_WEBHOOK_RETRY_SCHEDULE: optionalText.refine((v) => v === undefined || /^\d+(ms|s|m|h)(,\d+(ms|s|m|h))*$/.test(v), {
      message: 'expected comma-separated delays such as 5s,5m,30m,2h (ms, s, m or h)',
    }),
    TRIGGERS_WEBHOOK_DISABLE_AFTER_HOURS: int(72, 1, 24 * 30),
    TRIGGERS_WEBHOOK_ALLOWED_NETWORKS: optionalText.refine(
      (v) => v === undefined || v.split(',').every((cidr) => /^[0-9a-fA-F:.]+\/\d{1,3}$/.test(cidr.trim())),
      { message: 'expected comma-separated CIDR ranges such as 127.0.0.0/8,::1/128' },
    ),
  })
  .superRefine((env, ctx) => {
    if (env.TWILIO_ACCOUNT_SID !== undefined && env.TWILIO_AUTH_TOKEN === undefined) {
      ctx.addIssue({ code: 'custom', path: ['TWILIO_AUTH_TOKEN'], message: 'required when TWILIO_ACCOUNT_SID is set' });
    }
    if (env.TWILIO_AUTH_TOKEN !== undefined && env.TWILIO_ACCOUNT_SID === undefined) {
      ctx.addIssue({ code: 'custom', path: ['TWILIO_ACCOUNT_SID'], message: 'required when TWILIO_AUTH_TOKEN is set' });
    }
    if (env.NODE_ENV === 'production' && env.SECRET_KEY === undefined) {
      ctx.addIssue({ code: 'custom', path: ['SECRET_KEY'], message: 'required when NODE_ENV=production' });
    }
  });

export type Env = z.output<typeof envSchema>;

export interface TwilioConfig {
  accountSid: string;
  authToken: string;
  verifyServiceSid: string | undefined;
  messagingServiceSid: string | undefined;
  from: string | undefined;
  apiBaseUrl: string | undefined;
}

/** Probe ingestion and its privacy clock: how long raw probes live, how often the MAC salt changes. */
export interface AnalyticsConfig {
  /** Raw probes older than this are refused at ingest and their day partitions dropped. */
  probeRetentionDays: number;
  /** Length of one salt period, aligned to the Unix epoch (24 = UTC days). */
  saltRotationHours: number;
  /** How long a period's salt outlives the period (late batches), before it is deleted. */
  saltGraceMinutes: number;
  /** Probes stamped further than this in the future are refused (a sensor clock running ahead). */
  maxClockSkewSeconds: number;
  ingest: { maxBodyBytes: number; maxInflatedBytes: number; maxRecords: number };
}

/** Outbound CRM webhooks: limits, retry schedule and the private ranges a deployment may call. */
export interface TriggersConfig {
  webhook: {
    timeoutMs: number;
    maxResponseBytes: number;
    /** Delays before each retry (the first attempt is immediate); its length is the number of retries. */
    retryDelaysMs: number[];
    /** An endpoint failing without a success for this long is disabled. */
    disableAfterMs: number;
    /** Private/loopback ranges webhooks may reach anyway (tests, on-premises CRMs); public ones always may. */
    allowedNetworks: string[];
  };
}

/** Svix's schedule: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (about 28 hours in all). */
export const DEFAULT_WEBHOOK_RETRY_SCHEDULE = '5s,5m,30m,2h,5h,10h,10h';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
export function parseDelays(text: string): number[] {
  return text.split(',').map((part) => {
    const [, amount = '0', unit = 's'] = /^(\d+)(ms|s|m|h)$/.exec(part.trim()) ?? [];
    return Number(amount) * (UNIT_MS[unit] ?? 1000);
  });
}

export interface Config {
  env: Env['NODE_ENV'];
  port: number;
  host: string | undefined;
  publicUrl: string;
  trustProxy: boolean;
  logLevel: Env['LOG_LEVEL'];
  dataDir: string;
  /** Undefined means "generate or load one from dataDir" (development only). */
  secretKey: string | undefined;
  database: { url: string; explicit: boolean; poolSize: number };
  redis: { url: string; explicit: boolean; allowEviction: boolean };
  queue: { prefix: string; concurrency: number };
  /** Staff allowed on the installation-wide operations pages (queues, errors); empty: owners of a single-organisation installation. */
  operatorEmails: string[];
  demoSeed: boolean;
  /** Bearer token for /metrics; undefined: /metrics answers loopback callers only. */
  metricsToken: string | undefined;
  twilio: TwilioConfig | undefined;
  analytics: AnalyticsConfig;
  triggers: TriggersConfig;
}

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/passby';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
const MIB = 1024 * 1024;

/** Thrown with one line per bad variable; the CLI prints it and exits 78 (EX_CONFIG). */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid environment variables:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function describeProblem(issue: z.core.$ZodIssue, env: Record<string, string | undefined>): string {
  const name = String(issue.path[0] ?? 'environment');
  const raw = env[name];
  const shown = raw === undefined || SECRET_VARS.has(name) ? '' : ` (got ${JSON.stringify(raw)})`;
  const message = issue.code === 'invalid_value' ? `expected one of ${issue.values.join(', ')}` : issue.message;
  return `${name}: ${message}${shown}`;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => describeProblem(issue, env)));
  }
  const e = parsed.data;
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    trustProxy: e.TRUST_PROXY,
    logLevel: e.LOG_LEVEL,
    dataDir: e.DATA_DIR ?? '.passby',
    secretKey: e.SECRET_KEY,
    database: { url: e.DATABASE_URL ?? DEFAULT_DATABASE_URL, explicit: e.DATABASE_URL !== undefined, poolSize: e.DATABASE_POOL_SIZE },
    redis: { url: e.REDIS_URL ?? DEFAULT_REDIS_URL, explicit: e.REDIS_URL !== undefined, allowEviction: e.REDIS_ALLOW_EVICTION },
    queue: { prefix: e.QUEUE_PREFIX ?? 'passby', concurrency: e.WORKER_CONCURRENCY },
    operatorEmails: (e.OPERATOR_EMAILS ?? '').split(',').map((m) => m.trim().toLowerCase()).filter((m) => m !== ''),
    demoSeed: e.DEMO_SEED,
    metricsToken: e.METRICS_TOKEN,
    twilio:
      e.TWILIO_ACCOUNT_SID !== undefined && e.TWILIO_AUTH_TOKEN !== undefined
        ? {
            accountSid: e.TWILIO_ACCOUNT_SID,
            authToken: e.TWILIO_AUTH_TOKEN,
            verifyServiceSid: e.TWILIO_VERIFY_SERVICE_SID,
            messagingServiceSid: e.TWILIO_MESSAGING_SERVICE_SID,
            from: e.TWILIO_FROM,
            apiBaseUrl: e.TWILIO_API_BASE_URL,
          }
        : undefined,
    analytics: {
      probeRetentionDays: e.ANALYTICS_PROBE_RETENTION_DAYS,
      saltRotationHours: e.ANALYTICS_SALT_ROTATION_HOURS,
      saltGraceMinutes: e.ANALYTICS_SALT_GRACE_MINUTES,
      maxClockSkewSeconds: e.ANALYTICS_MAX_CLOCK_SKEW_SECONDS,
      ingest: {
        maxBodyBytes: e.ANALYTICS_INGEST_MAX_BODY_MB * MIB,
        maxInflatedBytes: e.ANALYTICS_INGEST_MAX_INFLATED_MB * MIB,
        maxRecords: e.ANALYTICS_INGEST_MAX_RECORDS,
      },
    },
    triggers: {
      webhook: {
        timeoutMs: e.TRIGGERS_WEBHOOK_TIMEOUT_SECONDS * 1000,
        maxResponseBytes: e.TRIGGERS_WEBHOOK_MAX_RESPONSE_KB * 1024,
        retryDelaysMs: parseDelays(e.TRIGGERS_WEBHOOK_RETRY_SCHEDULE ?? DEFAULT_WEBHOOK_RETRY_SCHEDULE),
        disableAfterMs: e.TRIGGERS_WEBHOOK_DISABLE_AFTER_HOURS * 3_600_000,
        allowedNetworks: (e.TRIGGERS_WEBHOOK_ALLOWED_NETWORKS ?? '').split(',').map((c) => c.trim()).filter((c) => c !== ''),
      },
    },
  };
}
