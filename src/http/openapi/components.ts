import { ERRORS, type ErrorCode } from '../../shared/errors.js';
import { arrayOf, codesWithStatus, ERROR_RESPONSES, obj, ref, str, type JsonSchema } from './schema.js';

/** Shared components: authentication, the error body and the error responses built from the registry. */

export const securitySchemes: Record<string, JsonSchema> = {
  apiKey: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'pbk_…',
    description:
      'An organisation API key: `Authorization: Bearer pbk_…`. Created with `passby org create` or `passby apikey create` and shown once; ' +
      'every request is scoped to the key\'s organisation (ids of another organisation answer 404).',
  },
  sensorToken: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'pbs_…',
    description: 'A sensor\'s ingest token: `Authorization: Bearer pbs_…`, answered once by `POST /sensors`. Only probe ingest accepts it.',
  },
};

const ERROR_CODES = Object.keys(ERRORS) as ErrorCode[];

export const errorSchemas: Record<string, JsonSchema> = {
  ErrorCode: {
    type: 'string',
    enum: ERROR_CODES,
    description: 'Stable error codes: a code never changes meaning. ' + ERROR_CODES.map((c) => `\`${c}\` (${ERRORS[c].status})`).join(', '),
  },
  FieldProblem: obj({ path: str('Dotted path of the bad field, or `(body)`'), message: str() }),
  Error: obj({
    error: obj(
      {
        code: ref('ErrorCode'),
        message: str('Human-readable; may change. Branch on `code`.'),
        details: {
          type: 'object',
          description: 'Present for some codes. VALIDATION_FAILED lists every bad field in `fields`.',
          properties: { fields: arrayOf(ref('FieldProblem')) },
        },
        requestId: str('Quote it when reporting a problem: it finds the request in the logs'),
      },
      ['details'],
    ),
  }),
};

function errorResponse(status: number): JsonSchema {
  const codes = codesWithStatus(status);
  const example = codes[0] ?? 'INTERNAL';
  return {
    description: `Error. Codes: ${codes.map((c) => `\`${c}\``).join(', ')}.`,
    content: {
      'application/json': {
        schema: ref('Error'),
        example: { error: { code: example, message: ERRORS[example].title, requestId: 'req-1' } },
      },
    },
  };
}

export const errorResponses: Record<string, JsonSchema> = Object.fromEntries(
  Object.entries(ERROR_RESPONSES).map(([status, name]) => [name, errorResponse(Number(status))]),
);

export const tags: JsonSchema[] = [
  { name: 'Organisation', description: 'The caller\'s organisation, its venues and zones.' },
  { name: 'Portal', description: 'Captive-portal gateways, settings and the login log.' },
  { name: 'Analytics', description: 'Sensors, probe ingest, analytics settings, footfall metrics and calibration.' },
  { name: 'Rules', description: 'Trigger rules (versioned), dry-run tests and organisation trigger settings.' },
  { name: 'Webhook endpoints', description: 'CRM endpoints that receive signed `trigger.fired` webhooks.' },
  { name: 'Visitors', description: 'Known visitors: attributes, consent ledger, export, erasure and the SMS suppression list.' },
  { name: 'Events and deliveries', description: 'Inject events; read the decision and delivery logs; replay a delivery.' },
];
