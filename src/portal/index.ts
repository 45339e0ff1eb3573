export { GatewayService, type CreatedGateway, type Gateway, type GatewaySecrets } from './gateway.service.js';
export type { GatewayInput } from './gateway.schemas.js';
export { gatewayRoutes } from './gateway.routes.js';
