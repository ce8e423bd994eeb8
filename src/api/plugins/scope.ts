// Scoped keys and users: a route whose path names a document (`:id` or `:documentId`, doc_…) answers 404
// for a document outside the caller's scope, exactly as for one that does not exist, so existence is not
// revealed. Lists and exports filter in their queries (scopeOf); routes for every document (keys, users,
// webhooks, figures) declare `config.unscoped` and refuse a scoped caller.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../../services/errors.ts';
import { scopeOf } from '../../services/keys.ts';
import type { DocumentsRepository } from '../../storage/documents.repository.ts';
import { formatScope } from '../../storage/scope.ts';
import { sendError } from '../errors.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Only for callers who see every document (no scope): keys, users, webhooks, figures. */
    unscoped?: boolean;
  }
}

const DOCUMENT_PARAMS = ['id', 'documentId'] as const;

export default fp(
  async (app: FastifyInstance, opts: { documents: Pick<DocumentsRepository, 'visible'> }) => {
    app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
      const principal = request.principal;
      const filter = principal && scopeOf(principal);
      if (!principal || !filter) return;
      if (request.routeOptions.config?.unscoped) {
        return sendError(
          reply,
          new AppError(
            403,
            'forbidden',
            `This is for keys and users that see every document; ${principal.name} is limited to ${formatScope(filter.scope)}.`,
          ),
        );
      }
      const params = (request.params ?? {}) as Record<string, unknown>;
      for (const name of DOCUMENT_PARAMS) {
        const id = params[name];
        if (typeof id !== 'string' || !id.startsWith('doc_')) continue;
        if (!(await opts.documents.visible(id, filter))) {
          return sendError(reply, new AppError(404, 'not_found', 'No document with this id.'));
        }
      }
    });
  },
  { name: 'document-scope', dependencies: ['auth'] },
);
