import type { Command } from 'commander';
import { AppError } from '../shared/errors.js';
import { isId } from '../shared/ids.js';
import { resolveSecretKey } from '../shared/secret-key.js';
import { systemClock } from '../shared/clock.js';
import { createAddressPolicy, EndpointService, type EndpointView } from '../triggers/webhooks/index.js';
import { withDatabase, type CliContext } from './context.js';
import { print, type OutputOptions } from './output.js';

type Options = OutputOptions & { org?: string; url?: string; description?: string; eventTypes?: string; overlapHours?: string };

/** The endpoint service for one CLI command, after checking the organisation exists. */
async function endpointsFor(context: CliContext, orgId: string): Promise<EndpointService> {
  if (!isId(orgId)) throw new AppError('NOT_FOUND', 'Organisation not found');
  await context.services.organisations.getOrganisation(orgId);
  return new EndpointService({
    db: context.db,
    clock: systemClock,
    secretKey: resolveSecretKey(context.config, context.logger),
    policy: createAddressPolicy(context.config.triggers.webhook.allowedNetworks),
  });
}

function run(options: Options, work: (endpoints: EndpointService, orgId: string) => Promise<void>): Promise<void> {
  return withDatabase(async (context) => work(await endpointsFor(context, options.org ?? ''), options.org ?? ''));
}

function overlapHours(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new AppError('VALIDATION_FAILED', '--overlap-hours must be a whole number of hours from 0 to 168');
  return Number(value);
}

function printList(options: Options, items: EndpointView[]): void {
  if (options.json) {
    print(options, { endpoints: items });
    return;
  }
  if (items.length === 0) process.stdout.write('no webhook endpoints\n');
  for (const e of items) {
    const state = e.enabled ? 'enabled' : `disabled (${e.disabledReason ?? 'manual'})`;
    const types = e.eventTypes.length > 0 ? e.eventTypes.join(',') : 'all events';
    process.stdout.write(`${e.id}  ${state}  ${e.url}  [${types}]  secrets: ${e.secretCount}${e.failingSince ? `  failing since ${e.failingSince}` : ''}\n`);
  }
}

/** `passby endpoints ...`: CRM webhook endpoints for scripted set-up (secrets are printed once, at creation and rotation). */
export function registerEndpointsCommand(program: Command): void {
  const endpoints = program.command('endpoints').description('CRM webhook endpoints (signed Standard Webhooks)');
  const withOrg = (command: Command) => command.requiredOption('--org <orgId>', 'organisation id').option('--json', 'print JSON');

  withOrg(endpoints.command('list').description("list an organisation's webhook endpoints")).action((options: Options) =>
    run(options, async (service, orgId) => printList(options, await service.list(orgId))),
  );

  withOrg(endpoints.command('create').description('add an endpoint; prints its signing secret (shown once)'))
    .requiredOption('--url <url>', 'https URL of the receiver')
    .option('--description <text>', 'what the endpoint is for')
    .option('--event-types <types>', 'comma-separated event types it receives (default: all), e.g. presence.entered,portal.login')
    .action((options: Options) =>
      run(options, async (service, orgId) => {
        const eventTypes = options.eventTypes?.split(',').map((t) => t.trim()).filter((t) => t !== '');
        const { endpoint, secret } = await service.create(orgId, { url: options.url, description: options.description, eventTypes });
        print(options, { endpointId: endpoint.id, url: endpoint.url, eventTypes: endpoint.eventTypes, secret });
      }),
    );

  withOrg(endpoints.command('rotate-secret').description('issue a new signing secret; the old one keeps signing during the overlap'))
    .argument('<endpointId>', 'endpoint id')
    .option('--overlap-hours <hours>', 'how long the previous secret stays valid (0-168)', '24')
    .action((endpointId: string, options: Options) =>
      run(options, async (service, orgId) => {
        const rotated = await service.rotateSecret(orgId, endpointId, { overlapHours: overlapHours(options.overlapHours) });
        print(options, { endpointId, ...rotated });
      }),
    );

  for (const [name, enabled] of [['enable', true], ['disable', false]] as const) {
    withOrg(endpoints.command(name).description(enabled ? 're-enable an endpoint (clears its failing state)' : 'stop sending to an endpoint'))
      .argument('<endpointId>', 'endpoint id')
      .action((endpointId: string, options: Options) =>
        run(options, async (service, orgId) => {
          const updated = await service.update(orgId, endpointId, { enabled });
          print(options, { endpointId, enabled: updated.enabled, disabledReason: updated.disabledReason });
        }),
      );
  }

  withOrg(endpoints.command('delete').description('delete an endpoint and its secrets'))
    .argument('<endpointId>', 'endpoint id')
    .action((endpointId: string, options: Options) =>
      run(options, async (service, orgId) => {
        await service.delete(orgId, endpointId);
        print(options, { endpointId, deleted: true });
      }),
    );
}
