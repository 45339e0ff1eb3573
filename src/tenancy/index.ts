export { OrganisationService, type ApiPrincipal, type CreatedUser } from './organisation.service.js';
export { VenueService } from './venue.service.js';
export type { Organisation } from './organisation.repository.js';
export type { StaffUser } from './staff-user.repository.js';
export type { Venue, Zone } from './venue.repository.js';
export { ROLES, type Role } from './tenancy.schemas.js';
export { tenancyRoutes } from './tenancy.routes.js';
