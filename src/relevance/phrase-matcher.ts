// Many phrases against one token list in a single pass. Phrases are compiled into a token trie
// once, so the cost per item depends on the item's length and the longest phrase, not on how
// many phrases there are: 10,000 watch terms cost about what 10 do. No regular expression per term.
import { tokens as foldTokens, WORD_IDS } from './fold.js';

/** One phrase found in a token list. */
export interface PhraseMatch<T> {
  /** The value given with the phrase when the matcher was built. */
  value: T;
  /** Index of the first matched token. */
  start: number;
  /** Index just past the last matched token (`end - start` is the phrase length in tokens). */
  end: number;
}

/** A compiled set of phrases. */
export interface PhraseMatcher<T> {
  /**
   * Every occurrence of every phrase in `tokens` (already folded, see `fold.ts`), ordered by
   * start then by length; overlapping and nested matches are all reported. `ids`, the tokens'
   * word ids when at hand (`TokenizedText.ids`), let the matcher remember which words open no
   * phrase instead of looking each up again.
   */
  match(tokens: readonly string[], ids?: readonly number[]): PhraseMatch<T>[];
  /** How many distinct (phrase, value) pairs were compiled. */
  readonly size: number;
}

interface TrieNode<T> {
  next: Map<string, TrieNode<T>> | undefined;
  values: T[] | undefined;
}

/**
 * Compiles phrases into a matcher. Each phrase is folded with the same `fold` as items, so
 * `"Puces IA"` matches the tokens of « puces d’IA » only if they fold alike. A phrase that folds to
 * nothing is ignored; a value given twice for the same phrase is kept once.
 */
export function createPhraseMatcher<T>(entries: Iterable<{ phrase: string; value: T }>): PhraseMatcher<T> {
  const root: TrieNode<T> = { next: undefined, values: undefined };
  let size = 0;
  for (const { phrase, value } of entries) {
    const toks = foldTokens(phrase);
    if (toks.length === 0) continue;
    let node = root;
    for (const tok of toks) {
      node.next ??= new Map();
      let child = node.next.get(tok);
      if (child === undefined) {
        child = { next: undefined, values: undefined };
        node.next.set(tok, child);
      }
      node = child;
    }
    node.values ??= [];
    if (!node.values.includes(value)) {
      node.values.push(value);
      size += 1;
    }
  }

  // The first step per word id (null: the word opens no phrase), filled as words are met.
  let openers: Array<TrieNode<T> | null | undefined> | undefined;
  return {
    size,
    match(toks: readonly string[], ids?: readonly number[]): PhraseMatch<T>[] {
      const found: PhraseMatch<T>[] = [];
      const first = root.next;
      if (first === undefined) return found;
      for (let start = 0; start < toks.length; start++) {
        const id = ids?.[start] ?? -1;
        let node: TrieNode<T> | undefined;
        if (id >= 0) {
          openers ??= new Array<TrieNode<T> | null | undefined>(WORD_IDS).fill(undefined);
          let opener = openers[id];
          if (opener === undefined) {
            opener = first.get(toks[start] ?? '') ?? null;
            openers[id] = opener;
          }
          node = opener ?? undefined;
        } else node = first.get(toks[start] ?? '');
        let end = start + 1;
        while (node !== undefined) {
          if (node.values !== undefined) {
            for (const value of node.values) found.push({ value, start, end });
          }
          if (node.next === undefined || end >= toks.length) break;
          node = node.next.get(toks[end] ?? '');
          end += 1;
        }
      }
      return found;
    },
  };
}
