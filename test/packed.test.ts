import { describe, expect, it } from 'vitest';
import { packed } from '../src/packed.js';

describe('packed', () => {
  it('copies a list into a new array with the same elements in order', () => {
    const list = [{ id: 'a' }, { id: 'b' }];
    const copy = packed(list);
    expect(copy).toEqual(list);
    expect(copy).not.toBe(list);
    expect(copy[0]).toBe(list[0]);
    copy.push({ id: 'c' });
    expect(list).toHaveLength(2);
  });

  it('fills the holes of a holey list, so the copy has no holes', () => {
    // eslint-disable-next-line no-sparse-arrays
    const holey: Array<string | undefined> = ['a', , 'c'];
    expect(1 in holey).toBe(false);
    const copy = packed(holey);
    expect(copy).toHaveLength(3);
    expect(1 in copy).toBe(true);
    expect(copy[1]).toBeUndefined();
  });

  it('copies an empty list', () => {
    expect(packed([])).toEqual([]);
  });
});
