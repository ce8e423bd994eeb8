// /v1/watch-folders: the folders whose dropped files become documents, beside WATCH_DIR (admin only).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { WatchFolderChange, WatchFolderSettings } from '../../contract/watch-folder.ts';
import type { WatchFolderService } from '../../services/watch-folders.ts';
import type { WatchFolderRecord } from '../../storage/watch-folders.repository.ts';
import { ErrorBody } from '../schemas.ts';

const WatchFolderBody = z.object({
  id: z.string(),
  path: z.string(),
  businessUnit: z.string().nullable(),
  enabled: z.boolean(),
  createdAt: z.string(),
});

const bodyOf = (f: WatchFolderRecord): z.infer<typeof WatchFolderBody> => ({
  ...f,
  createdAt: f.createdAt.toISOString(),
});

const Params = z.object({ id: z.string() });

export function watchFolderRoutes(ctx: { watchFolders: WatchFolderService }): FastifyPluginAsyncZod {
  return async (app) => {
    const admin = { role: 'admin' as const, unscoped: true };
    const tags = ['channels'];
    app.get(
      '/v1/watch-folders',
      {
        config: admin,
        schema: {
          tags,
          summary: 'The watched folders added through the API (WATCH_DIR is not among them)',
          response: { 200: z.object({ folders: z.array(WatchFolderBody) }) },
        },
      },
      async () => ({ folders: (await ctx.watchFolders.list()).map(bodyOf) }),
    );
    app.post(
      '/v1/watch-folders',
      {
        config: admin,
        schema: {
          tags,
          summary: 'Watch a folder: its dropped files become documents, moved to done/ or failed/ after',
          body: WatchFolderSettings,
          response: { 201: WatchFolderBody, 400: ErrorBody, 409: ErrorBody },
        },
      },
      async (request, reply) => reply.code(201).send(bodyOf(await ctx.watchFolders.add(request.body))),
    );
    app.patch(
      '/v1/watch-folders/:id',
      {
        config: admin,
        schema: {
          tags,
          summary: 'Change a watched folder: its path, its business unit, or switch it off and on',
          params: Params,
          body: WatchFolderChange,
          response: { 200: WatchFolderBody, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody },
        },
      },
      async (request) => bodyOf(await ctx.watchFolders.update(request.params.id, request.body)),
    );
    app.delete(
      '/v1/watch-folders/:id',
      {
        config: admin,
        schema: {
          tags,
          summary: 'Stop watching a folder (its files and done/ and failed/ stay where they are)',
          params: Params,
          response: { 204: z.null(), 404: ErrorBody },
        },
      },
      async (request, reply) => {
        await ctx.watchFolders.remove(request.params.id);
        return reply.code(204).send(null);
      },
    );
  };
}
