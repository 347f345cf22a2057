import { describe, expect, it } from 'vitest';
import { classifyRecords, parseClassifyLine } from '../../src/relevance/classify-lines.js';

describe('parseClassifyLine', () => {
  it('reads the documented fields and rejects what is not a record', () => {
    expect(parseClassifyLine('{"id":"1","title":"Nvidia","summary":"x","lang":"en","source":"Reuters","published":"2025-09-22T14:00:00Z","url":"https://e.x/1"}')).toEqual({
      ok: true,
      record: { id: '1', title: 'Nvidia', summary: 'x', lang: 'en', source: 'Reuters', published: '2025-09-22T14:00:00Z', url: 'https://e.x/1' },
    });
    expect(parseClassifyLine('{"id":7,"title":"t","summary":null}')).toEqual({ ok: true, record: { id: '7', title: 't' } });
    expect(parseClassifyLine('nope')).toEqual({ ok: false, error: 'not JSON' });
    expect(parseClassifyLine('[1]')).toEqual({ ok: false, error: 'not a JSON object' });
    expect(parseClassifyLine('{"title":"t"}')).toEqual({ ok: false, error: 'missing "id"' });
    expect(parseClassifyLine('{"id":"1"}')).toEqual({ ok: false, error: 'missing "title"' });
    expect(parseClassifyLine('{"id":"1","title":"t","lang":2}')).toEqual({ ok: false, error: '"lang" is not a string' });
  });
});

describe('classifyRecords', () => {
  it('answers in order with topics, deciding terms, a shared story id and figures', () => {
    const out = classifyRecords([
      { id: 'a', title: 'Nvidia to invest up to $100 billion in OpenAI', summary: 'It will deploy 10 GW.', published: '2025-09-22T14:00:00Z', source: 'Reuters' },
      { id: 'b', title: 'Potato chips maker raises prices 5%' },
      { id: 'c', title: 'Nvidia va investir 100 milliards de dollars dans OpenAI', summary: 'Dix gigawatts de systèmes.', published: '2025-09-22T16:00:00Z', source: 'Les Echos' },
    ]);
    expect(out.map((o) => o.id)).toEqual(['a', 'b', 'c']);
    expect(out[0]).toEqual({
      id: 'a',
      topics: ['ai-chips'],
      matched: ['Nvidia'],
      storyId: out[0]?.storyId,
      amounts: [
        { kind: 'money', text: '$100 billion', value: 100e9, unit: 'USD' },
        { kind: 'power', text: '10 GW', value: 10, unit: 'GW' },
      ],
    });
    expect(out[1]).toMatchObject({ topics: [], matched: [], amounts: [{ kind: 'percent', text: '5%', value: 5, unit: '%' }] });
    expect(out[2]?.storyId).toBe(out[0]?.storyId);
    expect(out[1]?.storyId).not.toBe(out[0]?.storyId);
  });
});
