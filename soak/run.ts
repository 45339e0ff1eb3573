/**
 * The soak: the combined load (sensor ingest, portal sign-ins, trigger events with webhooks and SMS) against
 * one app process for several minutes, sampling its memory and the queues every second.
 *   npm run soak                  # 5 minutes
 *   npm run soak -- --minutes 30
 * Prints a table, writes soak-output/report.json, and exits 1 when anything was lost, the queues were not
 * drained, or memory or queue depth grew without bound (thresholds in soak/report.ts, printed below the table).
 */
import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { driveLoad, type DriverOptions } from './driver.js';
import { formatReport, verdict } from './report.js';

/** The soak's load for a run of `seconds`: rates this 2-core machine sustains (queues stay shallow), warm-up a fifth of the run, at most a minute. */
export function soakOptions(seconds: number): DriverOptions {
  return {
    seconds,
    rates: { batches: 4, batchSize: 500, logins: 1, returningEvery: 4, events: 25, presenceEvery: 5 },
    warmupSeconds: Math.min(60, seconds / 5),
    drainTimeoutMs: 120_000,
  };
}

export async function runSoak(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { minutes: { type: 'string', default: '5' } } });
  const minutes = Number(values.minutes);
  if (!Number.isFinite(minutes) || minutes <= 0) {
    console.error(`--minutes: expected a positive number (got "${values.minutes}")`);
    return 2;
  }
  const report = await driveLoad({ ...soakOptions(Math.round(minutes * 60)), log: (line) => console.log(line) });
  console.log(`\n${formatReport(report)}`);
  mkdirSync('soak-output', { recursive: true });
  writeFileSync('soak-output/report.json', `${JSON.stringify(report, null, 2)}\n`);
  const problems = verdict(report);
  console.log(problems.length === 0 ? '\nPASS: nothing lost, queues drained, memory and queue depth bounded' : `\nFAIL:\n  ${problems.join('\n  ')}`);
  console.log('full figures: soak-output/report.json');
  return problems.length === 0 ? 0 : 1;
}

const isMain = process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) process.exitCode = await runSoak(process.argv.slice(2));
