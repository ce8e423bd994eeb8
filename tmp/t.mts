import sharp from 'sharp';
import { createImageDecoder } from '/work/main/src/adapters/image.ts';
import { DEFAULT_LIMITS } from '/work/main/src/pipeline/ports.ts';
const svg = (t: string) => Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="500" height="300"><rect width="100%" height="100%" fill="white"/><text x="20" y="150" font-size="40">${t}</text></svg>`);
const frames = await Promise.all(['page one','page two','page three'].map((t) => sharp(svg(t)).png().toBuffer()));
const tiff = await sharp(frames, { join: { animated: true } }).tiff({ compression: 'deflate' }).toBuffer();
// parse IFDs
const b = Buffer.from(tiff);
let ifd = b.readUInt32LE(4); let k = 0;
while (ifd) { const n = b.readUInt16LE(ifd); const e: Record<number, number> = {}; for (let i = 0; i < n; i++) { const at = ifd + 2 + i * 12; const tag = b.readUInt16LE(at); const type = b.readUInt16LE(at+2); const cnt = b.readUInt32LE(at+4); e[tag] = type === 3 ? b.readUInt16LE(at+8) : b.readUInt32LE(at+8); if (tag===273||tag===279) console.log(k, tag, type, cnt, e[tag]); } ifd = b.readUInt32LE(ifd + 2 + n * 12); k++; }
console.log(tiff.length);
function damageFrame(tiff: Buffer, index: number): Buffer {
  const b = Buffer.from(tiff);
  let ifd = b.readUInt32LE(4);
  for (let k = 0; k < index; k++) ifd = b.readUInt32LE(ifd + 2 + b.readUInt16LE(ifd) * 12);
  const n = b.readUInt16LE(ifd);
  const entry = (tag: number) => { for (let i = 0; i < n; i++) { const at = ifd + 2 + i * 12; if (b.readUInt16LE(at) === tag) return { count: b.readUInt32LE(at + 4), value: b.readUInt32LE(at + 8) }; } throw new Error('no tag'); };
  const off = entry(273), len = entry(279);
  const offsets = off.count === 1 ? [off.value] : Array.from({ length: off.count }, (_, i) => b.readUInt32LE(off.value + 4 * i));
  const lengths = len.count === 1 ? [len.value] : Array.from({ length: len.count }, (_, i) => b.readUInt32LE(len.value + 4 * i));
  offsets.forEach((o, i) => b.fill(0xa5, o, o + lengths[i]!));
  return b;
}
const bad = damageFrame(tiff, 1);
const d = createImageDecoder();
const fr = await d.decodeFrames(bad, DEFAULT_LIMITS);
console.log(fr.map((f) => ('fault' in f ? 'FAULT ' + f.fault.message : `${f.width}x${f.height}`)));
function pointStripsAway(tiff: Buffer, index: number): Buffer {
  const b = Buffer.from(tiff);
  let ifd = b.readUInt32LE(4);
  for (let k = 0; k < index; k++) ifd = b.readUInt32LE(ifd + 2 + b.readUInt16LE(ifd) * 12);
  const n = b.readUInt16LE(ifd);
  for (let i = 0; i < n; i++) { const at = ifd + 2 + i * 12; if (b.readUInt16LE(at) === 273) { const c = b.readUInt32LE(at+4); const v = b.readUInt32LE(at+8); for (let j=0;j<c;j++) b.writeUInt32LE(0x7ffffff0, v + 4*j); } }
  return b;
}
for (const [name, buf] of [['away', pointStripsAway(tiff, 1)], ['trunc', tiff.subarray(0, 14000)]] as const) {
  try { const fr = await d.decodeFrames(buf as Buffer, DEFAULT_LIMITS);
  console.log(name, fr.map((f) => ('fault' in f ? 'FAULT ' + f.fault.message : `${f.width}x${f.height}`))); } catch (e) { console.log(name, 'THROW', (e as Error).message); }
}
function setTag(tiff: Buffer, index: number, tag: number, value: number): Buffer {
  const b = Buffer.from(tiff);
  let ifd = b.readUInt32LE(4);
  for (let k = 0; k < index; k++) ifd = b.readUInt32LE(ifd + 2 + b.readUInt16LE(ifd) * 12);
  const n = b.readUInt16LE(ifd);
  for (let i = 0; i < n; i++) { const at = ifd + 2 + i * 12; if (b.readUInt16LE(at) === tag) b.writeUInt16LE(value, at + 8); }
  return b;
}
for (const [name, buf] of [['comp99', setTag(tiff, 1, 259, 99)], ['bps3', setTag(tiff, 1, 258, 3)], ['photometric', setTag(tiff,1,262,77)]] as const) {
  try { const fr = await d.decodeFrames(buf as Buffer, DEFAULT_LIMITS);
  console.log(name, fr.map((f) => ('fault' in f ? 'FAULT ' + f.fault.message : `${f.width}x${f.height}`))); } catch (e) { console.log(name, 'THROW', (e as Error).message); }
}
