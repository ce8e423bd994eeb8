#!/usr/bin/env node
// Entry point: runs the compiled build in dist/, which `npm install` (prepare), `npm start` (prestart) and
// `npm run build` make.
import { pathToFileURL } from 'node:url';
import { COMPILED_CLI, distState } from './dist-state.js';

if (distState() === 'fresh') {
  await import(pathToFileURL(COMPILED_CLI).href);
} else {
  // No build yet, or one older than the sources beside it: a checkout someone is working on (the tests run the
  // command this way too). Whoever just changed a file expects the command to run that change, not the old
  // build, so the sources run through tsx, which a checkout has among its dev dependencies. Only without tsx
  // is there nothing to do but build.
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    process.stderr.write(
      'retaguarda: dist/ is missing or older than the sources, and tsx is not installed to run them: ' +
        'run `npm run build` (it needs the dev dependencies: `npm install`).\n',
    );
    process.exit(1);
  }
  register();
  await import('../src/cli/main.ts');
}
