import { Command, CommanderError } from 'commander';
import { registerAnalyzeCommand } from './cli/analyze.command.js';
import { registerEndpointsCommand } from './cli/endpoints.command.js';
import { registerRulesCommand } from './cli/rules.command.js';
import { registerImportCommand } from './cli/import.command.js';
import { registerProbesCommand } from './cli/probes.command.js';
import { registerResourceCommands } from './cli/resources.js';
import { registerSimulateCommand } from './cli/simulate.command.js';
import { reportFailure } from './cli/output.js';
import { loadConfig } from './config.js';
import { migrate } from './db/migrate.js';
import { runUntilSignalled } from './main.js';
import { withPool } from './cli/context.js';

const announce = (text: string): void => void process.stdout.write(`${text}\n`);

function buildProgram(): Command {
  const program = new Command('passby')
    .description('Passby: guest Wi-Fi captive portal, footfall analytics and marketing triggers.\nConfiguration comes from environment variables (see README).')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');

  program
    .command('start')
    .description('run the web server and the queue workers in one process (migrates first)')
    .action(() => runUntilSignalled(loadConfig(), { web: true, workers: true, announce }));
  program
    .command('serve')
    .description('run the web server only')
    .action(() => runUntilSignalled(loadConfig(), { web: true, workers: false, announce }));
  program
    .command('worker')
    .description('run the queue workers only (scale out by starting more)')
    .action(() => runUntilSignalled(loadConfig(), { web: false, workers: true, announce }));
  program
    .command('migrate')
    .description('apply pending database migrations and exit')
    .option('--json', 'print JSON')
    .action((options: { json?: boolean }) =>
      withPool(async ({ db }) => {
        const result = await migrate(db);
        const applied = result.applied.map((m) => `${String(m.version).padStart(4, '0')}_${m.name}`);
        if (options.json) announce(JSON.stringify({ applied, version: result.current }));
        else announce(applied.length ? `applied ${applied.join(', ')}; schema at version ${result.current}` : `schema already at version ${result.current}`);
      }),
    );
  registerResourceCommands(program);
  registerProbesCommand(program);
  registerAnalyzeCommand(program);
  registerSimulateCommand(program);
  registerImportCommand(program);
  registerRulesCommand(program);
  registerEndpointsCommand(program);
  return program;
}

export async function runCli(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander already printed help or the usage problem.
      process.exitCode = error.exitCode;
      return;
    }
    process.exitCode = reportFailure(error, argv.includes('--json'));
  }
}
