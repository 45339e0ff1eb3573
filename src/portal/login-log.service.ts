import type { Db } from '../db/pool.js';
import type { Clock } from '../shared/clock.js';
import { LoginRepository, type PortalLogin } from './login.repository.js';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { AppError } from '../shared/errors.js';
import { VisitorRepository, type ConsentEvent } from './visitor.repository.js';

export interface PhoneRecords {
  phone: string;
  logins: PortalLogin[];
  consents: ConsentEvent[];
}

export const DEFAULT_LOGIN_RETENTION_DAYS = 183;

/** The identification log: export per phone (access requests, authorities) and retention purge. */
export class LoginLogService {
  private readonly logins: LoginRepository;
  private readonly visitors: VisitorRepository;

  constructor(private readonly deps: { db: Db; clock: Clock }) {
    this.logins = new LoginRepository(deps.db);
    this.visitors = new VisitorRepository(deps.db);
  }

  async exportForPhone(orgId: string, phoneInput: string): Promise<PhoneRecords> {
    // Any valid number: the log may hold numbers from before an allow-list change.
    const parsed = parsePhoneNumberFromString(phoneInput.trim());
    if (!parsed?.isValid()) throw new AppError('PHONE_INVALID', 'phone: expected a number in international format, e.g. +447400123456');
    const e164 = parsed.number;
    const visitor = await this.visitors.findByPhone(orgId, e164);
    return {
      phone: e164,
      logins: await this.logins.listByPhone(orgId, e164),
      consents: visitor ? await this.visitors.consentHistory(orgId, visitor.id) : [],
    };
  }

  purgeExpired(): Promise<number> {
    return this.logins.purgeExpired(this.deps.clock.now(), DEFAULT_LOGIN_RETENTION_DAYS);
  }
}

const csvCell = (value: string | Date | Record<string, unknown>): string => {
  const s = value instanceof Date ? value.toISOString() : typeof value === 'string' ? value : JSON.stringify(value);
  // Leading =,+,-,@ would run as formulas in spreadsheets.
  const safe = /^[=+\-@]/.test(s) && !/^\+\d+$/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

export function loginsToCsv(records: PhoneRecords): string {
  const header = ['logged_in_at', 'phone', 'venue_id', 'gateway_id', 'device_hash', 'method', 'consents'];
  const rows = records.logins.map((l) => [l.loggedInAt, l.phone, l.venueId, l.gatewayId, l.deviceHash, l.method, l.consents]);
  return [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
