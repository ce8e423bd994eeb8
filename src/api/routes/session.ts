// /v1/session (sign in with a password or an API key; a cookie), /v1/users (admin), and the cookie authenticator
// with its CSRF guard: a cookie-authenticated request that changes state must carry x-requested-with.

import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../services/errors.ts';
import { type Principal, Role } from '../../services/keys.ts';
import { SESSION_COOKIE, SESSION_HOURS, type SessionService } from '../../services/sessions.ts';
import { formatScope } from '../../storage/scope.ts';
import type { App } from '../app.ts';
import type { ApiDeps } from '../deps.ts';
import { sendError } from '../errors.ts';
import { type Authenticator, principalOf, refusedKey } from '../plugins/auth.ts';
import { ErrorBody, ScopeInput, ScopeText } from '../schemas.ts';

export const CSRF_HEADER = 'x-requested-with';
export const CSRF_VALUE = 'retaguarda';

const Who = z.object({ name: z.string(), role: Role });
const LoginBody = z.union([
  z.object({
    email: z.string().min(3).max(320),
    password: z.string().min(1).max(1024),
    code: z
      .string()
      .max(40)
      .optional()
      .describe('The 6-digit code of the authenticator app (or a recovery code), for an account with one'),
  }),
  z.object({ apiKey: z.string().min(1).max(200) }),
]);
const UserInput = z.object({
  email: z.email(),
  name: z.string().trim().min(1).max(200),
  role: Role,
  password: z
    .string()
    .min(1)
    .max(1024)
    .describe('At least 12 characters and not easy to guess (400 weak_password otherwise)'),
  scope: ScopeInput.optional(),
});
const TotpStart = z.object({
  secret: z.string().describe('Base32, for apps that take it typed'),
  otpauthUri: z.string(),
  qrSvg: z.string().describe('The otpauth URI as a QR code, an SVG image'),
});
const UserBody = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: Role,
  scope: ScopeText,
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

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** True when the browser says the request comes from a page of this very host (Origin, else Referer). */
function sameOrigin(request: FastifyRequest): boolean {
  const from = request.headers.origin ?? request.headers.referer;
  if (!from || from === 'null') return false;
  try {
    return new URL(from).host === request.headers.host;
  } catch {
    return false;
  }
}

export function sessionRoutes(
  ctx: Pick<ApiDeps, 'config' | 'keys' | 'users' | 'sessions'>,
): FastifyPluginAsyncZod {
  const { users, sessions } = ctx;
  return async (app) => {
    app.post(
      '/v1/session',
      {
        // Password guessing: a few tries per minute per address is plenty for a person (the client's address
        // as TRUST_PROXY lets it be read; counted in Redis, so across API replicas). Per account: SignInThrottle.
        config: {
          rateLimit: {
            max: ctx.config.SIGN_IN_ATTEMPTS_PER_MINUTE,
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
          response: { 200: Who, 401: ErrorBody, 429: ErrorBody },
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
          principal = await users.signIn(body);
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
      '/v1/session/totp',
      {
        config: { role: 'review' },
        schema: {
          tags: ['session'],
          summary: 'Start adding a second factor (TOTP) to your account: a secret, its URI and a QR code',
          description:
            'For a person signed in with a password (review or admin). The secret takes effect once a code from ' +
            'the app is confirmed with POST /v1/session/totp/confirm; from then on sign-in asks for a code.',
          response: { 200: TotpStart, 403: ErrorBody, 409: ErrorBody },
        },
      },
      async (request) => users.startTotp(principalOf(request)),
    );

    app.post(
      '/v1/session/totp/confirm',
      {
        config: { role: 'review' },
        schema: {
          tags: ['session'],
          summary: 'Confirm the second factor with a code from the app; answers the recovery codes, once',
          body: z.object({ code: z.string().min(6).max(10) }),
          response: {
            200: z.object({ recoveryCodes: z.array(z.string()) }),
            400: ErrorBody,
            403: ErrorBody,
            409: ErrorBody,
          },
        },
      },
      async (request) => users.confirmTotp(principalOf(request), request.body.code),
    );

    app.delete(
      '/v1/users/:id/totp',
      {
        config: { role: 'admin', unscoped: true },
        schema: {
          tags: ['session'],
          summary: "Remove a user's second factor (by id or email): they sign in with the password alone",
          params: z.object({ id: z.string().min(1).max(320) }),
          response: { 204: z.null(), 404: ErrorBody },
        },
      },
      async (request, reply) => {
        if (!(await users.resetTotp(request.params.id))) {
          throw new AppError(404, 'not_found', 'No user with this id or email.');
        }
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/v1/users',
      {
        config: { role: 'admin', unscoped: true },
        schema: {
          tags: ['session'],
          summary: 'Create a user who signs in on the web pages',
          body: UserInput,
          response: { 201: UserBody, 400: ErrorBody, 409: ErrorBody },
        },
      },
      async (request, reply) => {
        const user = await users.create(request.body);
        return reply.code(201).send({
          ...user,
          scope: user.scope ? formatScope(user.scope) : null,
          createdAt: user.createdAt.toISOString(),
        });
      },
    );

    app.delete(
      '/v1/users/:id',
      {
        config: { role: 'admin', unscoped: true },
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
    // bull-board's own page cannot send the header; a browser sends Origin with every change it makes, so a
    // change to the board must come from a page of this site.
    if (request.url.startsWith('/admin/queues/') && sameOrigin(request)) return;
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
