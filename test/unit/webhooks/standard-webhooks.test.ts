import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { generateSecret, signatureHeader, webhookHeaders } from '../../../src/triggers/webhooks/standard-webhooks.js';

const body = JSON.stringify({ type: 'trigger.fired', timestamp: '2025-01-01T12:00:00.000Z', data: { eventId: 'e-1' } });

function headersFor(secrets: string[], id = 'msg_1', at = new Date()): Record<string, string> {
  return webhookHeaders({ secrets, messageId: id, body, timestamp: at });
}

describe('Standard Webhooks secrets', () => {
  it('are whsec_ followed by base64 of 32 random bytes, different each time', () => {
    const a = generateSecret();
    const b = generateSecret();
    assert.match(a, /^whsec_[A-Za-z0-9+/]{43}=$/);
    assert.equal(Buffer.from(a.slice('whsec_'.length), 'base64').length, 32);
    assert.notEqual(a, b);
  });
});

describe('Standard Webhooks signatures', () => {
  it('verify with the standardwebhooks package and return the parsed payload', () => {
    const secret = generateSecret();
    const payload = new Webhook(secret).verify(body, headersFor([secret]));
    assert.deepEqual(payload, JSON.parse(body));
  });

  it('match the package\'s own signature byte for byte', () => {
    const secret = generateSecret();
    const at = new Date('2025-03-04T05:06:07.890Z');
    assert.equal(signatureHeader([secret], 'msg_x', Math.floor(at.getTime() / 1000), body), new Webhook(secret).sign('msg_x', at, body));
  });

  it('carry one v1 entry per active secret, so either secret verifies during rotation', () => {
    const next = generateSecret();
    const previous = generateSecret();
    const headers = headersFor([next, previous]);
    const entries = (headers['webhook-signature'] ?? '').split(' ');
    assert.equal(entries.length, 2);
    assert.ok(entries.every((entry) => entry.startsWith('v1,')));
    assert.doesNotThrow(() => new Webhook(next).verify(body, headers));
    assert.doesNotThrow(() => new Webhook(previous).verify(body, headers));
    assert.throws(() => new Webhook(generateSecret()).verify(body, headers), /No matching signature/);
  });

  it('are rejected for a tampered body, id or timestamp', () => {
    const secret = generateSecret();
    const headers = headersFor([secret]);
    const hook = new Webhook(secret);
    assert.throws(() => hook.verify(body.replace('e-1', 'e-2'), headers), /No matching signature/);
    assert.throws(() => hook.verify(body, { ...headers, 'webhook-id': 'msg_2' }), /No matching signature/);
    const earlier = String(Number(headers['webhook-timestamp']) - 1);
    assert.throws(() => hook.verify(body, { ...headers, 'webhook-timestamp': earlier }), /No matching signature/);
  });

  it('send the id, this attempt\'s timestamp in seconds, JSON and our user agent', () => {
    const at = new Date('2025-01-01T00:00:10.999Z');
    const headers = headersFor([generateSecret()], 'delivery-7', at);
    assert.equal(headers['webhook-id'], 'delivery-7');
    assert.equal(headers['webhook-timestamp'], String(Date.parse('2025-01-01T00:00:10Z') / 1000));
    assert.equal(headers['content-type'], 'application/json');
    assert.equal(headers['user-agent'], 'Passby-Webhooks/1');
  });

  it('refuse to sign without a secret', () => {
    assert.throws(() => signatureHeader([], 'id', 1, body), /at least one secret/);
  });
});
