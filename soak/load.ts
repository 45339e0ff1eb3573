import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_START_ISO, simulateProbes } from '../src/analytics/simulator/index.js';
import type { FakeTwilio } from '../test/fakes/twilio.server.js';
import { formOf, omadaLanding } from '../test/helpers/portal.js';
import { CUSTOM_EVENT, type LoadWorld } from './setup.js';

/** Offered load per second. */
export interface LoadRates {
  /** Ingest batches per second, each `batchSize` simulated probes. */
  batches: number;
  batchSize: number;
  /** Portal sign-ins started per second; every `returningEvery`-th one is a device coming back. */
  logins: number;
  returningEvery: number;
  /** Trigger events per second (POSTed in batches of 5); every `presenceEvery`-th is presence.entered, the rest custom. */
  events: number;
  presenceEvery: number;
}

/** What the driver offered and what the app said it accepted: the ledger "nothing lost" is checked against. */
export interface LoadLedger {
  latencies: Map<string, number[]>;
  /** Non-2xx/3xx answers or transport errors, by operation. */
  failures: Map<string, number>;
  batches: { id: string; accepted: number }[];
  logins: { phone: string; method: 'sms_code' | 'returning_device' }[];
  /** Accepted events by id (202), with their type and when they were POSTed. */
  events: Map<string, { type: 'custom' | 'presence.entered'; sentAt: number }>;
  /** Event id -> ms from POST to the first verified webhook. */
  webhookLatency: Map<string, number>;
}

export function newLedger(): LoadLedger {
  return { latencies: new Map(), failures: new Map(), batches: [], logins: [], events: new Map(), webhookLatency: new Map() };
}

const bump = (map: Map<string, number>, key: string): void => {
  map.set(key, (map.get(key) ?? 0) + 1);
};

async function timed<T>(ledger: LoadLedger, op: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await work();
  const list = ledger.latencies.get(op) ?? [];
  list.push(performance.now() - started);
  ledger.latencies.set(op, list);
  return result;
}

/** A day's busiest hour of the high-street simulation, without IEs: the probes each batch is cut from. */
export function probePool(size: number): { mac: string; rssi: number; seq?: number; channel?: number; fp?: string }[] {
  const start = Date.parse(DEFAULT_START_ISO) / 1000 + 12 * 3600;
  const pool: { mac: string; rssi: number; seq?: number; channel?: number; fp?: string }[] = [];
  for (const p of simulateProbes({ scenario: 'high-street', start, hours: 1, seed: 7, ies: false })) {
    pool.push({ mac: p.mac, rssi: p.rssi, seq: p.seq, channel: p.channel, fp: p.fp });
    if (pool.length >= size) break;
  }
  return pool;
}

/** Runs `fire(n)` `perSecond` times a second until `until`, never waiting for one to finish; resolves when all settled. */
async function pace(perSecond: number, until: number, fire: (n: number) => Promise<void>): Promise<void> {
  if (perSecond <= 0) return;
  const started = performance.now();
  const running: Promise<void>[] = [];
  for (let n = 0; ; n += 1) {
    const at = started + (n * 1000) / perSecond;
    if (at >= until) break;
    const wait = at - performance.now();
    if (wait > 0) await sleep(wait);
    running.push(fire(n));
  }
  await Promise.all(running);
}

export interface LoadTargets {
  baseUrl: string;
  world: LoadWorld;
  twilio: FakeTwilio;
  ledger: LoadLedger;
}

function ingestLoad(t: LoadTargets, rates: LoadRates, run: string, until: number): Promise<void> {
  const pool = probePool(Math.max(2_000, rates.batchSize * 8));
  return pace(rates.batches, until, async (n) => {
    const now = Date.now() / 1000;
    const lines = Array.from({ length: rates.batchSize }, (_, i) => {
      const p = pool[(n * rates.batchSize + i) % pool.length];
      return JSON.stringify({ ...p, ts: Math.round((now - 1 + i / rates.batchSize) * 1e6) / 1e6 });
    });
    const id = `${run}-b${n}`;
    try {
      const res = await timed(t.ledger, 'ingest POST', () =>
        fetch(`${t.baseUrl}/api/v1/ingest/probes`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${t.world.sensorToken}`, 'Content-Type': 'application/x-ndjson', 'Idempotency-Key': id },
          body: `${lines.join('\n')}\n`,
        }),
      );
      const body = (await res.json()) as { accepted?: number; duplicate?: boolean };
      if (res.status === 202 && body.accepted !== undefined && body.duplicate === false) t.ledger.batches.push({ id, accepted: body.accepted });
      else bump(t.ledger.failures, `ingest ${res.status}`);
    } catch {
      bump(t.ledger.failures, 'ingest network');
    }
  });
}

const omadaMac = (): string => {
  const bytes = randomBytes(6);
  bytes[0] = ((bytes[0] ?? 0) & 0xfc) | 0x02;
  return [...bytes].map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join('-');
};

async function step(t: LoadTargets, op: string, path: string, form?: Record<string, string>): Promise<Response> {
  const res = await timed(t.ledger, op, () =>
    fetch(`${t.baseUrl}${path}`, form ? { method: 'POST', redirect: 'manual', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() } : { redirect: 'manual' }),
  );
  const expected = form ? 303 : 200;
  if (res.status !== expected) {
    await res.arrayBuffer();
    throw new Error(`${op} answered ${res.status}`);
  }
  return res;
}

/** One guest: the whole SMS-code flow for a new device, or the welcome-back page and connect for a known one. */
async function signIn(t: LoadTargets, mac: string, phone: string | undefined): Promise<void> {
  const landingPath = `/portal/omada/${t.world.gatewayId}?${new URLSearchParams(omadaLanding(mac)).toString()}`;
  const landing = await step(t, phone ? 'portal landing' : 'portal landing (returning)', landingPath);
  const { flowId, csrf } = formOf(await landing.text());
  if (!phone) {
    await step(t, 'portal connect (returning)', `/portal/f/${flowId}/connect`, { _csrf: csrf });
    return;
  }
  await step(t, 'portal phone', `/portal/f/${flowId}/phone`, { _csrf: csrf, phone });
  const code = t.twilio.codes.get(phone);
  if (code === undefined) throw new Error('no verification code reached the fake Twilio');
  await step(t, 'portal code', `/portal/f/${flowId}/code`, { _csrf: csrf, code });
  await step(t, 'portal consent', `/portal/f/${flowId}/consent`, { _csrf: csrf, terms: 'yes', smsMarketing: 'yes' });
}

function portalLoad(t: LoadTargets, rates: LoadRates, until: number): Promise<void> {
  const signedIn: { mac: string; phone: string }[] = [];
  const base = randomBytes(3).readUIntBE(0, 3) % 5_000_000;
  return pace(rates.logins, until, async (n) => {
    const returning = n % rates.returningEvery === rates.returningEvery - 1 ? signedIn[n % Math.max(1, signedIn.length)] : undefined;
    const mac = returning?.mac ?? omadaMac();
    const phone = returning?.phone ?? `+44740${String(base + n).padStart(7, '0')}`;
    try {
      await signIn(t, mac, returning ? undefined : phone);
      t.ledger.logins.push({ phone, method: returning ? 'returning_device' : 'sms_code' });
      if (!returning) signedIn.push({ mac, phone });
    } catch (error) {
      bump(t.ledger.failures, error instanceof Error ? error.message : 'portal');
    }
  });
}

const EVENTS_PER_POST = 5;

function eventLoad(t: LoadTargets, rates: LoadRates, run: string, until: number): Promise<void> {
  const { world, ledger } = t;
  return pace(rates.events / EVENTS_PER_POST, until, async (n) => {
    const events = Array.from({ length: EVENTS_PER_POST }, (_, k) => {
      const i = n * EVENTS_PER_POST + k;
      const type = i % rates.presenceEvery === 0 ? ('presence.entered' as const) : ('custom' as const);
      const visitorId = world.visitors[i % world.visitors.length] ?? null;
      return { id: `${run}-e${i}`, type, ...(type === 'custom' ? { name: CUSTOM_EVENT } : { zoneId: world.zoneId }), venueId: world.venueId, visitorId };
    });
    const sentAt = performance.now();
    for (const e of events) ledger.events.set(e.id, { type: e.type, sentAt });
    try {
      const res = await timed(ledger, 'events POST', () =>
        fetch(`${t.baseUrl}/api/v1/events`, { method: 'POST', headers: { Authorization: `Bearer ${world.apiKey}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ events }) }),
      );
      await res.arrayBuffer();
      if (res.status === 202) return;
      bump(ledger.failures, `events ${res.status}`);
    } catch {
      bump(ledger.failures, 'events network');
    }
    // Not accepted: not owed a decision or a webhook.
    for (const e of events) ledger.events.delete(e.id);
  });
}

/** All three loads together for `seconds`; resolves once every request the driver started has been answered. */
export async function runLoad(t: LoadTargets, rates: LoadRates, seconds: number): Promise<void> {
  const run = randomBytes(4).toString('hex');
  const until = performance.now() + seconds * 1000;
  await Promise.all([ingestLoad(t, rates, run, until), portalLoad(t, rates, until), eventLoad(t, rates, run, until)]);
}
