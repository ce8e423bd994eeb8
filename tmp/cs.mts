import { PDFDocument, PDFName, PDFRawStream } from 'pdf-lib';
import { buildBatch } from '/work/main/scripts/invoices/batches.ts';
import * as pdfjs from 'pdfjs-dist/legacy/build/pdf.mjs';
const batch = await buildBatch({ seed: 5, index: 1, kind: 'digital', separators: false, documents: 3 });
const doc = await PDFDocument.load(batch.bytes);
const page = doc.getPage(1);
const contents = page.node.get(PDFName.of('Contents'));
const ref = (contents as any).asArray ? (contents as any).asArray()[0] : contents;
const stream = doc.context.lookup(ref) as PDFRawStream;
console.log(stream.constructor.name, stream.dict.get(PDFName.of('Filter'))?.toString(), stream.contents.length);
const c = stream.contents; for (let i = 20; i < c.length - 5; i++) c[i] = (c[i]! * 31 + 7) & 255;
const bytes = await doc.save({ useObjectStreams: false });
for (const strict of [false, true]) {
  const d = await pdfjs.getDocument({ data: new Uint8Array(bytes), stopAtErrors: strict, verbosity: 0 }).promise;
  for (let n = 1; n <= d.numPages; n++) {
    try { const t = await (await d.getPage(n)).getTextContent(); console.log(strict, n, t.items.length); } catch (e) { console.log(strict, n, 'THROW', (e as Error).message); }
  }
}
