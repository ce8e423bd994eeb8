// The US sample invoice (scripts/samples, 1,144.29 USD) made a file of its own for a service test: its own name and
// invoice number, so that it is neither the same bytes nor the same invoice as another test's.
import type { InvoiceSpec } from '../../scripts/samples/model.ts';
import { totalsOf } from '../../scripts/samples/model.ts';
import { renderPdf } from '../../scripts/samples/render-pdf.ts';
import { SAMPLES } from '../../scripts/samples/specs.ts';

const base = SAMPLES.find((s) => s.name === 'invoice-en-digital') as InvoiceSpec;

/** `<name>.pdf` with `invoiceNumber`; `wrongTotal` prints a total 100.00 above subtotal + tax. */
export async function sampleInvoice(
  name: string,
  invoiceNumber: string,
  wrongTotal = false,
): Promise<{ name: string; bytes: Uint8Array }> {
  const spec: InvoiceSpec = { ...base, name, invoiceNumber };
  if (wrongTotal) spec.printedTotal = totalsOf(spec).total.plus('100.00').toFixed(2);
  return { name: `${name}.pdf`, bytes: await renderPdf(spec) };
}
