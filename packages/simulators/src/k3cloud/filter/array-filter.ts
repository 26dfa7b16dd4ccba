import type { FilterExpr } from './filter-ast';
import { parseTokens } from './filter-parser';
import { FilterSyntaxError, type Token } from './filter-tokenizer';

/**
 * The array FilterString form `[{Left,FieldName,Compare,Value,Right,Logic}]` (docs/apis/k3cloud.md §6, newer doc).
 * Compare codes seen in public payloads (meaning inferred from their use, ASSUMPTION):
 * 67 equals, 105 equals (enum fields, e.g. FDocumentStatus 'C'), 17 contains, 60 starts with.
 * Symbolic operators are accepted too. Logic on item i joins it to item i+1: 0 AND, 1 OR.
 * Values always become string literals, so they cannot change the filter's structure.
 */
export function parseArrayFilter(items: unknown[]): FilterExpr | undefined {
  const tokens: Token[] = [];
  items.forEach((raw, index) => {
    const item = (raw ?? {}) as Record<string, unknown>;
    const pick = (key: string) => {
      const k = Object.keys(item).find((x) => x.toLowerCase() === key.toLowerCase());
      return k === undefined ? undefined : item[k];
    };
    const pos = index;
    const left = String(pick('Left') ?? '');
    const right = String(pick('Right') ?? '');
    if (!/^[\s(]*$/.test(left) || !/^[\s)]*$/.test(right)) throw new FilterSyntaxError('Left/Right只能包含括号', pos);
    for (const _ of left.replace(/\s/g, '')) tokens.push({ kind: 'punct', text: '(', pos });
    const field = String(pick('FieldName') ?? '');
    if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(field)) throw new FilterSyntaxError(`字段名“${field}”无效`, pos);
    const value = pick('Value');
    const text = value === null || value === undefined ? '' : String(value);
    tokens.push({ kind: 'ident', text: field, pos });
    const compare = String(pick('Compare') ?? '')
      .trim()
      .toLowerCase();
    const like = (pattern: string) =>
      tokens.push({ kind: 'keyword', text: 'LIKE', pos }, { kind: 'string', text: pattern, pos });
    if (compare === '67' || compare === '105' || compare === '=')
      tokens.push({ kind: 'op', text: '=', pos }, { kind: 'string', text, pos });
    else if (
      compare === '<>' ||
      compare === '!=' ||
      compare === '<' ||
      compare === '>' ||
      compare === '<=' ||
      compare === '>='
    ) {
      tokens.push({ kind: 'op', text: compare === '!=' ? '<>' : compare, pos }, { kind: 'string', text, pos });
    } else if (compare === '17') like(`%${text}%`);
    else if (compare === '60') like(`${text}%`);
    else if (compare === 'like') like(text);
    else throw new FilterSyntaxError(`不支持的比较符“${compare}”`, pos);
    for (const _ of right.replace(/\s/g, '')) tokens.push({ kind: 'punct', text: ')', pos });
    if (index < items.length - 1)
      tokens.push({ kind: 'keyword', text: String(pick('Logic') ?? '0').trim() === '1' ? 'OR' : 'AND', pos });
  });
  return parseTokens(tokens);
}
