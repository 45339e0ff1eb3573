import { z } from 'zod';
import type { Clock } from '../../shared/clock.js';
import { SIGNATURE_HEADER, signPayload } from '../../shared/webhook-signature.js';

export interface LoyaltyProfile {
  name?: string;
  birthday?: string;
  gender?: string;
}

export interface MemberLookup {
  member: boolean;
  /** What the CRM already knows, to pre-fill the sign-up form. */
  profile: LoyaltyProfile;
}

/** The organisation's CRM as the portal sees it. */
export interface CrmClient {
  lookupMember(phone: string): Promise<MemberLookup>;
  pushProfile(phone: string, profile: LoyaltyProfile, context: { venueId: string }): Promise<void>;
}

const lookupSchema = z.object({
  member: z.boolean(),
  profile: z
    .object({ name: z.string().max(200).optional(), birthday: z.string().max(10).optional(), gender: z.string().max(20).optional() })
    .partial()
    .optional(),
});

export class CrmError extends Error {
  constructor(
    message: string,
    readonly transient: boolean,
  ) {
    super(message);
    this.name = 'CrmError';
  }
}

/**
 * Signed JSON over HTTP: POST {url}/members/lookup and POST {url}/members.
 * Short timeout: a slow CRM must not keep a visitor off the Wi-Fi.
 */
export class HttpCrmClient implements CrmClient {
  constructor(
    private readonly options: { url: string; secret: string; clock: Clock; timeoutMs?: number },
  ) {}

  async lookupMember(phone: string): Promise<MemberLookup> {
    const answer = lookupSchema.safeParse(await this.post('/members/lookup', { type: 'member.lookup', phone }));
    if (!answer.success) throw new CrmError('The CRM answered the member lookup with an unexpected body', false);
    return { member: answer.data.member, profile: answer.data.profile ?? {} };
  }

  async pushProfile(phone: string, profile: LoyaltyProfile, context: { venueId: string }): Promise<void> {
    await this.post('/members', { type: 'member.signup', phone, profile, venueId: context.venueId });
  }

  private async post(path: string, payload: unknown): Promise<unknown> {
    const body = JSON.stringify(payload);
    let response: Response;
    try {
      response = await fetch(`${this.options.url.replace(/\/+$/, '')}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signPayload(this.options.secret, body, this.options.clock.now()) },
        body,
        redirect: 'error',
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 3000),
      });
    } catch (error) {
      throw new CrmError(`The CRM could not be reached: ${(error as Error).message}`, true);
    }
    if (!response.ok) throw new CrmError(`The CRM answered ${response.status}`, response.status >= 500 || response.status === 429);
    const text = await response.text();
    try {
      return text === '' ? {} : (JSON.parse(text) as unknown);
    } catch {
      throw new CrmError('The CRM answered with a body that is not JSON', false);
    }
  }
}
