// Code-unit order of strings, for ids and ISO 8601 times (which sort as text). `localeCompare`
// builds a collator on each call and orders by language rules: ~10× slower, and not what ids want.

/** -1, 0 or 1 as `a` sorts before, with or after `b` by UTF-16 code units. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
