import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the parts of Twilio's REST API Passby uses
 * (Messages, Verify v2), speaking the real wire format (form bodies, basic
 * auth, JSON answers and error objects) so the real `twilio` SDK drives it.
 */
export interface FakeTwilio {
  url: string;
  accountSid: string;
  authToken: string;
  requests: { method: string; path: string; form: Record<string, string> }[];
  messages: { sid: string; to: string; body: string; from?: string; messagingServiceSid?: string; statusCallback?: string }[];
  /** Numbers that replied STOP: sending to them fails with 21610, as on Twilio. */
  unsubscribed: Set<string>;
  /** The code Verify "sent" to each number; delete an entry to make it expire. */
  codes: Map<string, string>;
  /** Sends (Messages and Verify) to these numbers fail with this HTTP status and Twilio error code. */
  failures: Map<string, { status: number; code: number }>;
  /** A callback from "Twilio" to our app at `url`, signed with this account's auth token. */
  signedForm(url: string, params: Record<string, string>): SignedForm;
  /** An inbound SMS webhook (what Twilio posts when someone texts our number). */
  inboundSms(url: string, message: { from: string; body: string; to?: string }): SignedForm;
  /** A Messages status callback for a message we sent. */
  statusCallback(url: string, report: { messageSid: string; status: string; to: string; errorCode?: number }): SignedForm;
  close(): Promise<void>;
}

/** Headers and form body for supertest: `.post(path).set(form.headers).send(form.body)`. */
export interface SignedForm {
  headers: Record<string, string>;
  body: string;
}

/**
 * Twilio's webhook signature, computed independently of the SDK: base64
 * HMAC-SHA1 (auth token) over the full URL followed by every POST parameter's
 * name and value, sorted by name.
 */
export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  const data = Object.entries(params)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .reduce((acc, [key, value]) => acc + key + value, url);
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}

export function signedForm(authToken: string, url: string, params: Record<string, string>): SignedForm {
  return {
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': twilioSignature(authToken, url, params), 'User-Agent': 'TwilioProxy/1.1' },
    body: new URLSearchParams(params).toString(),
  };
}

/** Verify's default: five checks per verification, then 60202 (HTTP 429) until a new one is started. */
const MAX_VERIFY_CHECKS = 5;

const sid = (prefix: string): string => `${prefix}${randomBytes(16).toString('hex')}`;

async function readForm(req: IncomingMessage): Promise<Record<string, string>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
}

type Reply = [status: number, body: unknown];

function twilioError(status: number, code: number, message: string): Reply {
  return [status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }];
}

export async function startFakeTwilio(): Promise<FakeTwilio> {
  const accountSid = sid('AC');
  const authToken = randomBytes(16).toString('hex');
  const state: Omit<FakeTwilio, 'url' | 'close' | 'signedForm' | 'inboundSms' | 'statusCallback'> = { accountSid, authToken, requests: [], messages: [], unsubscribed: new Set(), codes: new Map(), failures: new Map() };
  const checks = new Map<string, number>();
  const expectedAuth = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;

  const route = (req: IncomingMessage, path: string, form: Record<string, string>): Reply => {
    if (req.headers.authorization !== expectedAuth) return twilioError(401, 20003, 'Authenticate');

    if (req.method === 'POST' && path === `/2010-04-01/Accounts/${accountSid}/Messages.json`) {
      const { To: to, Body: body, From: from, MessagingServiceSid: messagingServiceSid } = form;
      if (!to) return twilioError(400, 21604, "A 'To' phone number is required.");
      if (!from && !messagingServiceSid) return twilioError(400, 21603, "A 'From' phone number is required.");
      if (state.unsubscribed.has(to)) return twilioError(400, 21610, 'Attempt to send to unsubscribed recipient');
      const failure = state.failures.get(to);
      if (failure) return twilioError(failure.status, failure.code, `Simulated failure ${failure.code}`);
      const message = { sid: sid('SM'), to, body: body ?? '', from, messagingServiceSid, statusCallback: form.StatusCallback };
      state.messages.push(message);
      return [201, {
        sid: message.sid,
        account_sid: accountSid,
        to,
        from: from ?? null,
        messaging_service_sid: messagingServiceSid ?? null,
        body: message.body,
        status: 'queued',
        num_segments: '1',
        direction: 'outbound-api',
        date_created: new Date().toUTCString(),
      }];
    }
    const verify = /^\/v2\/Services\/(VA[0-9a-f]{32})\/(Verifications|VerificationCheck)$/.exec(path);
    if (req.method === 'POST' && verify) {
      const [, serviceSid, action] = verify;
      const to = form.To ?? '';
      if (!to) return twilioError(400, 60200, 'Invalid parameter: To');
      if (action === 'Verifications') {
        const failure = state.failures.get(to);
        if (failure) return twilioError(failure.status, failure.code, `Simulated failure ${failure.code}`);
        state.codes.set(to, String(Math.floor(100000 + Math.random() * 900000)));
        checks.set(to, 0);
        return [201, { sid: sid('VE'), service_sid: serviceSid, account_sid: accountSid, to, channel: form.Channel ?? 'sms', status: 'pending', valid: false }];
      }
      const expected = state.codes.get(to);
      if (expected === undefined) return twilioError(404, 20404, 'The requested resource was not found');
      const checked = checks.get(to) ?? 0;
      if (checked >= MAX_VERIFY_CHECKS) return twilioError(429, 60202, 'Max check attempts reached');
      checks.set(to, checked + 1);
      const approved = form.Code === expected;
      if (approved) state.codes.delete(to);
      return [200, { sid: sid('VE'), service_sid: serviceSid, account_sid: accountSid, to, status: approved ? 'approved' : 'pending', valid: approved }];
    }
    return twilioError(404, 20404, 'The requested resource was not found');
  };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void readForm(req).then((form) => {
      const path = new URL(req.url ?? '/', 'http://fake').pathname;
      state.requests.push({ method: req.method ?? '', path, form });
      const [status, body] = route(req, path, form);
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const form = (url: string, params: Record<string, string>) => signedForm(authToken, url, params);
  return {
    ...state,
    url: `http://127.0.0.1:${port}`,
    signedForm: form,
    inboundSms: (url, message) =>
      form(url, {
        MessageSid: sid('SM'),
        SmsSid: sid('SM'),
        AccountSid: accountSid,
        From: message.from,
        To: message.to ?? '+15005550006',
        Body: message.body,
        NumMedia: '0',
        NumSegments: '1',
        ApiVersion: '2010-04-01',
      }),
    statusCallback: (url, report) =>
      form(url, {
        MessageSid: report.messageSid,
        SmsSid: report.messageSid,
        AccountSid: accountSid,
        MessageStatus: report.status,
        SmsStatus: report.status,
        To: report.to,
        From: '+15005550006',
        ApiVersion: '2010-04-01',
        ...(report.errorCode !== undefined ? { ErrorCode: String(report.errorCode) } : {}),
      }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
