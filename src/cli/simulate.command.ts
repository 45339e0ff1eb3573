import type { Command } from 'commander';
import { DEFAULT_START_ISO, SCENARIO_NAMES, writeSimulation, type SimulationProgress } from '../analytics/simulator/index.js';
import { print } from './output.js';

interface SimulateFlags {
  scenario: string;
  start: string;
  hours: string;
  seed: string;
  interval: string;
  scale: string;
  out: string;
  ies: boolean;
  quiet?: boolean;
  json?: boolean;
}

/** Progress on stderr at most once a second of wall time, so short runs stay quiet. */
function progressReporter(quiet: boolean): ((p: SimulationProgress) => void) | undefined {
  if (quiet) return undefined;
  let last = Date.now();
  return (p) => {
    const now = Date.now();
    if (now - last < 1000) return;
    last = now;
    const at = new Date(p.t * 1000).toISOString().slice(0, 16).replace('T', ' ');
    process.stderr.write(`simulate: ${at} UTC (${Math.round(p.fraction * 100)}%), ${p.probes.toLocaleString('en-GB')} probes\n`);
  };
}

/** `passby simulate`: synthetic probe requests plus the ground truth they were generated from. */
export function registerSimulateCommand(program: Command): void {
  program
    .command('simulate')
    .description('generate probe requests of a simulated high street or mall, with the ground truth (footfall, occupancy, address -> person)')
    .option('--scenario <name>', SCENARIO_NAMES.join(' or '), 'high-street')
    .option('--start <time>', 'start, ISO date-time or epoch seconds', DEFAULT_START_ISO)
    .option('--hours <n>', 'hours to simulate', '24')
    .option('--seed <n>', 'random seed: the same seed gives the same files byte for byte', '1')
    .option('--interval <seconds>', 'interval of the truth files', '300')
    .option('--scale <factor>', 'multiplier on arrival rates (people, not staff or fixed devices)', '1')
    .requiredOption('--out <dir>', 'directory for probes.ndjson, truth-*.csv and scenario.json')
    .option('--no-ies', 'leave out the information-element hex (files about half the size)')
    .option('--quiet', 'no progress on stderr')
    .option('--json', 'print the summary as JSON')
    .action(async (flags: SimulateFlags) => {
      const summary = await writeSimulation(
        { scenario: flags.scenario, start: flags.start, hours: flags.hours, seed: flags.seed, interval: flags.interval, scale: flags.scale, ies: flags.ies },
        flags.out,
        progressReporter(flags.quiet === true || flags.json === true),
      );
      if (flags.json) {
        print(flags, summary as unknown as Record<string, unknown>);
        return;
      }
      process.stdout.write(
        `simulated ${summary.scenario} from ${summary.start} for ${summary.hours} h (seed ${summary.seed}): ` +
          `${summary.people} people, ${summary.devices} devices, ${summary.addresses} addresses, ${summary.probes} probes -> ` +
          `${summary.outDir} (${summary.files.join(', ')})\n`,
      );
    });
}
