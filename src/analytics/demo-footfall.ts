import { createHash } from 'node:crypto';
import type { IngestService, IngestSensor } from './ingest/index.js';
import { simulateProbeBatches } from './simulator/index.js';

export interface DemoFootfall {
  sensorId: string;
  probes: number;
}

/** Hours of simulated high-street probes a fresh demo starts with: enough for a dashboard, seconds to make. */
const DEMO_HOURS = 6;

/**
 * Fills a demo venue's sensor with the simulator's high street for the last
 * few hours, through the same ingest path a real sensor uses (hashing,
 * salts, partitions), so the dashboards and API have data on first start.
 */
export async function seedDemoFootfall(deps: { ingest: IngestService; sensor: IngestSensor; now: Date }): Promise<DemoFootfall> {
  const start = Math.floor(deps.now.getTime() / 1000) - DEMO_HOURS * 3600;
  let probes = 0;
  for (const batch of simulateProbeBatches({ scenario: 'high-street', start, hours: DEMO_HOURS, seed: 1, ies: false })) {
    if (batch.length === 0) continue;
    const records = batch.map((probe, index) => {
      const { sensor: _simulated, ...rest } = probe;
      return { ok: true as const, probe: rest, index };
    });
    const digest = createHash('sha256').update(`${deps.sensor.id}:${String(batch[0]?.ts)}:${String(batch.length)}`).digest();
    const outcome = await deps.ingest.ingest(deps.sensor, { id: `demo-${digest.toString('hex').slice(0, 32)}`, digest, records });
    probes += outcome.accepted;
  }
  return { sensorId: deps.sensor.id, probes };
}
