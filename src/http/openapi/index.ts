import { readFileSync } from 'node:fs';
import { Router } from 'express';
import { errorResponses, errorSchemas, securitySchemes, tags } from './components.js';
import { analyticsPaths, analyticsSchemas } from './paths/analytics.js';
import { eventPaths, eventSchemas } from './paths/events.js';
import { portalPaths, portalSchemas } from './paths/portal.js';
import { rulePaths, ruleSchemas } from './paths/rules.js';
import { tenancyPaths, tenancySchemas } from './paths/tenancy.js';
import { visitorPaths, visitorSchemas } from './paths/visitors.js';
import { outgoingWebhooks, webhookPaths, webhookSchemas } from './paths/webhooks.js';
import type { Paths } from './schema.js';

export interface OpenApiOptions {
  /** PUBLIC_URL: the document's server is `${publicUrl}/api/v1`. */
  publicUrl: string;
  version: string;
}

/** Passby's version from package.json, for `info.version`. */
export const PASSBY_VERSION: string = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const AREAS: Paths[] = [tenancyPaths, portalPaths, analyticsPaths, rulePaths, webhookPaths, visitorPaths, eventPaths];

function mergePaths(): Paths {
  const merged: Paths = {};
  for (const area of AREAS) {
    for (const [path, item] of Object.entries(area)) {
      if (path in merged) throw new Error(`OpenAPI: ${path} is documented twice`);
      merged[path] = item;
    }
  }
  return merged;
}

const DESCRIPTION = `The organisation API of Passby: venues and zones, the captive portal, footfall analytics and the trigger engine
(rules, signed CRM webhooks, SMS with consent checked at send time).

Every request carries an organisation API key (\`Authorization: Bearer pbk_…\`), except probe ingest, which takes a sensor token.
Bodies are JSON (\`Content-Type: application/json\`, else 415). Lists answer \`{items, nextCursor?}\`; times are ISO 8601 UTC.
Errors answer \`{error: {code, message, details?, requestId}}\` with a stable \`code\` (see ErrorCode).
Ids of another organisation's resources answer 404. The trigger engine's guide: docs/triggers.md.`;

/** The OpenAPI 3.1 document of the whole /api/v1, built from the same zod schemas the API validates with. */
export function buildOpenApiDocument(options: OpenApiOptions): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'Passby API',
      version: options.version,
      description: DESCRIPTION,
      license: { name: 'AGPL-3.0-only', identifier: 'AGPL-3.0-only' },
    },
    servers: [{ url: `${options.publicUrl.replace(/\/+$/, '')}/api/v1` }],
    security: [{ apiKey: [] }],
    tags,
    paths: mergePaths(),
    webhooks: outgoingWebhooks,
    components: {
      securitySchemes,
      responses: errorResponses,
      schemas: { ...errorSchemas, ...tenancySchemas, ...portalSchemas, ...analyticsSchemas, ...ruleSchemas, ...webhookSchemas, ...visitorSchemas, ...eventSchemas },
    },
  };
}

/** GET /api/openapi.json: public (no key), built once per process. */
export function openApiRoutes(options: OpenApiOptions): Router {
  const body = JSON.stringify(buildOpenApiDocument(options));
  const router = Router();
  router.get('/api/openapi.json', (_req, res) => {
    // Public and static for the life of the process: a short cache, readable from API tools in other origins.
    res.set({ 'Cache-Control': 'public, max-age=300', 'Access-Control-Allow-Origin': '*' });
    res.type('application/json').send(body);
  });
  return router;
}
