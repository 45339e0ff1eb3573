import { AppError, type FieldProblem } from '../../shared/errors.js';
import type { RuleReferenceRepository } from './rule.repository.js';
import type { RuleDefinition } from './rule.schema.js';

/**
 * A rule may only name the organisation's own venues, zones and webhook
 * endpoints; a zone must sit in one of the rule's venues (when it lists any),
 * or the rule could never fire. Another tenant's id reads as unknown.
 */
export async function checkReferences(refs: RuleReferenceRepository, orgId: string, definition: RuleDefinition, prefix = ''): Promise<void> {
  const { venueIds, zoneIds } = definition.scope;
  const endpointIds = definition.actions.flatMap((a) => (a.type === 'webhook' ? a.endpointIds : []));
  const [venues, zones, endpoints] = await Promise.all([refs.venueIds(orgId, venueIds), refs.zoneVenues(orgId, zoneIds), refs.endpointIds(orgId, endpointIds)]);
  const problems: FieldProblem[] = [];
  venueIds.forEach((id, i) => {
    if (!venues.has(id)) problems.push({ path: `${prefix}scope.venueIds.${i}`, message: `unknown venue ${id}` });
  });
  zoneIds.forEach((id, i) => {
    const venue = zones.get(id);
    if (venue === undefined) problems.push({ path: `${prefix}scope.zoneIds.${i}`, message: `unknown zone ${id}` });
    else if (venueIds.length > 0 && !venueIds.includes(venue)) problems.push({ path: `${prefix}scope.zoneIds.${i}`, message: `zone ${id} is not in any of the rule's venues` });
  });
  definition.actions.forEach((action, index) => {
    if (action.type !== 'webhook') return;
    action.endpointIds.forEach((id, i) => {
      if (!endpoints.has(id)) problems.push({ path: `${prefix}actions.${index}.endpointIds.${i}`, message: `unknown webhook endpoint ${id}` });
    });
  });
  if (problems.length > 0) throw new AppError('VALIDATION_FAILED', problems.map((p) => `${p.path}: ${p.message}`).join('; '), { fields: problems });
}
