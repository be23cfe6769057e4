import { describe, expect, it } from 'vitest';

import { objectMembers } from '../../../../reconciler/plan/io/json-members.js';

const members = (text: string, from = 0) => {
  const bytes = Buffer.from(text, 'utf8');
  return objectMembers(bytes, from)?.map((m) => ({ key: m.key, value: bytes.toString('utf8', m.start, m.end) })) ?? null;
};

describe('objectMembers', () => {
  it('finds each key and the exact text of its value', () => {
    const text = '{"a":1,"b":{"x":[1,{"y":"}"}]},"c":"s\\"}","d":true,"e":null,"f":[]}';
    expect(members(text)).toEqual([
      { key: 'a', value: '1' }, { key: 'b', value: '{"x":[1,{"y":"}"}]}' }, { key: 'c', value: '"s\\"}"' },
      { key: 'd', value: 'true' }, { key: 'e', value: 'null' }, { key: 'f', value: '[]' },
    ]);
  });

  it('reads white space, escaped keys and multi-byte characters as JSON.parse does', () => {
    const text = ' {\n  "v\\u00e9l" : { "p": "\\\\" } ,\n "日本" :\t-1.5e3 }\n';
    const found = members(text)!;
    expect(found.map((m) => m.key)).toEqual(Object.keys(JSON.parse(text)));
    expect(found.map((m) => JSON.parse(m.value))).toEqual(Object.values(JSON.parse(text)));
  });

  it('gives an empty list for an empty object and starts where it is told', () => {
    expect(members('{}')).toEqual([]);
    expect(members('{"volumes": {"a": {}}}', 12)).toEqual([{ key: 'a', value: '{}' }]);
  });

  it.each([
    ['not an object', '[1, 2]'],
    ['a key without a colon', '{"a" 1}'],
    ['an unterminated string', '{"a": "b}'],
    ['an unclosed object', '{"a": {"b": 1}'],
    ['a missing comma', '{"a": 1 "b": 2}'],
    ['an unquoted key', '{a: 1}'],
  ])('returns null for %s', (_name, text) => {
    expect(members(text)).toBeNull();
  });
});
