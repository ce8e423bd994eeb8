// The `retaguarda` command line.
import { Command } from 'commander';
import { runProcess } from './process.ts';

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
  .action(async (paths: string[], opts: { json: boolean; lang: string; progress: boolean }) => {
    process.exitCode = await runProcess(paths, opts);
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
