// The service's database for CLI commands (keys, users): PostgreSQL from DATABASE_URL, or the embedded
// PGlite, which admits one process: refused with a hint while the service holds it.
import { ConfigError, loadEnv } from '../config/env.ts';
import { type Database, migrate, openDatabase } from '../storage/database.ts';
import { pgliteHolder } from '../storage/pglite-lock.ts';

/** Runs `work` on the migrated database and closes it. `instead` says what to do while the service runs. */
export async function withServiceDatabase<T>(
  instead: string,
  work: (db: Database) => Promise<T>,
): Promise<T> {
  const config = loadEnv();
  if (!config.DATABASE_URL) {
    const holder = pgliteHolder(config.pgliteDir);
    if (holder) {
      throw new ConfigError(
        `the service (pid ${holder}) holds the embedded database in ${config.pgliteDir}. ` +
          `${instead}, or stop the service first.`,
      );
    }
  }
  const db = await openDatabase({ url: config.DATABASE_URL, pgliteDir: config.pgliteDir });
  try {
    await migrate(db);
    return await work(db);
  } finally {
    await db.close();
  }
}
