// /v1/session (sign in with a password or an API key; a cookie), /v1/users (admin), and the cookie authenticator
// with its CSRF guard: a cookie-authenticated request that changes state must carry x-requested-with.

import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../services/errors.ts';
import { type Principal, Role } from '../../services/keys.ts';
import { SESSION_COOKIE, SESSION_HOURS, type SessionService } from '../../services/sessions.ts';
import type { App } from '../app.ts';
import type { ApiDeps } from '../deps.ts';
import { sendError } from '../errors.ts';
import { type Authenticator, refusedKey } from '../plugins/auth.ts';
import { ErrorBody } from '../schemas.ts';

export const CSRF_HEADER = 'x-requested-with';
export const CSRF_VALUE = 'retaguarda';

const Who = z.object({ name: z.string(), role: Role });
const LoginBody = z.union([
  z.object({ email: z.string().min(3).max(320), password: z.string().min(1).max(1024) }),
  z.object({ apiKey: z.string().min(1).max(200) }),
]);
const UserInput = z.object({
  email: z.email(),
  name: z.string().trim().min(1).max(200),
  role: Role,
  password: z.string().min(8).max(1024),
});
const UserBody = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: Role,
  createdAt: z.string(),
});

/** Secure unless SECURE_COOKIES=false, or auto and the request came over plain http to this machine. */
function secureCookie(ctx: Pick<ApiDeps, 'config'>, request: FastifyRequest): boolean {
  const setting = ctx.config.SECURE_COOKIES;
  if (setting === 'true') return true;
  if (setting === 'false') return false;
  const host = (request.hostname ?? '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  const local = host === '127.0.0.1' || host === 'localhost' || host === '::1';
  return !(request.protocol === 'http' && local);
}

function setSessionCookie(reply: FastifyReply, value: string, maxAgeSeconds: number, secure: boolean): void {
  reply.setCookie(SESSION_COOKIE, value, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure,
    maxAge: maxAgeSeconds,
    expires: maxAgeSeconds > 0 ? new Date(Date.now() + maxAgeSeconds * 1000) : new Date(0),
  });
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Set by registerSessions; read by the cookie authenticator (which is given no context of its own). */
    reviewSessions?: SessionService;
  }
}

/** The session cookie as a way in, for auth.ts; pushed onto `authenticators` in extensions.ts. */
export const sessionAuthenticator: Authenticator = async (request) => {
  const sessions = request.server.reviewSessions;
  const id = request.cookies[SESSION_COOKIE];
  return sessions && id ? sessions.principalOf(id) : undefined;
};

/** Sign-in attempts per address per minute. */
export const LOGIN_ATTEMPTS_PER_MINUTE = 20;

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function sessionRoutes(
  ctx: Pick<ApiDeps, 'config' | 'keys' | 'users' | 'sessions'>,
): FastifyPluginAsyncZod {
  const { users, sessions } = ctx;
  return async (app) => {
    app.post(
      '/v1/session',
      {
        // Password guessing: a few tries per minute per address is plenty for a person.
        config: {
          rateLimit: {
            max: LOGIN_ATTEMPTS_PER_MINUTE,
            timeWindow: '1 minute',
            errorResponseBuilder: (_req: unknown, context: { ttl: number }) => ({
              statusCode: 429,
              error: 'rate_limited',
              message: `Too many sign-in attempts from this address; retry in ${Math.ceil(context.ttl / 1000)} s.`,
            }),
          },
        },
        schema: {
          tags: ['session'],
          summary: 'Sign in with an email and password, or with an API key; sets the rtg_session cookie',
          body: LoginBody,
          response: { 200: Who, 401: ErrorBody },
          security: [],
        },
      },
      async (request, reply) => {
        const body = request.body;
        let principal: Principal | undefined;
        if ('apiKey' in body) {
          const verdict = await ctx.keys.verify(body.apiKey);
          if (typeof verdict === 'string') throw refusedKey(verdict);
          principal = verdict;
        } else {
          principal = await users.authenticate(body.email, body.password);
          if (!principal) throw new AppError(401, 'unauthorized', 'The email or the password is wrong.');
        }
        const session = await sessions.start(principal);
        setSessionCookie(reply, session.id, SESSION_HOURS * 3600, secureCookie(ctx, request));
        return { name: principal.name, role: principal.role };
      },
    );

    app.get(
      '/v1/session',
      {
        schema: { tags: ['session'], summary: 'Who is signed in', response: { 200: Who, 401: ErrorBody } },
      },
      async (request) => {
        if (!request.principal) throw new AppError(401, 'unauthorized', 'Not signed in.');
        return { name: request.principal.name, role: request.principal.role };
      },
    );

    app.delete(
      '/v1/session',
      { schema: { tags: ['session'], summary: 'Sign out: ends the session and clears the cookie' } },
      async (request, reply) => {
        const id = request.cookies[SESSION_COOKIE];
        if (id) await sessions.end(id);
        setSessionCookie(reply, '', 0, secureCookie(ctx, request));
        return reply.code(204).send();
      },
    );

    app.post(
      '/v1/users',
      {
        config: { role: 'admin' },
        schema: {
          tags: ['session'],
          summary: 'Create a user who signs in on the web pages',
          body: UserInput,
          response: { 201: UserBody, 409: ErrorBody },
        },
      },
      async (request, reply) => {
        const user = await users.create(request.body);
        return reply.code(201).send({ ...user, createdAt: user.createdAt.toISOString() });
      },
    );

    app.delete(
      '/v1/users/:id',
      {
        config: { role: 'admin' },
        schema: {
          tags: ['session'],
          summary:
            'Disable a user (by id or email): their sign-in and sessions stop; their audit trail stays',
          params: z.object({ id: z.string().min(1).max(320) }),
          response: { 204: z.null(), 404: ErrorBody },
        },
      },
      async (request, reply) => {
        if (!(await users.disable(request.params.id))) {
          throw new AppError(404, 'not_found', 'No active user with this id or email.');
        }
        return reply.code(204).send(null);
      },
    );
  };
}

/** Registers the session routes and, on the whole app, the CSRF guard for cookie-authenticated changes. */
export async function registerSessions(app: App, ctx: ApiDeps): Promise<void> {
  app.decorate('reviewSessions', ctx.sessions);
  app.addHook('onRequest', async (request, reply) => {
    if (request.principal?.kind !== 'session' || !STATE_CHANGING.has(request.method)) return;
    if (request.url.split('?')[0] === '/v1/session' && request.method !== 'DELETE') return;
    // bull-board's own page cannot send the header; its actions need an admin, and SameSite=Lax already keeps
    // the cookie off cross-site POSTs.
    if (request.url.startsWith('/admin/queues/')) return;
    if (request.headers[CSRF_HEADER] !== CSRF_VALUE) {
      return sendError(
        reply,
        new AppError(
          403,
          'csrf',
          `A signed-in browser request that changes something must send the header "${CSRF_HEADER}: ${CSRF_VALUE}".`,
        ),
      );
    }
  });
  await app.register(sessionRoutes(ctx));
}
