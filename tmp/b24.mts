import { buildBatch } from '/work/main/scripts/invoices/batches.ts';
import { createReader, isFailure } from '/work/main/src/reading/read-document.ts';
const reader = createReader({ secondLook: false });
const batch = await buildBatch({ seed: 977, index: 24 });
const { result, layout } = await reader.readWithLayout({ bytes: batch.bytes, file: 'b.pdf' });
for (const p of layout!.pages) console.log(p.number, p.source, p.unreadable, p.lines.reduce((n, l) => n + l.words.length, 0), p.lines.slice(0, 3).map((l) => l.text));
console.log(!isFailure(result) && result.codes);
await reader.close();
