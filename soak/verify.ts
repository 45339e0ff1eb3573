import type { Db } from '../src/db/pool.js';
import type { FakeTwilio } from '../test/fakes/twilio.server.js';
import type { WebhookReceiver } from '../test/fakes/webhook-receiver.server.js';
import type { LoadLedger } from './load.js';

/** Each count is "how many of what was accepted are missing or doubled"; every one of them must be 0. */
export interface LossReport {
  batchesAccepted: number;
  probesAccepted: number;
  /** Accepted batches with no ingest_batches row, or a row with another count; plus rows the driver never had accepted. */
  batchesLost: number;
  /** |probes stored - probes accepted|. */
  probesMismatch: number;
  loginsCompleted: number;
  /** Completed logins without their portal_logins row, plus rows beyond the completed logins (per phone and method). */
  loginsLost: number;
  eventsAccepted: number;
  /** Accepted events without exactly one decision. */
  decisionsWrong: number;
  /** Accepted events without exactly one verified, 2xx-answered webhook (by webhook-id, then per event). */
  webhooksWrong: number;
  /** Verified webhooks answered 2xx a second time for the same webhook-id. */
  webhookDuplicates: number;
  smsExpected: number;
  /** |SMS sent through the fake Twilio Messages API - presence events accepted|, plus sms deliveries not delivered. */
  smsWrong: number;
}

export const lostTotal = (r: LossReport): number =>
  r.batchesLost + r.probesMismatch + r.loginsLost + r.decisionsWrong + r.webhooksWrong + r.webhookDuplicates + r.smsWrong;

async function batchLoss(db: Db, ledger: LoadLedger): Promise<Pick<LossReport, 'batchesAccepted' | 'probesAccepted' | 'batchesLost' | 'probesMismatch'>> {
  const { rows } = await db.query<{ batch_id: string; accepted: number }>('SELECT batch_id, accepted FROM ingest_batches');
  const stored = new Map(rows.map((r) => [r.batch_id, r.accepted]));
  const missing = ledger.batches.filter((b) => stored.get(b.id) !== b.accepted).length;
  const probesAccepted = ledger.batches.reduce((sum, b) => sum + b.accepted, 0);
  const probes = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM probes');
  return {
    batchesAccepted: ledger.batches.length,
    probesAccepted,
    batchesLost: missing + Math.max(0, rows.length - ledger.batches.length),
    probesMismatch: Math.abs((probes.rows[0]?.n ?? 0) - probesAccepted),
  };
}

async function loginLoss(db: Db, ledger: LoadLedger): Promise<number> {
  const { rows } = await db.query<{ phone: string; method: string; n: number }>('SELECT phone, method, count(*)::int AS n FROM portal_logins GROUP BY 1, 2');
  const expected = new Map<string, number>();
  for (const l of ledger.logins) expected.set(`${l.phone} ${l.method}`, (expected.get(`${l.phone} ${l.method}`) ?? 0) + 1);
  let wrong = 0;
  const seen = new Set<string>();
  for (const r of rows) {
    const key = `${r.phone} ${r.method}`;
    seen.add(key);
    wrong += Math.abs(r.n - (expected.get(key) ?? 0));
  }
  for (const [key, n] of expected) if (!seen.has(key)) wrong += n;
  return wrong;
}

export async function checkNothingLost(db: Db, ledger: LoadLedger, crm: WebhookReceiver, twilio: FakeTwilio): Promise<LossReport> {
  const decisions = await db.query<{ event_id: string; n: number }>('SELECT event_id, count(*)::int AS n FROM trigger_decisions GROUP BY 1');
  const perEvent = new Map(decisions.rows.map((r) => [r.event_id, r.n]));
  const webhooks = new Map<string, number>();
  for (const w of crm.uniqueDelivered()) {
    const eventId = (JSON.parse(w.body) as { data?: { eventId?: string } }).data?.eventId ?? '';
    webhooks.set(eventId, (webhooks.get(eventId) ?? 0) + 1);
  }
  let decisionsWrong = 0;
  let webhooksWrong = 0;
  for (const id of ledger.events.keys()) {
    if (perEvent.get(id) !== 1) decisionsWrong += 1;
    if (webhooks.get(id) !== 1) webhooksWrong += 1;
  }
  // Decisions or webhooks for events the driver never had accepted (other event ids: portal.login, visit.first fire no rule).
  decisionsWrong += [...perEvent.keys()].filter((id) => !ledger.events.has(id)).length;
  webhooksWrong += [...webhooks.keys()].filter((id) => !ledger.events.has(id)).length;
  const smsExpected = [...ledger.events.values()].filter((e) => e.type === 'presence.entered').length;
  const sms = await db.query<{ status: string; n: number }>("SELECT status, count(*)::int AS n FROM trigger_deliveries WHERE channel = 'sms' GROUP BY 1");
  const notDelivered = sms.rows.filter((r) => r.status !== 'delivered').reduce((s, r) => s + r.n, 0);
  return {
    ...(await batchLoss(db, ledger)),
    loginsCompleted: ledger.logins.length,
    loginsLost: await loginLoss(db, ledger),
    eventsAccepted: ledger.events.size,
    decisionsWrong,
    webhooksWrong,
    webhookDuplicates: crm.duplicates(),
    smsExpected,
    smsWrong: Math.abs(twilio.messages.length - smsExpected) + notDelivered,
  };
}
