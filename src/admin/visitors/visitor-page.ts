import type { Response } from 'express';
import { LoginLogService } from '../../portal/login-log.service.js';
import { LogService } from '../../triggers/engine/log.service.js';
import type { AdminDeps } from '../admin-deps.js';

const RECENT_LOGINS = 20;
const RECENT_DELIVERIES = 50;

/** "2026-03-01 10:00 UTC": unambiguous for staff in any time zone. */
export const shownTime = (at: Date | string): string => {
  const iso = typeof at === 'string' ? at : at.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
};
const stamp = (at: Date | string) => ({ iso: typeof at === 'string' ? at : at.toISOString(), text: shownTime(at) });

export function staffOrg(res: Response): string {
  const staff = res.locals.staff;
  if (!staff) throw new Error('requireStaff did not set the staff member');
  return staff.orgId;
}

/** Everything the visitor page shows, gathered from the services. */
export async function visitorPageModel(deps: AdminDeps, log: LogService, orgId: string, visitorId: string): Promise<Record<string, unknown>> {
  const visitors = deps.triggers.sms.visitors;
  const visitor = await visitors.get(orgId, visitorId);
  const [consents, venues, records, deliveries] = await Promise.all([
    visitors.consents(orgId, visitor.id),
    deps.services.venues.list(orgId),
    new LoginLogService({ db: deps.db, clock: deps.clock }).exportForPhone(orgId, visitor.phone),
    log.deliveries(orgId, { visitorId: visitor.id, limit: RECENT_DELIVERIES }),
  ]);
  const venueName = new Map(venues.map((v) => [v.id, v.name]));
  const nameOf = (id: string | null): string => (id === null ? '—' : (venueName.get(id) ?? id));
  return {
    visitor: { ...visitor, created: stamp(visitor.createdAt) },
    consentState: [
      { label: 'Terms of use', granted: visitor.consent.terms },
      { label: 'SMS marketing', granted: visitor.consent.sms_marketing },
      { label: 'Sharing with the CRM', granted: visitor.consent.crm_sharing },
    ],
    consents: consents.map((c) => ({ ...c, venue: nameOf(c.venueId), at: stamp(c.recordedAt) })),
    attributes: Object.entries(visitor.attributes).map(([key, value]) => ({ key, value: String(value) })),
    visits: visitor.visits.map((v) => ({ venue: nameOf(v.venueId), visits: v.visits, first: stamp(v.firstVisitAt), last: stamp(v.lastVisitAt) })),
    logins: records.logins
      .slice(-RECENT_LOGINS)
      .reverse()
      .map((l) => ({ venue: nameOf(l.venueId), method: l.method, at: stamp(l.loggedInAt) })),
    deliveries: deliveries.items.map((d) => ({ channel: d.channel, status: d.status, reason: d.reason, at: stamp(d.createdAt) })),
  };
}
