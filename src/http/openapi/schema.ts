import { z } from 'zod';
import { ERRORS, type ErrorCode } from '../../shared/errors.js';

/** Building blocks of the OpenAPI document: JSON Schema from zod, refs, parameters and operations. */
export type JsonSchema = Record<string, unknown>;
export type Operation = Record<string, unknown>;
export type PathItem = Partial<Record<'get' | 'post' | 'put' | 'patch' | 'delete', Operation>>;
export type Paths = Record<string, PathItem>;

// zod spells these out as long regular expressions too; the format alone says it and keeps the document readable.
const SELF_DESCRIBING_FORMATS = new Set(['uuid', 'date-time', 'email', 'uri']);

function tidy(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(tidy);
  if (typeof node !== 'object' || node === null) return node;
  const source = node as Record<string, unknown>;
  const dropPattern = typeof source.format === 'string' && SELF_DESCRIBING_FORMATS.has(source.format);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) {
    if (key === 'pattern' && dropPattern) continue;
    // z.number().int() adds the safe-integer range: noise for a reader.
    if ((key === 'maximum' && value === Number.MAX_SAFE_INTEGER) || (key === 'minimum' && value === Number.MIN_SAFE_INTEGER)) continue;
    out[key] = tidy(value);
  }
  return out;
}

/**
 * JSON Schema (2020-12, which OpenAPI 3.1 uses) of a real zod schema. `input`: what a client may send
 * (defaults make fields optional); `output`: what the API answers (defaults filled in).
 */
export function fromZod(schema: z.ZodType, io: 'input' | 'output' = 'input'): JsonSchema {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, { io, unrepresentable: 'any' });
  // Local $defs would be refs into the schema itself, which do not resolve once nested in the document.
  if ('$defs' in json) throw new Error('fromZod: schemas with $defs (recursive or registered) are not supported');
  return tidy(json) as JsonSchema;
}

/** A zod object's JSON Schema without some properties (e.g. fields the server fills in itself). */
export function without(schema: JsonSchema, names: readonly string[]): JsonSchema {
  const properties = Object.fromEntries(Object.entries(schema.properties as Record<string, unknown>).filter(([name]) => !names.includes(name)));
  const required = Array.isArray(schema.required) ? schema.required.filter((r) => !names.includes(String(r))) : undefined;
  return { ...schema, properties, ...(required ? { required } : {}) };
}

/** An object schema with one more property (a sibling allOf could not: additionalProperties false sees only its own). */
export function withProperty(schema: JsonSchema, name: string, property: JsonSchema, required = true): JsonSchema {
  const properties = { ...(schema.properties as Record<string, unknown>), [name]: property };
  const before = Array.isArray(schema.required) ? (schema.required as string[]) : [];
  return { ...schema, properties, ...(required ? { required: [...before, name] } : {}) };
}

/** Query parameters from a zod object schema of the query string, with a description per parameter. */
export function queryParamsFrom(schema: z.ZodType, descriptions: Record<string, string>): JsonSchema[] {
  const json = fromZod(schema);
  const required = new Set(Array.isArray(json.required) ? (json.required as string[]) : []);
  return Object.entries(json.properties as Record<string, JsonSchema>).map(([name, property]) =>
    queryParam(name, descriptions[name] ?? '', property, required.has(name)),
  );
}

export const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
export const str = (description?: string, extra: JsonSchema = {}): JsonSchema => ({ type: 'string', ...(description ? { description } : {}), ...extra });
export const int = (description?: string): JsonSchema => ({ type: 'integer', ...(description ? { description } : {}) });
export const bool = (description?: string): JsonSchema => ({ type: 'boolean', ...(description ? { description } : {}) });
export const uuid = (description?: string): JsonSchema => str(description, { format: 'uuid' });
export const time = (description?: string): JsonSchema => str(description, { format: 'date-time' });
export const nullable = (schema: JsonSchema): JsonSchema => ({ anyOf: [schema, { type: 'null' }] });
export const arrayOf = (items: JsonSchema, description?: string): JsonSchema => ({ type: 'array', items, ...(description ? { description } : {}) });

/** An object with these properties, all required unless named in `optional`. Extra fields may appear in answers. */
export function obj(properties: Record<string, JsonSchema>, optional: readonly string[] = [], description?: string): JsonSchema {
  const required = Object.keys(properties).filter((name) => !optional.includes(name));
  return { type: 'object', ...(description ? { description } : {}), properties, ...(required.length ? { required } : {}) };
}

/** The list envelope: `{items, nextCursor?}`. */
export const listOf = (items: JsonSchema): JsonSchema =>
  obj({ items: arrayOf(items), nextCursor: str('Pass as `cursor` for the next page; absent on the last page') }, ['nextCursor']);

export function pathParam(name: string, description: string, schema: JsonSchema = { type: 'string', format: 'uuid' }): JsonSchema {
  return { name, in: 'path', required: true, description, schema };
}

export function queryParam(name: string, description: string, schema: JsonSchema = { type: 'string' }, required = false): JsonSchema {
  return { name, in: 'query', required, description, schema };
}

/** HTTP statuses of the error registry, each answered by a shared response listing its codes. */
export const ERROR_RESPONSES: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthenticated',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  413: 'PayloadTooLarge',
  415: 'UnsupportedMediaType',
  429: 'RateLimited',
  503: 'Unavailable',
};

export function codesWithStatus(status: number): ErrorCode[] {
  return (Object.keys(ERRORS) as ErrorCode[]).filter((code) => ERRORS[code].status === status);
}

export interface OperationSpec {
  id: string;
  tag: string;
  summary: string;
  description?: string;
  params?: JsonSchema[];
  body?: { schema: JsonSchema; example?: unknown; description?: string; contentType?: string; optional?: boolean };
  /** The success answer; no schema: an empty body (204, or a bare 202). */
  ok: { status: number; description: string; schema?: JsonSchema; contentType?: string; headers?: JsonSchema; alsoCsv?: boolean };
  /** Error statuses beyond the automatic ones (401 always; 400, 413, 415 with a JSON body). */
  errors?: number[];
  /** Defaults to the organisation API key. */
  security?: 'apiKey' | 'sensorToken';
}

export function op(spec: OperationSpec): Operation {
  const jsonBody = spec.body !== undefined && (spec.body.contentType ?? 'application/json') === 'application/json';
  const statuses = new Set([401, ...(jsonBody ? [400, 413, 415] : []), ...(spec.errors ?? [])]);
  const responses: Record<string, unknown> = { [String(spec.ok.status)]: success(spec.ok) };
  for (const status of [...statuses].sort((a, b) => a - b)) {
    const name = ERROR_RESPONSES[status];
    if (name === undefined) throw new Error(`op ${spec.id}: no shared error response for ${status}`);
    responses[String(status)] = { $ref: `#/components/responses/${name}` };
  }
  return {
    operationId: spec.id,
    tags: [spec.tag],
    summary: spec.summary,
    ...(spec.description ? { description: spec.description } : {}),
    ...(spec.params?.length ? { parameters: spec.params } : {}),
    ...(spec.body ? { requestBody: requestBody(spec.body) } : {}),
    responses,
    ...(spec.security === 'sensorToken' ? { security: [{ sensorToken: [] }] } : {}),
  };
}

function requestBody(body: NonNullable<OperationSpec['body']>): JsonSchema {
  const media = { schema: body.schema, ...(body.example === undefined ? {} : { example: body.example }) };
  return { required: body.optional !== true, ...(body.description ? { description: body.description } : {}), content: { [body.contentType ?? 'application/json']: media } };
}

function success(ok: OperationSpec['ok']): JsonSchema {
  const csv = ok.alsoCsv ? { 'text/csv': { schema: { type: 'string' } } } : {};
  const content = ok.schema ? { content: { [ok.contentType ?? 'application/json']: { schema: ok.schema }, ...csv } } : {};
  return { description: ok.description, ...(ok.headers ? { headers: ok.headers } : {}), ...content };
}
