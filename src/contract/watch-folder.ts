// A watched folder as an admin adds it through the API: where, for which business unit, on or off.
import { z } from 'zod';

const FolderPath = z
  .string()
  .trim()
  .min(1)
  .max(1024)
  .describe('Absolute path of an existing folder the service can read and write (files are moved out of it)');
const BusinessUnit = z.string().trim().min(1).max(60);

export const WatchFolderSettings = z.object({
  path: FolderPath,
  businessUnit: BusinessUnit.optional().describe('The business unit of the documents taken from it'),
  enabled: z.boolean().default(true).describe('false: kept, but not watched'),
});
export type WatchFolderSettings = z.infer<typeof WatchFolderSettings>;

export const WatchFolderChange = z
  .object({
    path: FolderPath.optional(),
    businessUnit: BusinessUnit.nullable().optional().describe('null: no business unit'),
    enabled: z.boolean().optional(),
  })
  .refine((c) => Object.values(c).some((v) => v !== undefined), 'nothing to change');
export type WatchFolderChange = z.infer<typeof WatchFolderChange>;
