import { z } from 'zod';
import { nameSchema } from '../tenancy/tenancy.schemas.js';

const placement = {
  venueId: z.string(),
  zoneId: z.string().optional(),
  name: nameSchema,
};

export const openndsGatewayInputSchema = z.strictObject({
  kind: z.literal('opennds'),
  ...placement,
  /** FAS security level: 1 (hashed token), 2 (AES query), 3 (authmon pull over https). */
  fasLevel: z.union([z.literal(1), z.literal(2), z.literal(3)]).default(2),
});

export const omadaGatewayInputSchema = z.strictObject({
  kind: z.literal('omada'),
  ...placement,
  controllerUrl: z.url({ protocol: /^https?$/, message: 'expected the controller URL, e.g. https://omada.example:8043' }),
  site: z.string().trim().min(1).max(100).optional(),
  operatorUsername: z.string().trim().min(1, { message: 'the hotspot operator user name is required' }).max(200),
  operatorPassword: z.string().min(1, { message: 'the hotspot operator password is required' }).max(500),
  /** PEM of the CA that signed a self-signed controller certificate (pinned, never "skip verification"). */
  caCertPem: z
    .string()
    .refine((v) => v.includes('-----BEGIN CERTIFICATE-----'), { message: 'expected a PEM certificate' })
    .optional(),
  /** The unit Omada expects for `time` in extPortal/auth: sources disagree, so it is a setting. */
  timeUnit: z.enum(['ms', 'us']).default('ms'),
});

export const gatewayInputSchema = z.discriminatedUnion('kind', [openndsGatewayInputSchema, omadaGatewayInputSchema]);
export type GatewayInput = z.input<typeof gatewayInputSchema>;
export type GatewayKind = z.output<typeof gatewayInputSchema>['kind'];
