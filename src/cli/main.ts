// The `retaguarda` command line.
import { Command } from 'commander';
import { type ProcessOptions, runProcess } from './process.ts';
import { runRulesCheck } from './rules.ts';

const program = new Command()
  .name('retaguarda')
  .description('Self-hosted intelligent document processing for finance back offices.');

program
  .command('process')
  .description('Read documents in-process (no Redis, no database) and print one result per document.')
  .argument('<paths...>', 'files or folders (folders: their PDF, JPEG, PNG, TIFF and WebP files)')
  .option('--json', 'print one result object per line (NDJSON, the result contract)', false)
  .option('--lang <languages>', 'OCR languages, joined with +', 'eng+por+spa')
  .option('--no-progress', 'no progress bar on stderr')
  .option('--rules <file>', 'rules file (YAML or JSON); the shipped default rule set when absent')
  .option(
    '--vendors <file>',
    'vendor master data (YAML or JSON): unknown vendors, currencies, bank accounts, limits',
  )
  .option('--pos <file>', 'purchase orders (YAML or JSON), for po_mismatch')
  .option('--memory <file>', 'vendor memory (JSON, from `retaguarda memory export`): learned fields win')
  .action(async (paths: string[], opts: ProcessOptions) => {
    process.exitCode = await runProcess(paths, opts);
  });

program
  .command('rules')
  .description('Work with rules files.')
  .command('check')
  .description('Validate a rules file; each mistake is printed with its line and key (exit 1 when any).')
  .argument('<file>', 'rules file, YAML or JSON')
  .action(async (file: string) => {
    process.exitCode = await runRulesCheck(file);
  });

for (const [role, description] of [
  [
    'serve',
    'Run the API, the workers and the web pages in one process (embedded PGlite unless DATABASE_URL is set).',
  ],
  ['api', 'Run the intake API and web pages only, against PostgreSQL (DATABASE_URL) and a shared Redis.'],
  [
    'worker',
    'Run the workers only (reading, rules, webhooks), against PostgreSQL (DATABASE_URL) and a shared Redis.',
  ],
  [
    'watch',
    'Take the files dropped in WATCH_DIR and the folders of /v1/watch-folders as documents, against PostgreSQL (DATABASE_URL) and a shared Redis.',
  ],
  [
    'mail',
    'Take the attachments of the configured inboxes as documents, against PostgreSQL and a shared Redis.',
  ],
] as const) {
  program
    .command(role)
    .description(`${description} Configured by the environment: see docs/operations.md.`)
    .action(async () => {
      const { runService } = await import('../server/run.ts');
      await runService(role);
    });
}

const memory = program
  .command('memory')
  .description("Vendor memory: what reviewers taught about vendors' layouts (JSON).");
memory
  .command('export')
  .description("Print the service's vendor memory as JSON")
  .option('--out <file>', 'write to a file instead of stdout')
  .action(async (opts: { out?: string }) => {
    const { runMemoryExport } = await import('./memory.ts');
    process.exitCode = await runMemoryExport(opts);
  });
memory
  .command('import')
  .description('Add the layouts of a memory file to the service (a layout with the same id is replaced)')
  .argument('<file>', 'a file written by `retaguarda memory export`')
  .action(async (file: string) => {
    const { runMemoryImport } = await import('./memory.ts');
    process.exitCode = await runMemoryImport(file);
  });

const inbox = program.command('inbox').description('Mailboxes whose attachments become documents.');
inbox
  .command('add')
  .description(
    'Add an IMAP inbox; its password is read from standard input and stored encrypted (SECRETS_KEY).',
  )
  .requiredOption('--name <name>', 'a name people know it by')
  .requiredOption('--host <host>', 'the IMAP server')
  .option('--port <port>', 'default 993 (143 with --no-tls)')
  .option('--no-tls', 'plain IMAP (a server on this machine only)')
  .requiredOption('--user <user>', 'the sign-in name')
  .option('--folder <folder>', 'the folder read (default INBOX)')
  .option('--processed-folder <folder>', 'where taken e-mails go (default Processed)')
  .option('--refused-folder <folder>', 'where refused e-mails go (default Refused)')
  .option('--senders <list>', 'addresses or @domains taken, joined with commas (default: every sender)')
  .option('--types <list>', 'pdf, image, xml joined with commas (default: all)')
  .option('--ref-pattern <regex>', "the externalRef from the subject: the pattern's first group")
  .option('--business-unit <unit>', 'the business unit of the documents taken')
  .option('--reply-to-refused', 'reply to the sender of refused attachments, once per e-mail (SMTP_URL)')
  .action(async (opts) => {
    const { runInboxAdd } = await import('./inboxes.ts');
    process.exitCode = await runInboxAdd(opts);
  });
inbox
  .command('list')
  .description('List the inboxes, when each was last read and its last error (never the password).')
  .action(async () => {
    const { runInboxList } = await import('./inboxes.ts');
    process.exitCode = await runInboxList();
  });
inbox
  .command('remove')
  .argument('<inbox>', 'its id or name')
  .description('Stop taking documents from an inbox (its documents stay).')
  .action(async (idOrName: string) => {
    const { runInboxRemove } = await import('./inboxes.ts');
    process.exitCode = await runInboxRemove(idOrName);
  });

program
  .command('blobs')
  .description('The store of the originals (BLOB_STORE).')
  .command('migrate')
  .description('Copy every original from one store to another, checking each (present ones are skipped).')
  .requiredOption('--from <store>', 'local ($DATA_DIR/blobs) or s3://bucket/prefix')
  .requiredOption(
    '--to <store>',
    'local or s3://bucket/prefix (S3_ENDPOINT, S3_REGION and the keys from the environment)',
  )
  .action(async (opts: { from: string; to: string }) => {
    const { runBlobsMigrate } = await import('./blobs.ts');
    process.exitCode = await runBlobsMigrate(opts);
  });

const keys = program
  .command('keys')
  .description('API keys of the service (roles: ingest, review, approver, admin).');
keys
  .command('create')
  .description('Create an API key; it is printed once, on stdout.')
  .requiredOption('--role <role>', 'ingest, review, approver or admin')
  .option('--name <name>', 'a name to tell the key apart')
  .option(
    '--scope <scope>',
    'only some documents: own (what it sent), unit:<name>, or vendors:<tax id>,<tax id>… (default: all)',
  )
  .action(async (opts: { role: string; name?: string; scope?: string }) => {
    const { runKeysCreate } = await import('./keys.ts');
    process.exitCode = await runKeysCreate(opts);
  });
keys
  .command('list')
  .description('List the API keys (never the keys themselves).')
  .action(async () => {
    const { runKeysList } = await import('./keys.ts');
    process.exitCode = await runKeysList();
  });
keys
  .command('revoke')
  .argument('<id>', 'the key id (key_…)')
  .description('Revoke an API key.')
  .action(async (id: string) => {
    const { runKeysRevoke } = await import('./keys.ts');
    process.exitCode = await runKeysRevoke(id);
  });

const users = program.command('users').description('People who sign in on the review pages.');
users
  .command('disable')
  .argument('<user>', 'the user id (usr_…) or email')
  .description('Disable a user: their sign-in and sessions stop; their name stays on the audit trail.')
  .action(async (user: string) => {
    const { runUsersDisable } = await import('./users.ts');
    process.exitCode = await runUsersDisable(user);
  });
users
  .command('create')
  .description('Create a user; the password comes from --password or, when absent, from stdin.')
  .requiredOption('--email <email>', 'the email they sign in with')
  .requiredOption('--name <name>', 'their name, as the audit trail shows it')
  .requiredOption(
    '--role <role>',
    'ingest (the upload page), review (also the review queue), approver (also approval stages) or admin',
  )
  .option(
    '--password <password>',
    'at least 12 characters, not easy to guess (prefer stdin: a flag stays in the shell history)',
  )
  .option('--scope <scope>', 'only some documents: own, unit:<name>, or vendors:<tax id>,… (default: all)')
  .action(async (opts: { email: string; name: string; role: string; password?: string; scope?: string }) => {
    const { runUsersCreate } = await import('./users.ts');
    process.exitCode = await runUsersCreate(opts);
  });

users
  .command('totp-reset')
  .argument('<user>', 'the user id (usr_…) or email')
  .description(
    'Remove a user’s second factor (a lost phone): they sign in with the password and can enrol again.',
  )
  .action(async (user: string) => {
    const { runUsersTotpReset } = await import('./users.ts');
    process.exitCode = await runUsersTotpReset(user);
  });

await program.parseAsync(process.argv);
