// The format registry: each input format is recognised from its bytes alone, and what is refused names the
// formats that are read.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  DOCUMENT_EXTENSIONS,
  detectFormat,
  FORMATS,
  supportedFormatsText,
} from '../../src/formats/registry.ts';

const SAMPLES = join(import.meta.dirname, '../../samples');
const NFE = readFileSync(join(import.meta.dirname, '../fixtures/nfe/nfe-small.xml'));
const EINVOICE = (name: string) => readFileSync(join(import.meta.dirname, '../fixtures/einvoice', name));

describe('format registry', () => {
  it('recognises each format from its bytes, whatever the file is called', async () => {
    const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#fff' } })
      .png()
      .toBuffer();
    const cases: [Uint8Array, string, string][] = [
      [readFileSync(join(SAMPLES, 'invoice-en-digital.pdf')), 'pdf', 'application/pdf'],
      [png, 'image', 'image/png'],
      [readFileSync(join(SAMPLES, 'invoice-es-photo.webp')), 'image', 'image/webp'],
      [readFileSync(join(SAMPLES, 'invoice-pt-scan-2p.tiff')), 'image', 'image/tiff'],
      [NFE, 'nfe-xml', 'application/xml'],
      [EINVOICE('ubl-invoice.xml'), 'ubl-xml', 'application/xml'],
      [EINVOICE('ubl-credit-note.xml'), 'ubl-xml', 'application/xml'],
      [EINVOICE('cii-xrechnung.xml'), 'cii-xml', 'application/xml'],
      [EINVOICE('zugferd1-comfort.xml'), 'cii-xml', 'application/xml'],
      [EINVOICE('facturae-3.2.2.xml'), 'facturae-xml', 'application/xml'],
    ];
    for (const [bytes, id, mediaType] of cases) {
      const detected = await detectFormat(bytes);
      expect({ id: detected.format.id, mediaType: detected.mediaType }).toEqual({ id, mediaType });
    }
  });

  it('refuses what no format reads, saying what it is and what is read', async () => {
    const refusal = detectFormat(Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1'));
    await expect(refusal).rejects.toMatchObject({
      code: 'unsupported_type',
      message:
        'This looks like a GIF image. Supported documents are PDF, JPEG, PNG, TIFF, WebP, NF-e XML, UBL XML (Peppol), CII XML (XRechnung, ZUGFeRD), Facturae XML and Factur-X/ZUGFeRD/XRechnung PDF.',
    });
    await expect(detectFormat(Buffer.from('<?xml version="1.0"?><Order/>'))).rejects.toMatchObject({
      message: expect.stringContaining('an XML or HTML file that is not an NF-e XML'),
    });
    await expect(detectFormat(new Uint8Array())).rejects.toMatchObject({ code: 'empty_file' });
  });

  it('names every format once in the list of what is supported, and picks their files out of folders', () => {
    const text = supportedFormatsText();
    for (const format of FORMATS) expect(text).toContain(format.label);
    for (const ending of ['.pdf', '.jpg', '.jpeg', '.png', '.tif', '.tiff', '.webp', '.xml']) {
      expect(DOCUMENT_EXTENSIONS.has(ending), ending).toBe(true);
    }
    expect(new Set(FORMATS.map((f) => f.id)).size).toBe(FORMATS.length);
  });
});
