// The OpenAPI document at /docs/json: each route's zod schemas rendered by fastify-type-provider-zod, plus what
// every route has in common, added here once rather than in each route: an operationId, and the error answers
// that validation, auth and path ids give.
import type { SwaggerOptions } from '@fastify/swagger';
import type { FastifySchema } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { Role, roleAllows } from '../services/keys.ts';
import { ErrorBody } from './schemas.ts';

type Transform = NonNullable<Extract<SwaggerOptions, { transform?: unknown }>['transform']>;
type TransformObject = NonNullable<Extract<SwaggerOptions, { transformObject?: unknown }>['transformObject']>;
type RouteSchema = FastifySchema & {
  hide?: boolean;
  operationId?: string;
  response?: Record<string, unknown>;
};

const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * `GET /v1/documents/:id/pages/:n` → `getDocumentsByIdPagesByN`: stable as long as the route is, and unique as
 * method and URL are. The `v1` every path starts with is left out; another version would keep its own.
 */
export function operationIdOf(method: string, url: string): string {
  const words = url
    .split('/')
    .filter((segment, i) => segment && !(i === 1 && segment === 'v1'))
    .map((segment) =>
      segment.startsWith(':')
        ? `By${capitalised(segment.slice(1))}`
        : segment
            .split(/[^A-Za-z0-9]+/)
            .map(capitalised)
            .join(''),
    );
  return method.toLowerCase() + words.join('');
}

// The shared error body, under the description each answer gets in the document.
const BAD_REQUEST = ErrorBody.describe(
  'The request does not fit: the message names the parameter or field at fault',
);
const UNAUTHORIZED_NEEDS_KEY = ErrorBody.describe(
  'No API key or session, or an Authorization header that is malformed or names an unknown or revoked key',
);
const UNAUTHORIZED_BAD_KEY = ErrorBody.describe(
  'An Authorization header that is malformed or names an unknown or revoked key (none is needed here)',
);
const NOT_FOUND = ErrorBody.describe('Nothing with this id');
const forbidden = (role: Role) => ErrorBody.describe(`The key or the signed-in user lacks the ${role} role`);

/**
 * Adds the answers a route gives without declaring them, where it did not: 400 when it takes parameters or a body
 * (the validator's answer), 401 always (a bad Authorization header is refused everywhere; a route with a role also
 * refuses none), 403 when some role falls short of the one it needs, 404 when its path names something by id.
 */
export const openApiTransform: Transform = (input) => {
  const schema = input.schema as RouteSchema | undefined;
  if (!schema || schema.hide) return jsonSchemaTransform(input);
  const role = input.route.config?.role;
  const declared = schema.response ?? {};
  const response: Record<string, unknown> = { ...declared };
  const add = (code: number, answer: unknown) => {
    if (!(code in declared)) response[code] = answer;
  };
  if (schema.params || schema.querystring || schema.body || schema.headers) add(400, BAD_REQUEST);
  add(401, role ? UNAUTHORIZED_NEEDS_KEY : UNAUTHORIZED_BAD_KEY);
  if (role && Role.options.some((held) => !roleAllows(held, role))) add(403, forbidden(role));
  if (schema.params) add(404, NOT_FOUND);
  const method = [input.route.method].flat()[0] ?? 'get';
  const rendered = jsonSchemaTransform({
    ...input,
    schema: { ...schema, response, operationId: schema.operationId ?? operationIdOf(method, input.url) },
  });
  // A route that declares no answer of its own (a file, an image) is documented with the plain success answer
  // @fastify/swagger gives such a route, which the error answers above would otherwise replace.
  if (!schema.response) {
    const answers = (rendered.schema as RouteSchema).response ?? {};
    (rendered.schema as RouteSchema).response = {
      200: { description: 'Default Response', type: 'null' },
      ...answers,
    };
  }
  return rendered;
};

/**
 * zod renders a tuple for OpenAPI 3.0 as `items: { anyOf: [one schema per position] }`; when every position has
 * the same schema (a bbox: four numbers) that is an array of that schema, with the tuple's minItems and maxItems.
 */
function collapseUniformTuples(node: unknown): void {
  if (Array.isArray(node)) {
    for (const child of node) collapseUniformTuples(child);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const schema = node as Record<string, unknown>;
  const items = schema.items as { anyOf?: unknown[] } | undefined;
  if (
    schema.type === 'array' &&
    items?.anyOf &&
    Object.keys(items).length === 1 &&
    schema.minItems === items.anyOf.length &&
    schema.maxItems === items.anyOf.length &&
    new Set(items.anyOf.map((s) => JSON.stringify(s))).size === 1
  ) {
    schema.items = items.anyOf[0];
  }
  for (const child of Object.values(schema)) collapseUniformTuples(child);
}

export const openApiTransformObject: TransformObject = (document) => {
  const openapi = 'openapiObject' in document ? document.openapiObject : document.swaggerObject;
  collapseUniformTuples(openapi);
  return openapi;
};
