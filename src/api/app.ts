// The whole HTTP app as one Fastify instance: plugins, auth, routes, OpenAPI and one error handler.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { ServiceConfig } from '../config/env.ts';
import { AppError } from '../services/errors.ts';
import type { ApiDeps } from './deps.ts';
import { sendError } from './errors.ts';
import { openApiTransform, openApiTransformObject } from './openapi.ts';
import auth, { type Authenticator } from './plugins/auth.ts';
import securityHeaders from './plugins/headers.ts';
import documentScope from './plugins/scope.ts';
import { adminRoutes } from './routes/admin.ts';
import { documentRoutes } from './routes/documents.ts';
import { exportRoutes } from './routes/exports.ts';
import { inboxRoutes } from './routes/inboxes.ts';
import { intakeRoutes } from './routes/intake.ts';
import { masterDataRoutes } from './routes/master-data.ts';
import { vendorMemoryRoutes } from './routes/vendor-memory.ts';
import { watchFolderRoutes } from './routes/watch-folders.ts';

export type App = FastifyInstance<
  Server,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  ZodTypeProvider
>;

export interface AppOptions {
  /** Extra authenticators (web sessions) tried when a request carries no API key. */
  authenticators?: Authenticator[];
  /** Plugins registered after the core routes (review, pages, metrics). */
  extensions?: ((app: App, deps: ApiDeps) => Promise<void>)[];
}

/** A hop count trusts that many proxies nearest to us (the framework's types take it only as a function). */
function trustProxyOf(setting: ServiceConfig['TRUST_PROXY']) {
  return typeof setting === 'number' ? (_address: string, hop: number) => hop < setting : setting;
}

export async function buildApp(ctx: ApiDeps, options: AppOptions = {}): Promise<App> {
  const app = Fastify({
    loggerInstance: ctx.log as FastifyBaseLogger,
    // Behind a reverse proxy, the client's address comes from X-Forwarded-For only as far as TRUST_PROXY says.
    trustProxy: trustProxyOf(ctx.config.TRUST_PROXY),
    bodyLimit: 1024 * 1024,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  // The one place an error becomes an answer: refusals thrown by services and routes (AppError), the
  // framework's own (validation, limits), and faults, whose details are logged and never sent.
  app.setErrorHandler<FastifyError>((error, request, reply) => {
    if (error instanceof AppError) return sendError(reply, error);
    if (hasZodFastifySchemaValidationErrors(error)) {
      return reply.code(400).send({
        error: 'bad_request',
        message: error.validation
          .map(
            (v) =>
              `${v.instancePath.replace(/^\//, '') || error.validationContext || 'request'}: ${v.message}`,
          )
          .join('; '),
      });
    }
    const status = error.statusCode ?? 500;
    // The multipart count limits are 413s too: tell them apart before the size one.
    if (error.code === 'FST_FILES_LIMIT') {
      return reply.code(413).send({
        error: 'too_many_files',
        message: `At most ${ctx.config.MAX_FILES_PER_REQUEST} files per request.`,
      });
    }
    if (error.code === 'FST_PARTS_LIMIT' || error.code === 'FST_FIELDS_LIMIT') {
      return reply
        .code(413)
        .send({ error: 'too_many_fields', message: 'The request has too many form fields.' });
    }
    if (status === 413 || error.code === 'FST_REQ_FILE_TOO_LARGE') {
      return reply.code(413).send({
        error: 'file_too_large',
        message: `A file is larger than the limit of ${ctx.config.MAX_UPLOAD_BYTES} bytes.`,
      });
    }
    if (status === 429) {
      return reply.code(429).send({ error: 'rate_limited', message: error.message });
    }
    if (status >= 400 && status < 500) {
      return reply.code(status).send({ error: 'bad_request', message: error.message });
    }
    // 5xx: logged in full, hidden from the client.
    request.log.error({ err: error }, 'request failed');
    return reply
      .code(500)
      .send({ error: 'internal_error', message: 'Something went wrong on our side; it has been logged.' });
  });

  await app.register(securityHeaders);
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Retaguarda API',
        version: '1',
        description: 'Intelligent document processing for finance back offices.',
        license: { name: 'AGPL-3.0-or-later', url: 'https://www.gnu.org/licenses/agpl-3.0.html' },
      },
      // Relative: the document is served by the API it describes, wherever that is reached.
      servers: [{ url: '/' }],
      components: {
        securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An API key' } },
      },
      security: [{ apiKey: [] }],
    },
    transform: openApiTransform,
    transformObject: openApiTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  // Cookies are parsed before auth runs, so a session cookie can authenticate (src/api/routes/session.ts).
  await app.register(cookie);
  await app.register(auth, { keys: ctx.keys, authenticators: options.authenticators ?? [] });
  await app.register(documentScope, { documents: ctx.repos.documents });
  await app.register(rateLimit, {
    global: false,
    ...(ctx.rateLimitRedis
      ? {
          redis: ctx.rateLimitRedis,
          nameSpace: `${ctx.config.QUEUE_PREFIX}:rate-limit:`,
          // Redis away: intake answers 503 by itself, and sign-in still has its per-account throttle.
          skipOnError: true,
        }
      : {}),
    errorResponseBuilder: (_req, context) => ({
      statusCode: 429,
      error: 'rate_limited',
      message: `Too many uploads: at most ${context.max} per ${context.after === '1 minute' ? 'minute' : context.after}; retry in ${Math.ceil(context.ttl / 1000)} s.`,
    }),
  });
  await app.register(multipart, {
    limits: { fileSize: ctx.config.MAX_UPLOAD_BYTES, files: ctx.config.MAX_FILES_PER_REQUEST },
    throwFileSizeLimit: true,
  });

  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    const [database, redis] = await Promise.all([
      ctx.db.ping().then(
        () => 'ok',
        (e: Error) => `unreachable: ${e.message}`,
      ),
      ctx.queueStatus.health(),
    ]);
    const ready = database === 'ok' && redis === 'ok';
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', database, redis });
  });

  await app.register(intakeRoutes(ctx));
  await app.register(documentRoutes(ctx));
  await app.register(adminRoutes(ctx));
  await app.register(vendorMemoryRoutes(ctx));
  await app.register(exportRoutes(ctx));
  await app.register(inboxRoutes(ctx));
  await app.register(watchFolderRoutes(ctx));
  await app.register(masterDataRoutes(ctx));
  for (const extend of options.extensions ?? []) await extend(app, ctx);
  return app;
}
