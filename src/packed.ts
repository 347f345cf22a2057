// Lists handed to hot functions, copied into arrays of one kind, so V8 keeps their optimised code.
//
// Hand-written: no library does this. A list arrives packed or holey (`map` makes holey ones),
// with small integers or objects, empty or not (an empty `[]` is an array of small integers), or
// from a structured clone; each kind the optimised code of a function had not met made V8 throw that
// code away and compile the function again, and for a big function (claimAndCommit) that cost
// 45–75 ms of CPU each time, several times in a run (docs/performance.md, "V8 was still compiling in the counted cycles").

/**
 * A copy of `list` in an array of one kind. Every copy comes from the one literal below: once an
 * object has been pushed there, V8 makes each array it allocates there ready for objects, empty
 * ones too.
 */
export function packed<T>(list: readonly T[]): T[] {
  const out: T[] = [];
  for (let i = 0; i < list.length; i++) out.push(list[i] as T);
  return out;
}
