export { createStaffAuth, requireStaff, type StaffAuth } from './staff.auth.js';
export { staffRoutes } from './staff.routes.js';
export { purgeExpiredSessions } from './session.store.js';
