/**
 * Pure: what an inbound SMS asks for. Carriers and Twilio treat these words as
 * the whole message, whatever the case or spacing ("Stop", " STOP ALL ").
 */
export type InboundIntent = 'stop' | 'start' | 'other';

const STOP_WORDS = new Set(['stop', 'stopall', 'unsubscribe', 'cancel', 'end', 'quit', 'revoke', 'optout']);
const START_WORDS = new Set(['start', 'unstop', 'yes']);

/**
 * `optOutType` is Twilio's own reading (Advanced Opt-Out: STOP, START, HELP),
 * which also covers keywords an account configured in the console.
 */
export function inboundIntent(body: string, optOutType?: string): InboundIntent {
  if (optOutType === 'STOP') return 'stop';
  if (optOutType === 'START') return 'start';
  const word = body.replace(/\s+/g, '').toLowerCase();
  if (STOP_WORDS.has(word)) return 'stop';
  if (START_WORDS.has(word)) return 'start';
  return 'other';
}
