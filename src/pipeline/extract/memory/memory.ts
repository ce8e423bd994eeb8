// Vendor memory in the reader's hands: every learned layout behind an inverted index over fingerprint tokens,
// so a document finds its layout among ten thousand in a few milliseconds.
import { type MemoryFile, MemoryLayout } from './schema.ts';

export interface MemoryOptions {
  /** Confirmations (distinct reviewed documents) before a learned field is used. Default 1. */
  minConfirmations?: number;
  /** The similarity (0..1) under which a document is taken for a layout never seen. Default 0.4. */
  minSimilarity?: number;
}

export interface LayoutMatch {
  layout: MemoryLayout;
  similarity: number;
}

export const DEFAULT_MIN_CONFIRMATIONS = 1;
export const DEFAULT_MIN_SIMILARITY = 0.4;

export class VendorMemory {
  readonly minConfirmations: number;
  readonly minSimilarity: number;
  private slots: (MemoryLayout | undefined)[] = [];
  private readonly slotOf = new Map<string, number>();
  private readonly postings = new Map<string, number[]>();
  private live = 0;

  constructor(layouts: Iterable<MemoryLayout> = [], options: MemoryOptions = {}) {
    this.minConfirmations = options.minConfirmations ?? DEFAULT_MIN_CONFIRMATIONS;
    this.minSimilarity = options.minSimilarity ?? DEFAULT_MIN_SIMILARITY;
    for (const l of layouts) this.put(l);
  }

  static fromFile(file: MemoryFile, options: MemoryOptions = {}): VendorMemory {
    return new VendorMemory(file.layouts, options);
  }

  get size(): number {
    return this.live;
  }

  layouts(): MemoryLayout[] {
    return this.slots.filter((l): l is MemoryLayout => l !== undefined);
  }

  get(id: string): MemoryLayout | undefined {
    const slot = this.slotOf.get(id);
    return slot === undefined ? undefined : this.slots[slot];
  }

  toFile(): MemoryFile {
    return { kind: 'retaguarda-vendor-memory', version: 1, layouts: this.layouts() };
  }

  /** Adds a layout, or replaces the one with its id. */
  put(layout: MemoryLayout): void {
    const parsed = MemoryLayout.parse(layout);
    this.remove(parsed.id);
    const slot = this.slots.length;
    this.slots.push(parsed);
    this.slotOf.set(parsed.id, slot);
    this.live++;
    for (const t of parsed.tokens) {
      const list = this.postings.get(t);
      if (list) list.push(slot);
      else this.postings.set(t, [slot]);
    }
  }

  remove(id: string): boolean {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return false;
    const layout = this.slots[slot]!;
    for (const t of layout.tokens) {
      const list = this.postings.get(t);
      if (!list) continue;
      const kept = list.filter((s) => s !== slot);
      if (kept.length) this.postings.set(t, kept);
      else this.postings.delete(t);
    }
    this.slots[slot] = undefined;
    this.slotOf.delete(id);
    this.live--;
    return true;
  }

  /**
   * The learned layout most like a document's fingerprint: cosine similarity over tokens weighted by how rare
   * they are among the layouts (a word every template prints, "total", says little; the issuer's street says
   * much). Undefined under `minSimilarity`.
   */
  match(tokens: readonly string[]): LayoutMatch | undefined {
    if (!this.live || !tokens.length) return undefined;
    const n = this.live;
    const weight = (df: number) => {
      const idf = Math.log(1 + n / Math.max(1, df));
      return idf * idf;
    };
    const doc = new Set(tokens);
    // Candidates come from the rarer tokens only: a layout that shares nothing but "total" and "date" with the
    // document is not its layout, and walking those long lists is what would cost the time.
    const rare = Math.max(50, n * 0.05);
    const shared = new Float64Array(this.slots.length);
    const touched: number[] = [];
    let docNorm = 0;
    for (const t of doc) {
      const list = this.postings.get(t);
      const w = weight(list?.length ?? 0);
      docNorm += w;
      if (!list || list.length > rare) continue;
      for (const slot of list) {
        if (shared[slot] === 0) touched.push(slot);
        shared[slot]! += w;
      }
    }
    const top: number[] = [];
    for (const slot of touched) {
      if (top.length < 8 || shared[slot]! > shared[top[top.length - 1]!]!) {
        top.push(slot);
        top.sort((a, b) => shared[b]! - shared[a]!);
        if (top.length > 8) top.pop();
      }
    }
    // The few best candidates scored exactly: every token they share with the document, common ones too.
    let best: LayoutMatch | undefined;
    for (const slot of top) {
      const layout = this.slots[slot]!;
      let norm = 0;
      let both = 0;
      for (const t of layout.tokens) {
        const w = weight(this.postings.get(t)?.length ?? 0);
        norm += w;
        if (doc.has(t)) both += w;
      }
      const similarity = both / Math.sqrt(docNorm * norm);
      if (!best || similarity > best.similarity) best = { layout, similarity };
    }
    return best && best.similarity >= this.minSimilarity ? best : undefined;
  }
}
