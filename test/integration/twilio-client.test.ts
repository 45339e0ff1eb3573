import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTwilioClient } from '../../src/shared/twilio-client.js';
import { testConfig } from '../helpers/context.js';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio.server.js';

const VERIFY_SID = `VA${'1'.repeat(32)}`;

describe('Twilio SDK with TWILIO_API_BASE_URL', () => {
  let fake: FakeTwilio;
  let client: ReturnType<typeof createTwilioClient>;

  before(async () => {
    fake = await startFakeTwilio();
    const config = testConfig({
      TWILIO_ACCOUNT_SID: fake.accountSid,
      TWILIO_AUTH_TOKEN: fake.authToken,
      TWILIO_VERIFY_SERVICE_SID: VERIFY_SID,
      TWILIO_FROM: '+447700900001',
      TWILIO_API_BASE_URL: fake.url,
    });
    assert.ok(config.twilio);
    client = createTwilioClient(config.twilio);
  });
  after(() => fake.close());

  it('sends Messages API requests to the configured base and returns typed objects', async () => {
    const message = await client.messages.create({ to: '+447700900123', from: '+447700900001', body: 'Hello from Passby' });
    assert.match(message.sid, /^SM[0-9a-f]{32}$/);
    assert.equal(message.status, 'queued');
    assert.deepEqual(fake.messages.map((m) => [m.to, m.body]), [['+447700900123', 'Hello from Passby']]);
    assert.equal(fake.requests.at(-1)?.path, `/2010-04-01/Accounts/${fake.accountSid}/Messages.json`);
  });

  it('runs a Verify v2 send and check', async () => {
    const verification = await client.verify.v2.services(VERIFY_SID).verifications.create({ to: '+447700900222', channel: 'sms' });
    assert.equal(verification.status, 'pending');
    const wrong = await client.verify.v2.services(VERIFY_SID).verificationChecks.create({ to: '+447700900222', code: '000000' });
    assert.equal(wrong.status, 'pending');
    const code = fake.codes.get('+447700900222') ?? '';
    const right = await client.verify.v2.services(VERIFY_SID).verificationChecks.create({ to: '+447700900222', code });
    assert.equal(right.status, 'approved');
  });

  it("surfaces Twilio's error codes (21610 for an unsubscribed number) as RestException", async () => {
    fake.unsubscribed.add('+447700900999');
    await assert.rejects(client.messages.create({ to: '+447700900999', from: '+447700900001', body: 'x' }), { code: 21610, status: 400 });
  });

  it('is refused with 20003 when the credentials are wrong', async () => {
    const config = testConfig({ TWILIO_ACCOUNT_SID: fake.accountSid, TWILIO_AUTH_TOKEN: 'wrong', TWILIO_API_BASE_URL: fake.url });
    assert.ok(config.twilio);
    await assert.rejects(createTwilioClient(config.twilio).messages.create({ to: '+447700900123', from: '+447700900001', body: 'x' }), { code: 20003 });
  });
});
