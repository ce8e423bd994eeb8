// `retaguarda users create`: people who sign in on the review pages (password hashed with scrypt).

import { messageOf } from '../services/errors.ts';
import { Role } from '../services/keys.ts';
import { UserService } from '../services/sessions.ts';
import { systemClock } from '../storage/clock.ts';
import type { Queryable } from '../storage/database.ts';
import { repositoriesOn } from '../storage/repositories.ts';
import { parseScope } from '../storage/scope.ts';
import { withServiceDatabase } from './service-database.ts';

function usersOn(db: Queryable): UserService {
  const repos = repositoriesOn(db, systemClock);
  return new UserService(repos.users, repos.sessions, systemClock);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  // One line: the password, without its line end.
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

export async function runUsersCreate(options: {
  email: string;
  name: string;
  role: string;
  password?: string;
  scope?: string;
}): Promise<number> {
  const role = Role.safeParse(options.role);
  if (!role.success) {
    process.stderr.write(`retaguarda users create: --role must be one of ${Role.options.join(', ')}\n`);
    return 2;
  }
  if (!/^[^@\s]+@[^@\s]+$/.test(options.email)) {
    process.stderr.write(`retaguarda users create: --email "${options.email}" is not an email address\n`);
    return 2;
  }
  const scope = options.scope === undefined ? undefined : parseScope(options.scope);
  if (typeof scope === 'string') {
    process.stderr.write(`retaguarda users create: --scope "${options.scope}": ${scope}\n`);
    return 2;
  }
  // Checked by the service, like a password set through the API: 12 characters or more, not easy to guess.
  const password = options.password ?? (await readStdin());
  try {
    const user = await withServiceDatabase(
      'Create the user through the API instead (POST /v1/users with an admin key)',
      (db) =>
        usersOn(db).create({
          email: options.email,
          name: options.name,
          role: role.data,
          password,
          scope,
        }),
    );
    process.stderr.write(`Created ${user.id} (${user.role}): ${user.name} <${user.email}>.\n`);
    process.stdout.write(`${user.id}\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`retaguarda users create: ${messageOf(e)}\n`);
    return 2;
  }
}

export async function runUsersDisable(idOrEmail: string): Promise<number> {
  try {
    const done = await withServiceDatabase(
      'Disable the user through the API instead (DELETE /v1/users/<id or email> with an admin key)',
      (db) => usersOn(db).disable(idOrEmail),
    );
    process.stderr.write(
      done ? `Disabled ${idOrEmail}; their sessions are ended.\n` : `No active user ${idOrEmail}.\n`,
    );
    return done ? 0 : 1;
  } catch (e) {
    process.stderr.write(`retaguarda users disable: ${messageOf(e)}\n`);
    return 2;
  }
}

export async function runUsersTotpReset(idOrEmail: string): Promise<number> {
  try {
    const done = await withServiceDatabase(
      'Reset it through the API instead (DELETE /v1/users/<id or email>/totp with an admin key)',
      (db) => usersOn(db).resetTotp(idOrEmail),
    );
    process.stderr.write(
      done
        ? `Removed the second factor of ${idOrEmail}: they sign in with the password and can enrol again.\n`
        : `No user ${idOrEmail}.\n`,
    );
    return done ? 0 : 1;
  } catch (e) {
    process.stderr.write(`retaguarda users totp-reset: ${messageOf(e)}\n`);
    return 2;
  }
}
