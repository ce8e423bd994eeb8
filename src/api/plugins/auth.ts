// Who is calling: an API key (`Authorization: Bearer …`) or a signed-in session; each route names the
// least role it needs in `config.role`. 401 says what is missing, 403 which role is needed.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../../services/errors.ts';
import { type KeyService, type Principal, type Role, roleAllows } from '../../services/keys.ts';
import { sendError } from '../errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyContextConfig {
    /** The least role a route needs; absent: public (health, docs). */
    role?: Role;
  }
}

/** A key that was not accepted: unknown or revoked (the sign-in with a key answers the same). */
export function refusedKey(verdict: 'unknown' | 'revoked'): AppError {
  return new AppError(
    401,
    'unauthorized',
    verdict === 'revoked' ? 'This API key has been revoked.' : 'This API key is not known.',
  );
}

/** Who is calling, in a route that declares a role (the hook below refused the request otherwise). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Error(`${request.url}: a route without a role asked who is calling`);
  return request.principal;
}

/** Extra ways to authenticate (the web pages' sessions): return a principal, or undefined to pass. */
export type Authenticator = (request: FastifyRequest) => Promise<Principal | undefined>;

export default fp(
  async (
    app: FastifyInstance,
    opts: { keys: Pick<KeyService, 'verify'>; authenticators?: Authenticator[] },
  ) => {
    app.decorateRequest('principal', undefined);
    app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      const needed = request.routeOptions.config?.role;
      const header = request.headers.authorization;
      if (header) {
        const match = /^Bearer\s+(\S+)$/i.exec(header);
        if (!match) {
          return sendError(
            reply,
            new AppError(401, 'unauthorized', 'The Authorization header must be "Bearer <API key>".'),
          );
        }
        const verdict = await opts.keys.verify(match[1] ?? '');
        if (verdict === 'unknown' || verdict === 'revoked') return sendError(reply, refusedKey(verdict));
        request.principal = verdict;
      } else {
        for (const authenticate of opts.authenticators ?? []) {
          const principal = await authenticate(request);
          if (principal) {
            request.principal = principal;
            break;
          }
        }
      }
      if (!needed) return;
      if (!request.principal) {
        return sendError(
          reply,
          new AppError(
            401,
            'unauthorized',
            'An API key is required: send "Authorization: Bearer <key>" (create one with `retaguarda keys create`).',
          ),
        );
      }
      if (!roleAllows(request.principal.role, needed)) {
        return sendError(
          reply,
          new AppError(
            403,
            'forbidden',
            `This needs the ${needed} role; ${request.principal.name} has the ${request.principal.role} role.`,
          ),
        );
      }
    });
  },
  { name: 'auth' },
);
