// `retaguarda keys create|list|revoke`: API keys in the service's database (the key is printed once).
import { messageOf } from '../services/errors.ts';
import { KeyService, Role } from '../services/keys.ts';
import { systemClock } from '../storage/clock.ts';
import { ROLES } from '../storage/roles.ts';
import { formatScope, parseScope } from '../storage/scope.ts';
import { withServiceDatabase } from './service-database.ts';

/** The role column of `keys list`, as wide as the longest role. */
const ROLE_WIDTH = Math.max(...ROLES.map((r) => r.length));

function withKeys<T>(work: (keys: KeyService) => Promise<T>): Promise<T> {
  return withServiceDatabase(
    'Create the key through the API instead (POST /v1/keys with an admin key)',
    (db) => work(new KeyService(db, systemClock)),
  );
}

export async function runKeysCreate(options: {
  role: string;
  name?: string;
  scope?: string;
}): Promise<number> {
  const role = Role.safeParse(options.role);
  if (!role.success) {
    process.stderr.write(`retaguarda keys create: --role must be one of ${Role.options.join(', ')}\n`);
    return 2;
  }
  const scope = options.scope === undefined ? undefined : parseScope(options.scope);
  if (typeof scope === 'string') {
    process.stderr.write(`retaguarda keys create: --scope "${options.scope}": ${scope}\n`);
    return 2;
  }
  try {
    const { key, info } = await withKeys((keys) => keys.create(role.data, options.name, scope));
    const limited = info.scope ? `, limited to ${formatScope(info.scope)}` : '';
    process.stderr.write(`Created ${info.id} (${info.role}${limited}). The key is shown this once:\n`);
    process.stdout.write(`${key}\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`retaguarda keys create: ${messageOf(e)}\n`);
    return 2;
  }
}

export async function runKeysList(): Promise<number> {
  try {
    for (const k of await withKeys((keys) => keys.list())) {
      process.stdout.write(
        `${k.id}  ${k.role.padEnd(ROLE_WIDTH)}  ${k.prefix}…  ${k.name}${k.scope ? `  [${formatScope(k.scope)}]` : ''}${k.revokedAt ? `  (revoked ${k.revokedAt.toISOString()})` : ''}\n`,
      );
    }
    return 0;
  } catch (e) {
    process.stderr.write(`retaguarda keys list: ${messageOf(e)}\n`);
    return 2;
  }
}

export async function runKeysRevoke(id: string): Promise<number> {
  try {
    const done = await withKeys((keys) => keys.revoke(id));
    process.stderr.write(done ? `Revoked ${id}.\n` : `No active key ${id}.\n`);
    return done ? 0 : 1;
  } catch (e) {
    process.stderr.write(`retaguarda keys revoke: ${messageOf(e)}\n`);
    return 2;
  }
}
