// `retaguarda memory export|import`: vendor memory moved between instances as JSON, and read by `process --memory`.
import { readFile, writeFile } from 'node:fs/promises';
import { VendorMemory } from '../pipeline/extract/memory/memory.ts';
import { MemoryFile } from '../pipeline/extract/memory/schema.ts';
import { messageOf } from '../services/errors.ts';
import { VendorMemoryRepository } from '../storage/vendor-memory.repository.ts';
import { withServiceDatabase } from './service-database.ts';

const INSTEAD =
  'Export or forget through the API instead (GET /v1/vendors/{vendor}/memory with an admin key)';

export async function readMemoryFile(path: string): Promise<VendorMemory> {
  const parsed = MemoryFile.safeParse(JSON.parse(await readFile(path, 'utf8')));
  if (!parsed.success)
    throw new Error(`not a vendor memory file (${parsed.error.issues[0]?.message ?? 'invalid'})`);
  return VendorMemory.fromFile(parsed.data);
}

export async function runMemoryExport(options: { out?: string }): Promise<number> {
  try {
    const layouts = await withServiceDatabase(INSTEAD, (db) => new VendorMemoryRepository(db).all());
    const json = `${JSON.stringify(new VendorMemory(layouts).toFile(), null, 2)}\n`;
    if (options.out) await writeFile(options.out, json);
    else process.stdout.write(json);
    process.stderr.write(`Exported ${layouts.length} layout${layouts.length === 1 ? '' : 's'}.\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`retaguarda memory export: ${messageOf(e)}\n`);
    return 2;
  }
}

export async function runMemoryImport(path: string): Promise<number> {
  try {
    const memory = await readMemoryFile(path);
    const layouts = memory.layouts();
    await withServiceDatabase(INSTEAD, async (db) => {
      const repo = new VendorMemoryRepository(db);
      for (const layout of layouts) await repo.put(layout);
    });
    process.stderr.write(`Imported ${layouts.length} layout${layouts.length === 1 ? '' : 's'}.\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`retaguarda memory import: ${messageOf(e)}\n`);
    return 2;
  }
}
