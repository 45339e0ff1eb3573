import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';

/**
 * The first bytes of the answer to one webhook request, read beside the real
 * sender (which drops bodies unread) through Node's HTTP client diagnostics
 * channel. The request is picked out by its `webhook-id` header, so other
 * requests of the process are never touched.
 */

const RESPONSE_CHANNEL = 'http.client.response.finish';

export interface ResponsePreview {
  text: string;
  /** The answer was longer than the preview. */
  truncated: boolean;
}

export async function withResponsePreview<T>(messageId: string, maxBytes: number, work: () => Promise<T>): Promise<{ result: T; preview?: ResponsePreview }> {
  // Filled in by the channel callback once our request's answer arrives.
  const answer = { matched: false, seen: 0, chunks: [] as Buffer[] };
  const onResponse = (message: unknown): void => {
    const { request, response } = message as { request: ClientRequest; response: IncomingMessage };
    if (request.getHeader('webhook-id') !== messageId) return;
    answer.matched = true;
    response.on('data', (chunk: Buffer) => {
      if (answer.seen < maxBytes) answer.chunks.push(chunk.subarray(0, maxBytes - answer.seen));
      answer.seen += chunk.length;
    });
  };
  subscribe(RESPONSE_CHANNEL, onResponse);
  try {
    // The sender settles only after the body ended or was cut off, so every chunk has been seen by then.
    const result = await work();
    const preview = answer.matched ? { text: Buffer.concat(answer.chunks).toString('utf8'), truncated: answer.seen > maxBytes } : undefined;
    return { result, preview };
  } finally {
    unsubscribe(RESPONSE_CHANNEL, onResponse);
  }
}
