import { textOf } from './gateway-sensor.form.js';

/** What the "Add a gateway" form posts (urlencoded: every value a string). */
export interface GatewayFormValues {
  kind: string;
  name: string;
  venueId: string;
  zoneId: string;
  fasLevel: string;
  controllerUrl: string;
  site: string;
  operatorUsername: string;
  operatorPassword: string;
  caCertPem: string;
  timeUnit: string;
}

export const GATEWAY_FIELDS = [
  'kind',
  'name',
  'venueId',
  'zoneId',
  'fasLevel',
  'controllerUrl',
  'site',
  'operatorUsername',
  'operatorPassword',
  'caCertPem',
  'timeUnit',
] as const satisfies readonly (keyof GatewayFormValues)[];

export const emptyGatewayForm = (): GatewayFormValues => ({
  kind: 'opennds',
  name: '',
  venueId: '',
  zoneId: '',
  fasLevel: '2',
  controllerUrl: '',
  site: '',
  operatorUsername: '',
  operatorPassword: '',
  caCertPem: '',
  timeUnit: 'ms',
});

export function readGatewayForm(body: unknown): GatewayFormValues {
  const values = emptyGatewayForm();
  for (const key of GATEWAY_FIELDS) values[key] = textOf(body, key);
  return values;
}

/** A blank optional field is left out, so the schema applies its default instead of refusing ''. */
const optional = (value: string): string | undefined => (value.trim() === '' ? undefined : value);

/**
 * The service input the form describes. Only the chosen kind's fields are
 * sent: the schema is strict, and both kinds' fields are on the page.
 */
export function gatewayInputFrom(v: GatewayFormValues): Record<string, unknown> {
  const base = { kind: v.kind, name: v.name, venueId: v.venueId, zoneId: optional(v.zoneId) };
  if (v.kind !== 'omada') return { ...base, fasLevel: /^[123]$/.test(v.fasLevel) ? Number(v.fasLevel) : v.fasLevel };
  return {
    ...base,
    controllerUrl: v.controllerUrl.trim(),
    site: optional(v.site),
    operatorUsername: v.operatorUsername,
    operatorPassword: v.operatorPassword,
    caCertPem: optional(v.caCertPem),
    timeUnit: v.timeUnit,
  };
}

/** The form as the page shows it again after an error: the password is never sent back to the browser. */
export function gatewayFormView(v: GatewayFormValues) {
  return {
    ...v,
    operatorPassword: '',
    hadPassword: v.operatorPassword !== '',
    omada: v.kind === 'omada',
    levels: [
      { value: '1', label: 'Level 1: hashed token (no PHP needed)', selected: v.fasLevel === '1' },
      { value: '2', label: 'Level 2: encrypted query (recommended)', selected: v.fasLevel === '2' },
      { value: '3', label: 'Level 3: https with authmon (needs Passby on https)', selected: v.fasLevel === '3' },
    ],
    timeUnits: [
      { value: 'ms', label: 'Milliseconds (most controllers)', selected: v.timeUnit !== 'us' },
      { value: 'us', label: 'Microseconds', selected: v.timeUnit === 'us' },
    ],
  };
}
