// A real IMAP server for the tests: Debian's dovecot (dovecot-imapd), started in the foreground with a
// configuration of its own in a temporary folder, one passwd-file user, plain IMAP on a free local port.
// The mail processes run unprivileged (nobody when the tests run as root, else the tests' own user).
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';

export interface TestImapServer {
  host: string;
  port: number;
  user: string;
  password: string;
  /** Delivers a message (RFC 822) into a folder, as a mail server would. */
  append(raw: Buffer | string, folder?: string): Promise<void>;
  /** How many messages a folder holds (0 when it does not exist). */
  count(folder: string): Promise<number>;
  stop(): Promise<void>;
}

const DOVECOT = ['/usr/sbin/dovecot', '/usr/local/sbin/dovecot'].find((p) => existsSync(p)) ?? 'dovecot';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('data', (d) => {
      socket.destroy();
      resolve(d.toString().includes('OK'));
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startDovecot(): Promise<TestImapServer> {
  const dir = mkdtempSync(join(tmpdir(), 'rtg-dovecot-'));
  // dovecot's auth and mail processes run as other users: they must reach the passwd file and the mail.
  chmodSync(dir, 0o755);
  const port = await freePort();
  const user = 'clerk';
  const password = 'a-test-password-for-imap';
  const me = userInfo();
  const asRoot = me.uid === 0;
  const uid = asRoot ? 65534 : me.uid;
  const gid = asRoot ? 65534 : me.gid;
  const mail = join(dir, 'mail');
  mkdirSync(join(mail, user), { recursive: true });
  if (asRoot) {
    chownSync(mail, uid, gid);
    chownSync(join(mail, user), uid, gid);
  }
  writeFileSync(join(dir, 'passwd'), `${user}:{PLAIN}${password}:${uid}:${gid}::${join(mail, user)}\n`);
  writeFileSync(
    join(dir, 'dovecot.conf'),
    `base_dir = ${join(dir, 'run')}
state_dir = ${join(dir, 'state')}
log_path = ${join(dir, 'dovecot.log')}
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:~/Maildir
first_valid_uid = 1
${asRoot ? '' : `default_internal_user = ${me.username}\ndefault_login_user = ${me.username}\ndefault_internal_group = ${me.username}\n`}
passdb {
  driver = passwd-file
  args = scheme=PLAIN ${join(dir, 'passwd')}
}
userdb {
  driver = passwd-file
  args = ${join(dir, 'passwd')}
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
`,
  );
  const child: ChildProcess = spawn(DOVECOT, ['-F', '-c', join(dir, 'dovecot.conf')], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (let i = 0; !(await answers(port)); i++) {
    if (i > 100 || child.exitCode !== null) throw new Error(`dovecot did not start (see ${dir}/dovecot.log)`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const client = async <T>(work: (c: ImapFlow) => Promise<T>): Promise<T> => {
    const c = new ImapFlow({
      host: '127.0.0.1',
      port,
      secure: false,
      doSTARTTLS: false,
      auth: { user, pass: password },
      logger: false,
    });
    await c.connect();
    try {
      return await work(c);
    } finally {
      await c.logout().catch(() => c.close());
    }
  };
  return {
    host: '127.0.0.1',
    port,
    user,
    password,
    append: (raw, folder = 'INBOX') =>
      client(async (c) => {
        await c.append(folder, raw);
      }),
    count: (folder) =>
      client(async (c) => {
        const status = await c.status(folder, { messages: true }).catch(() => false as const);
        return status ? (status.messages ?? 0) : 0;
      }),
    async stop() {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
