// A vendor's memory: what reviewers taught about its layouts, listed with the reviews each field came from, and
// forgotten a field or the whole vendor at a time. `:vendor` is the vendor key the memory and the duplicate rules
// use: `tax:<tax ID>` or `name:<folded name>` (URL-encoded).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { MemoryLayout } from '../../pipeline/extract/memory/schema.ts';
import type { ApiDeps } from '../deps.ts';
import { principalOf } from '../plugins/auth.ts';
import { ErrorBody } from '../schemas.ts';

const VendorParams = z.object({ vendor: z.string().min(1) });
const Forgotten = z.object({ vendorKey: z.string(), layouts: z.number().int(), fields: z.number().int() });

export function vendorMemoryRoutes(ctx: Pick<ApiDeps, 'memory'>): FastifyPluginAsyncZod {
  return async (app) => {
    // The memory reads every vendor's documents: a scoped admin manages none of it.
    const admin = { role: 'admin' as const, unscoped: true };

    app.get(
      '/v1/memory/vendors',
      {
        config: admin,
        schema: {
          tags: ['vendor memory'],
          summary: 'Every vendor with learned layouts, the most recently taught first',
          response: {
            200: z.object({
              vendors: z.array(
                z.object({
                  vendorKey: z.string(),
                  vendorName: z.string().nullable(),
                  layouts: z.number().int(),
                  fields: z.number().int(),
                  updatedAt: z.iso.datetime(),
                }),
              ),
            }),
          },
        },
      },
      async () => ({
        vendors: (await ctx.memory.vendors()).map((v) => ({ ...v, updatedAt: v.updatedAt.toISOString() })),
      }),
    );

    app.get(
      '/v1/vendors/:vendor/memory',
      {
        config: admin,
        schema: {
          tags: ['vendor memory'],
          summary: "A vendor's learned layouts: each field's value or place and the reviews it came from",
          params: VendorParams,
          response: { 200: z.object({ vendorKey: z.string(), layouts: z.array(MemoryLayout) }) },
        },
      },
      async (request) => ({
        vendorKey: request.params.vendor,
        layouts: await ctx.memory.ofVendor(request.params.vendor),
      }),
    );

    app.delete(
      '/v1/vendors/:vendor/memory',
      {
        config: admin,
        schema: {
          tags: ['vendor memory'],
          summary: "Forget everything learned about a vendor's layouts",
          params: VendorParams,
          response: { 200: Forgotten, 404: ErrorBody },
        },
      },
      async (request) => {
        const forgotten = await ctx.memory.forget(request.params.vendor, principalOf(request));
        return { vendorKey: request.params.vendor, ...forgotten };
      },
    );

    app.delete(
      '/v1/vendors/:vendor/memory/:field',
      {
        config: admin,
        schema: {
          tags: ['vendor memory'],
          summary: 'Forget one learned field of a vendor',
          params: VendorParams.extend({ field: z.string().min(1) }),
          response: { 200: Forgotten, 404: ErrorBody },
        },
      },
      async (request) => {
        const { vendor, field } = request.params;
        const forgotten = await ctx.memory.forget(vendor, principalOf(request), field);
        return { vendorKey: vendor, ...forgotten };
      },
    );
  };
}
