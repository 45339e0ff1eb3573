export { SensorService } from './sensor.service.js';
export type { Sensor } from './sensor.repository.js';
export { sensorRoutes } from './sensor.routes.js';
