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

program
  .command('serve')
  .description('Run the API, the workers and the review page in one process.')
  .action(() => {
    process.stderr.write(
      'retaguarda serve: the service (intake API, queues, review page) is not built yet.\n' +
        'Read documents now with: npx retaguarda process <file|folder>…\n',
    );
    process.exitCode = 1;
  });

await program.parseAsync(process.argv);
