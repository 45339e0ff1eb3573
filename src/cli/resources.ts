import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { AppError } from '../shared/errors.js';
import { withDatabase } from './context.js';
import { print, type OutputOptions } from './output.js';
import { gatewaySnippet, LoginLogService, loginsToCsv } from '../portal/index.js';
import { systemClock } from '../shared/clock.js';

type Options = OutputOptions & Record<string, string | boolean | undefined>;

const text = (options: Options, key: string): string | undefined => {
  const value = options[key];
  return typeof value === 'string' ? value : undefined;
};

function parseJsonOption(value: string | undefined, flag: string): unknown {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    throw new AppError('VALIDATION_FAILED', `${flag} must be JSON, e.g. '{"mon":[["09:00","18:00"]]}'`);
  }
}

function readFileOption(path: string | undefined, flag: string): string | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new AppError('VALIDATION_FAILED', `${flag}: cannot read ${path}: ${(error as Error).message}`);
  }
}

/** Resource commands for scripted set-up: each prints a result, `--json` for machines. */
export function registerResourceCommands(program: Command): void {
  const org = program.command('org').description('organisations');
  org
    .command('create')
    .description('create an organisation and its first API key (shown once)')
    .requiredOption('--name <name>', 'organisation name')
    .option('--json', 'print JSON')
    .action((options: Options) =>
      withDatabase(async ({ services }) => {
        const { organisation, apiKey } = await services.organisations.createOrganisation(text(options, 'name') ?? '');
        print(options, { orgId: organisation.id, name: organisation.name, apiKey });
      }),
    );

  program
    .command('apikey')
    .description('organisation API keys')
    .command('create')
    .description('create another API key for an organisation (shown once)')
    .requiredOption('--org <orgId>', 'organisation id')
    .option('--name <name>', 'what the key is for', 'cli')
    .option('--json', 'print JSON')
    .action((options: Options) =>
      withDatabase(async ({ services }) => {
        const apiKey = await services.organisations.createApiKey(text(options, 'org') ?? '', text(options, 'name') ?? 'cli');
        print(options, { orgId: text(options, 'org'), apiKey });
      }),
    );

  program
    .command('user')
    .description('staff users')
    .command('create')
    .description('create a staff user; prints a generated password unless --password is given')
    .requiredOption('--org <orgId>', 'organisation id')
    .requiredOption('--email <email>', 'login email')
    .requiredOption('--role <role>', 'owner, marketer or analyst')
    .option('--name <name>', 'display name', '')
    .option('--password <password>', 'password (at least 10 characters); generated if omitted')
    .option('--json', 'print JSON')
    .action((options: Options) =>
      withDatabase(async ({ services }) => {
        const { user, generatedPassword } = await services.organisations.createUser(text(options, 'org') ?? '', {
          email: text(options, 'email') ?? '',
          role: text(options, 'role'),
          name: text(options, 'name') ?? '',
          password: text(options, 'password'),
        });
        print(options, { userId: user.id, orgId: user.orgId, email: user.email, role: user.role, ...(generatedPassword ? { password: generatedPassword } : {}) });
      }),
    );

  const venue = program.command('venue').description('venues');
  venue
    .command('create')
    .description('create a venue')
    .requiredOption('--org <orgId>', 'organisation id')
    .requiredOption('--name <name>', 'venue name')
    .requiredOption('--timezone <tz>', 'IANA time zone, e.g. Europe/London')
    .option('--address <address>', 'street address', '')
    .option('--opening-hours <json>', 'e.g. \'{"mon":[["09:00","18:00"]]}\'')
    .option('--json', 'print JSON')
    .action((options: Options) =>
      withDatabase(async ({ services }) => {
        const created = await services.venues.create(text(options, 'org') ?? '', {
          name: text(options, 'name'),
          timezone: text(options, 'timezone'),
          address: text(options, 'address'),
          openingHours: parseJsonOption(text(options, 'openingHours'), '--opening-hours'),
        });
        print(options, { venueId: created.id, name: created.name, timezone: created.timezone });
      }),
    );
  venue
    .command('list')
    .description("list an organisation's venues")
    .requiredOption('--org <orgId>', 'organisation id')
    .option('--json', 'print JSON')
    .action((options: Options) =>
      withDatabase(async ({ services }) => {
        const venues = await services.venues.list(text(options, 'org') ?? '');
        print(options, { venues: venues.map((v) => ({ venueId: v.id, name: v.name, timezone: v.timezone })) });
      }),
    );

  program
    .command('zone')
    .description('zones inside a venue')
    .command('create')
    .requiredOption('--org <orgId>', 'organisation id')
    .requiredOption('--venue <venueId>', 'venue id')
    .requiredOption('--name <name>', 'zone name')
    .option('--json', 'print JSON')
    .action((options: Options) =>
      withDatabase(async ({ services }) => {
        const zone = await services.venues.createZone(text(options, 'org') ?? '', text(options, 'venue') ?? '', { name: text(options, 'name') });
        print(options, { zoneId: zone.id, venueId: zone.venueId, name: zone.name });
      }),
    );

  const gateway = program.command('gateway').description('captive-portal gateways (access points)');
  gateway
    .command('config')
    .description('print what to paste into the device: opennds.conf/UCI lines, or the Omada portal settings')
    .argument('<gatewayId>', 'gateway id')
    .option('--json', 'print JSON')
    .action((gatewayId: string, options: Options) =>
      withDatabase(async ({ services, config }) => {
        const found = await services.gateways.findForPortal(gatewayId);
        if (!found) throw new AppError('NOT_FOUND', `Gateway ${gatewayId} not found`);
        const snippet = gatewaySnippet(found, config.publicUrl);
        if (options.json) print(options, { gatewayId, kind: found.gateway.kind, snippet });
        else process.stdout.write(`${snippet}\n`);
      }),
    );
  gateway
    .command('create')
    .description('register an openNDS or Omada gateway; prints its id and, for openNDS, the faskey')
    .requiredOption('--org <orgId>', 'organisation id')
    .requiredOption('--venue <venueId>', 'venue id')
    .requiredOption('--kind <kind>', 'opennds or omada')
    .option('--zone <zoneId>', 'zone id inside the venue')
    .option('--name <name>', 'gateway name', 'Gateway')
    .option('--fas-level <level>', 'openNDS FAS security level 1, 2 or 3', '2')
    .option('--controller-url <url>', 'Omada controller URL, e.g. https://omada.example:8043')
    .option('--site <site>', 'Omada site name or id')
    .option('--operator <username>', 'Omada hotspot operator user name')
    .option('--password <password>', 'Omada hotspot operator password')
    .option('--ca-file <path>', 'PEM of the CA of a self-signed Omada controller')
    .option('--time-unit <unit>', 'unit of Omada extPortal/auth time: ms or us', 'ms')
    .option('--json', 'print JSON')
    .action((options: Options) =>
      withDatabase(async ({ services }) => {
        const kind = text(options, 'kind');
        const base = { kind, venueId: text(options, 'venue'), zoneId: text(options, 'zone'), name: text(options, 'name') };
        const input =
          kind === 'omada'
            ? {
                ...base,
                controllerUrl: text(options, 'controllerUrl'),
                site: text(options, 'site'),
                operatorUsername: text(options, 'operator'),
                operatorPassword: text(options, 'password'),
                caCertPem: readFileOption(text(options, 'caFile'), '--ca-file'),
                timeUnit: text(options, 'timeUnit'),
              }
            : { ...base, fasLevel: Number(text(options, 'fasLevel')) };
        const { gateway, secrets } = await services.gateways.create(text(options, 'org') ?? '', input);
        print(options, { gatewayId: gateway.id, kind: gateway.kind, venueId: gateway.venueId, settings: gateway.settings, secrets });
      }),
    );

  program
    .command('portal')
    .description('captive-portal records')
    .command('logins')
    .description("export one phone's sign-ins and consents (identification log, access requests)")
    .requiredOption('--org <orgId>', 'organisation id')
    .requiredOption('--phone <phone>', 'phone number in international format')
    .option('--csv', 'print the sign-ins as CSV')
    .option('--json', 'print JSON')
    .action((options: Options) =>
      withDatabase(async ({ db }) => {
        const records = await new LoginLogService({ db, clock: systemClock }).exportForPhone(text(options, 'org') ?? '', text(options, 'phone') ?? '');
        if (options.csv) process.stdout.write(loginsToCsv(records));
        else print(options, { ...records });
      }),
    );

  program
    .command('sensor')
    .description('probe-request sensors')
    .command('create')
    .description('register a sensor; prints its ingest token (shown once)')
    .requiredOption('--org <orgId>', 'organisation id')
    .requiredOption('--venue <venueId>', 'venue id')
    .option('--zone <zoneId>', 'zone id inside the venue')
    .option('--name <name>', 'sensor name', 'Sensor')
    .option('--json', 'print JSON')
    .action((options: Options) =>
      withDatabase(async ({ services }) => {
        const { sensor, token } = await services.sensors.create(text(options, 'org') ?? '', {
          venueId: text(options, 'venue'),
          zoneId: text(options, 'zone'),
          name: text(options, 'name'),
        });
        print(options, { sensorId: sensor.id, venueId: sensor.venueId, zoneId: sensor.zoneId, token });
      }),
    );
}
