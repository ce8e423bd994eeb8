// People who sign in on the web pages (the password as an scrypt hash), and who a principal id names.
import type { Queryable } from './database.ts';
import { ROLES, type Role } from './roles.ts';
import { dateOrNull, oneOf, str } from './rows.ts';

export interface UserRecord {
  id: string;
  email: string;
  name: string;
  role: Role;
  passwordHash: string;
  disabledAt: Date | null;
}

export class UsersRepository {
  constructor(private readonly db: Queryable) {}

  async exists(email: string): Promise<boolean> {
    return (await this.db.query('select id from users where email = $1', [email])).length > 0;
  }

  async insert(u: {
    id: string;
    email: string;
    name: string;
    role: Role;
    passwordHash: string;
    createdAt: Date;
  }): Promise<void> {
    await this.db.query(
      'insert into users (id, email, name, role, password_hash, created_at) values ($1, $2, $3, $4, $5, $6)',
      [u.id, u.email, u.name, u.role, u.passwordHash, u.createdAt],
    );
  }

  async findByEmail(email: string): Promise<UserRecord | undefined> {
    const [row] = await this.db.query('select * from users where email = $1', [email]);
    return (
      row && {
        id: str(row, 'id'),
        email: str(row, 'email'),
        name: str(row, 'name'),
        role: oneOf(row, 'role', ROLES),
        passwordHash: str(row, 'password_hash'),
        disabledAt: dateOrNull(row, 'disabled_at'),
      }
    );
  }

  /** Disables an active user found by id or email; returns its id, or undefined when there was none. */
  async disable(idOrEmail: string, at: Date): Promise<string | undefined> {
    const [row] = await this.db.query(
      `update users set disabled_at = $2 where (id = $1 or email = $1) and disabled_at is null returning id`,
      [idOrEmail, at],
    );
    return row && str(row, 'id');
  }

  /** A user, or an API key not revoked, by id: who a principal id names. */
  async person(id: string): Promise<{ id: string; name: string } | undefined> {
    const [row] = await this.db.query(
      `select id, name from users where id = $1
       union all select id, name from api_keys where id = $1 and revoked_at is null`,
      [id],
    );
    return row && { id: str(row, 'id'), name: str(row, 'name') };
  }
}
