export { SensorService } from './sensor.service.js';
export type { Sensor } from './sensor.repository.js';
