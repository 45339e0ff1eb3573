import { fingerprintOf } from './ies.js';
import { MODELS, STATIC_MODELS, type DeviceModel } from './models.js';
import type { SimulationOptions } from './options.js';
import { CARRY_PROFILES, PHONE_MIX, SECOND_DEVICE_MIX } from './population.js';
import { WARM_UP_SECONDS, type Scenario } from './scenario.js';

function describeModel(model: DeviceModel): Record<string, unknown> {
  return {
    label: model.label,
    kind: model.kind,
    mac: model.mac,
    rotation: model.rotation,
    seqOnChange: model.seqOnChange,
    fingerprint24: fingerprintOf(model.ies24),
    fingerprint5: model.ies5 === undefined ? null : fingerprintOf(model.ies5),
    channels24: model.channels24,
    channels5: model.channels5,
    partialScanShare: model.partialScanShare,
    probesPerChannel: model.probesPerChannel,
    channelTimeMs: model.channelTimeMs,
    probeGapMs: model.probeGapMs,
    scanOnSeconds: model.scanOn,
    scanOffSeconds: model.scanOff,
    directedShare: model.directedShare,
    txPowerDbm: model.txPower,
  };
}

/** Everything that shaped a run, for scenario.json: rerunning with `options` reproduces the files. */
export function describeSimulation(options: SimulationOptions, scenario: Scenario): Record<string, unknown> {
  const entries = (models: Record<string, DeviceModel>) => Object.fromEntries(Object.values(models).map((m) => [m.id, describeModel(m)]));
  return {
    generator: 'passby simulate',
    options: { ...options, startIso: new Date(options.start * 1000).toISOString(), end: options.start + options.hours * 3600 },
    scenario: {
      name: scenario.name,
      summary: scenario.summary,
      venueZone: scenario.venueZone,
      zones: scenario.zones,
      countLines: scenario.countLines,
      sensors: scenario.sensors,
      radio: scenario.radio,
      walls: scenario.walls.length,
      warmUpSeconds: WARM_UP_SECONDS,
      ...scenario.parameters,
    },
    population: { phoneMix: PHONE_MIX, secondDeviceMix: SECOND_DEVICE_MIX, carryProfiles: CARRY_PROFILES },
    models: entries(MODELS),
    fixedModels: entries(STATIC_MODELS),
    truth: {
      interval: options.interval,
      footfall: 'column 2: people entering the venue zone in the interval (visitors + staff, split in the next two columns); then one column per zone (entries), then count lines (crossings, both directions)',
      occupancy: 'column 2: people inside the venue zone, mean over the interval; then visitors, staff and one column per zone',
      devices: 'one row per address heard by any sensor: mac, person, role, device, model, randomised, rotation (per-scan, interval, never, per-network), first_seen',
    },
  };
}
