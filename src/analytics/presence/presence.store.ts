import type { Redis } from 'ioredis';
import type { PresenceEvent } from './presence-event.js';
import { presenceStateSchema, type DeviceRef, type PresenceState } from './presence-state.js';
import { ACK_SCRIPT, COMMIT_SCRIPT, FORGET_SCRIPT, runScript } from './presence.scripts.js';

/**
 * Per-device presence state in Redis, under the queue prefix:
 *   presence:state:<org>:<venue>:<device>    tracker state (JSON), compare-and-set on its exact text
 *   presence:pending:<org>:<venue>:<device>  outbox: events committed with the state, not yet on the queue
 *   presence:due                             zset member -> when its earliest open visit times out
 *   presence:outbox                          zset member -> when its oldest pending event was committed
 *   presence:last:<org>:<venue>:<visitor>    end of the visitor's last visit (epoch s), for `returned`
 */
export const STATE_TTL_SECONDS = 2 * 24 * 3600;
/** "Returned after N days" must still know a visit from last year's season. */
export const LAST_VISIT_TTL_SECONDS = 400 * 24 * 3600;

export interface LoadedState {
  /** The stored text ('' when absent): the compare-and-set expects exactly this. */
  raw: string;
  /** Undefined when absent or unreadable (written by an incompatible release): overwritten on commit. */
  state: PresenceState | undefined;
  /** End of the visitor's last visit to this venue, from the long-lived memory. */
  lastVisitEnd: number | null;
}

export interface PendingEvent {
  id: string;
  json: string;
}

export const memberOf = (ref: DeviceRef): string => `${ref.orgId}:${ref.venueId}:${ref.deviceHash}`;

export function refOf(member: string): DeviceRef | undefined {
  const [orgId, venueId, deviceHash, extra] = member.split(':');
  if (!orgId || !venueId || !deviceHash || extra !== undefined) return undefined;
  return { orgId, venueId, deviceHash };
}

function parseState(raw: string | null): PresenceState | undefined {
  if (!raw) return undefined;
  try {
    const parsed = presenceStateSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

const pairs = (flat: unknown): PendingEvent[] => {
  const list = Array.isArray(flat) ? (flat as unknown[]).map(String) : [];
  const out: PendingEvent[] = [];
  for (let i = 0; i + 1 < list.length; i += 2) out.push({ id: list[i] ?? '', json: list[i + 1] ?? '' });
  return out;
};

export class PresenceStore {
  private readonly base: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.base = `${prefix}:presence`;
  }

  private stateKey = (member: string): string => `${this.base}:state:${member}`;
  private pendingKey = (member: string): string => `${this.base}:pending:${member}`;
  private lastVisitKey = (ref: DeviceRef, visitorId: string): string => `${this.base}:last:${ref.orgId}:${ref.venueId}:${visitorId}`;
  private get dueKey(): string {
    return `${this.base}:due`;
  }
  private get outboxKey(): string {
    return `${this.base}:outbox`;
  }

  async load(ref: DeviceRef, visitorId: string | undefined): Promise<LoadedState> {
    const member = memberOf(ref);
    const [raw, last] = await Promise.all([
      this.redis.get(this.stateKey(member)),
      visitorId === undefined ? Promise.resolve(null) : this.redis.get(this.lastVisitKey(ref, visitorId)),
    ]);
    const lastVisitEnd = last === null ? null : Number(last);
    return { raw: raw ?? '', state: parseState(raw), lastVisitEnd: Number.isFinite(lastVisitEnd) ? lastVisitEnd : null };
  }

  /**
   * Writes the new state, the due time, the visitor's last visit and the events (into the outbox) in one
   * atomic step, if the state is still `expected.raw`. Null on conflict; else every pending event of the device.
   */
  async commit(ref: DeviceRef, expected: LoadedState, next: PresenceState, dueAt: number | null, events: PresenceEvent[], now: number): Promise<PendingEvent[] | null> {
    const member = memberOf(ref);
    const keys = [this.stateKey(member), this.pendingKey(member), this.dueKey, this.outboxKey, this.lastVisitKey(ref, next.visitorId)];
    const args: (string | number)[] = [
      expected.raw,
      JSON.stringify(next),
      STATE_TTL_SECONDS,
      member,
      dueAt === null ? '' : dueAt,
      now,
      next.lastVisitEndedAt === null ? '' : next.lastVisitEndedAt,
      LAST_VISIT_TTL_SECONDS,
      ...events.flatMap((event) => [event.id, JSON.stringify(event)]),
    ];
    const reply = await runScript(this.redis, COMMIT_SCRIPT, keys, args);
    return reply === null ? null : pairs(reply);
  }

  /** Also with no ids: drops the device from the outbox index if nothing is pending. */
  async acknowledge(ref: DeviceRef, ids: string[]): Promise<void> {
    const member = memberOf(ref);
    await runScript(this.redis, ACK_SCRIPT, [this.pendingKey(member), this.outboxKey], [member, ...ids]);
  }

  async pending(ref: DeviceRef): Promise<PendingEvent[]> {
    const hash = await this.redis.hgetall(this.pendingKey(memberOf(ref)));
    return Object.entries(hash).map(([id, json]) => ({ id, json }));
  }

  /** Devices a sweep at `now` would close something for (due strictly before it), oldest first. */
  async due(now: number, limit: number): Promise<DeviceRef[]> {
    return this.refs(await this.redis.zrangebyscore(this.dueKey, '-inf', `(${now}`, 'LIMIT', 0, limit), this.dueKey);
  }

  /** Devices with events committed at or before `until` and still not acknowledged (a worker died in between). */
  async stalledOutbox(until: number, limit: number): Promise<DeviceRef[]> {
    return this.refs(await this.redis.zrangebyscore(this.outboxKey, '-inf', until, 'LIMIT', 0, limit), this.outboxKey);
  }

  /** Drops a device whose venue no longer exists (or whose state expired) from the due index. */
  async forget(ref: DeviceRef, expected: LoadedState): Promise<void> {
    const member = memberOf(ref);
    await runScript(this.redis, FORGET_SCRIPT, [this.stateKey(member), this.dueKey], [expected.raw, member]);
  }

  /**
   * Erasure: drops everything kept about a visitor's devices at the given venues (state, outbox, the due and
   * outbox index entries) and the visitor's last-visit memory, so nothing in Redis ties their id to a device.
   */
  async forgetVisitor(orgId: string, venueIds: readonly string[], deviceHashes: readonly string[], visitorId: string): Promise<void> {
    const batch = this.redis.multi();
    for (const venueId of venueIds) {
      batch.del(this.lastVisitKey({ orgId, venueId, deviceHash: '' }, visitorId));
      for (const deviceHash of deviceHashes) {
        const member = memberOf({ orgId, venueId, deviceHash });
        batch.del(this.stateKey(member), this.pendingKey(member)).zrem(this.dueKey, member).zrem(this.outboxKey, member);
      }
    }
    await batch.exec();
  }

  private async refs(members: string[], index: string): Promise<DeviceRef[]> {
    const refs: DeviceRef[] = [];
    for (const member of members) {
      const ref = refOf(member);
      if (ref) refs.push(ref);
      else await this.redis.zrem(index, member);
    }
    return refs;
  }
}
