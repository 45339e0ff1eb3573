import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { bodyForSending, buildWebhookBody, MAX_WEBHOOK_BODY_BYTES, smsText, type StoredWebhook, type WebhookBodyInput } from '../../../src/triggers/engine/payload.js';
import type { VisitorFacts } from '../../../src/triggers/ports.js';

const visitor: VisitorFacts = {
  visitorId: randomUUID(),
  loyaltyMember: true,
  attributes: { tier: 'gold' },
  visitCount: 3,
  previousVisitAt: null,
  consent: { terms: true, sms_marketing: true, crm_sharing: true },
  smsSuppressed: false,
};

const input = (over: Partial<WebhookBodyInput> = {}): WebhookBodyInput => ({
  event: {
    id: 'evt-1',
    type: 'presence.dwell',
    orgId: randomUUID(),
    venueId: randomUUID(),
    zoneId: null,
    visitorId: visitor.visitorId,
    occurredAt: '2025-06-02T10:00:00.000Z',
    visitStartedAt: '2025-06-02T09:50:00.000Z',
    dwellMinutes: 10,
    source: 'presence',
  },
  rule: { id: randomUUID(), name: 'Coffee', version: 2 },
  venue: { id: randomUUID(), name: 'Soho', timezone: 'Europe/London' },
  visitor,
  personal: true,
  custom: { offer: 'coffee' },
  now: new Date('2025-06-02T10:00:01.000Z'),
  ...over,
});

const PHONE = '+447400123456';

describe('webhook body', () => {
  it('carries the event, rule, venue and visitor id; attributes only when personal; never a phone when built', () => {
    const body = buildWebhookBody(input());
    assert.equal(body.type, 'trigger.fired');
    assert.equal(body.data.eventType, 'presence.dwell');
    assert.equal(body.data.dwellMinutes, 10);
    assert.deepEqual(body.data.rule.version, 2);
    assert.deepEqual(body.data.visitor, { id: visitor.visitorId, loyaltyMember: true, attributes: { tier: 'gold' } });
    assert.deepEqual(buildWebhookBody(input({ personal: false })).data.visitor, { id: visitor.visitorId, loyaltyMember: true });
    assert.ok(!JSON.stringify(body).includes('+44'));
  });

  it('adds the phone at send time only while CRM sharing is still granted, else sends the pseudonymous rendering', () => {
    const body = buildWebhookBody(input());
    const stored: StoredWebhook = { body, personal: true, withoutConsent: 'pseudonymous', pseudonymousCustom: { offer: 'anon' } };
    const granted = bodyForSending(stored, { phone: PHONE, consent: visitor.consent });
    assert.equal(granted.data.visitor?.phone, PHONE);
    assert.deepEqual(granted.data.custom, { offer: 'coffee' });
    const withdrawn = bodyForSending(stored, { phone: PHONE, consent: { ...visitor.consent, crm_sharing: false } });
    assert.deepEqual(withdrawn.data.visitor, { id: visitor.visitorId, loyaltyMember: true });
    assert.deepEqual(withdrawn.data.custom, { offer: 'anon' });
    assert.equal(withdrawn.data.consent.crm_sharing, false);
    assert.ok(!JSON.stringify(withdrawn).includes(PHONE));
  });

  it('never adds personal data to a body planned pseudonymous, even if consent came since', () => {
    const stored: StoredWebhook = { body: buildWebhookBody(input({ personal: false })), personal: false, withoutConsent: 'pseudonymous' };
    const sent = bodyForSending(stored, { phone: PHONE, consent: visitor.consent });
    assert.equal(sent.data.visitor?.phone, undefined);
    assert.equal(sent.data.consent.crm_sharing, true);
  });

  it('stays under 20 KB by leaving out the custom data, then the attributes', () => {
    const huge = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, 'x'.repeat(500)]));
    const body = buildWebhookBody(input({ visitor: { ...visitor, attributes: huge }, custom: { big: 'y'.repeat(8000) } }));
    assert.ok(Buffer.byteLength(JSON.stringify(body)) < MAX_WEBHOOK_BODY_BYTES);
    assert.deepEqual(body.data.omitted, ['custom', 'visitor.attributes']);
    const small = buildWebhookBody(input({ custom: { big: 'y'.repeat(8000) } }));
    assert.equal(small.data.omitted, undefined);
  });
});

describe('SMS text', () => {
  it('appends the opt-out line and link on a line of their own', () => {
    assert.equal(smsText('Hi! 10% off today ', 'Reply STOP to opt out', 'https://p.example/o/abc'), 'Hi! 10% off today\nReply STOP to opt out https://p.example/o/abc');
  });
});
