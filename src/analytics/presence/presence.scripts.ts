import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * Lua scripts of the presence store. Redis runs a script atomically, so the
 * compare-and-set, the state, the due index and the outbox change together or
 * not at all, whichever worker gets there first.
 */

/**
 * Commit one device's new state if nobody changed it since it was read.
 * KEYS: state, pending (hash eventId -> json), due (zset), outbox (zset), visitor (last visit end)
 * ARGV: expected state ('' = absent), new state, state ttl s, member, due score ('' = none),
 *       now, visitor last end ('' = unchanged), visitor ttl s, then eventId, eventJson pairs.
 * Returns nil on conflict, else the device's pending events (flat id, json list): ours and any a
 * crashed worker left behind, for the caller to publish and acknowledge.
 */
export const COMMIT_SCRIPT = `
local current = redis.call('GET', KEYS[1])
if (current or '') ~= ARGV[1] then return false end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
if ARGV[5] == '' then redis.call('ZREM', KEYS[3], ARGV[4]) else redis.call('ZADD', KEYS[3], ARGV[5], ARGV[4]) end
if ARGV[7] ~= '' then
  local last = tonumber(redis.call('GET', KEYS[5]) or '-1')
  if tonumber(ARGV[7]) > last then redis.call('SET', KEYS[5], ARGV[7], 'EX', ARGV[8]) end
end
if #ARGV > 8 then
  for i = 9, #ARGV, 2 do redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
  redis.call('ZADD', KEYS[4], 'NX', ARGV[6], ARGV[4])
end
return redis.call('HGETALL', KEYS[2])
`;

/**
 * Acknowledge published events; the outbox entry goes once nothing is pending.
 * KEYS: pending, outbox. ARGV: member, then event ids.
 */
export const ACK_SCRIPT = `
for i = 2, #ARGV do redis.call('HDEL', KEYS[1], ARGV[i]) end
if redis.call('HLEN', KEYS[1]) == 0 then redis.call('ZREM', KEYS[2], ARGV[1]) end
return 0
`;

/**
 * Forget a device (its venue is gone, or its state expired) if nobody wrote its state since it was read.
 * KEYS: state, due. ARGV: expected state ('' = absent), member.
 */
export const FORGET_SCRIPT = `
local current = redis.call('GET', KEYS[1])
if (current or '') ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[2])
return 1
`;

const shas = new Map<string, string>();
const sha1 = (script: string): string => {
  let sha = shas.get(script);
  if (!sha) {
    sha = createHash('sha1').update(script).digest('hex');
    shas.set(script, sha);
  }
  return sha;
};

/** EVALSHA, falling back to EVAL once when the server does not have the script cached yet (or was restarted). */
export async function runScript(redis: Redis, script: string, keys: string[], args: (string | number)[]): Promise<unknown> {
  try {
    return await redis.evalsha(sha1(script), keys.length, ...keys, ...args);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
    return redis.eval(script, keys.length, ...keys, ...args);
  }
}
