/** A FilterString that is not valid SQL-like syntax; the handler answers it as a K3 error. */
export class FilterSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(`${message}（位置 ${position}）`);
    this.name = 'FilterSyntaxError';
  }
}

export type Token =
  | { kind: 'ident'; text: string; pos: number }
  | { kind: 'keyword'; text: Keyword; pos: number }
  | { kind: 'string'; text: string; pos: number }
  | { kind: 'number'; text: string; value: number; pos: number }
  | { kind: 'op'; text: ComparisonOp; pos: number }
  | { kind: 'punct'; text: '(' | ')' | ','; pos: number };

export type ComparisonOp = '=' | '<>' | '<' | '>' | '<=' | '>=';
export type Keyword = 'AND' | 'OR' | 'NOT' | 'IN' | 'LIKE' | 'IS' | 'NULL' | 'BETWEEN';

const KEYWORDS = new Set<string>(['AND', 'OR', 'NOT', 'IN', 'LIKE', 'IS', 'NULL', 'BETWEEN']);
const IDENT_START = /[A-Za-z_\u4e00-\u9fff]/;
const IDENT_PART = /[A-Za-z0-9_.\u4e00-\u9fff]/;

/**
 * Splits a FilterString into tokens. Only what the grammar knows is accepted: anything else
 * (`;`, `--`, `/*`, `@`, `[`...) is a syntax error, so input can never reach beyond a literal.
 * String literals are single-quoted with `''` as the escaped quote (T-SQL), optionally `N'…'`.
 */
export function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const previousIsOperand = () => {
    const t = tokens[tokens.length - 1];
    return (
      t !== undefined &&
      (t.kind === 'ident' ||
        t.kind === 'string' ||
        t.kind === 'number' ||
        (t.kind === 'punct' && t.text === ')') ||
        (t.kind === 'keyword' && t.text === 'NULL'))
    );
  };
  while (i < input.length) {
    const c = input.charAt(i);
    if (/\s/.test(c)) {
      i += 1;
    } else if (c === "'" || ((c === 'N' || c === 'n') && input.charAt(i + 1) === "'")) {
      const start = i;
      i += c === "'" ? 1 : 2;
      let text = '';
      for (;;) {
        if (i >= input.length) throw new FilterSyntaxError('字符串未结束', start);
        const ch = input.charAt(i);
        if (ch === "'") {
          if (input.charAt(i + 1) === "'") {
            text += "'";
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        text += ch;
        i += 1;
      }
      tokens.push({ kind: 'string', text, pos: start });
    } else if (/\d/.test(c) || (c === '-' && /\d/.test(input.charAt(i + 1)) && !previousIsOperand())) {
      const m = /^-?\d+(\.\d+)?/.exec(input.slice(i));
      const text = m?.[0] ?? c;
      tokens.push({ kind: 'number', text, value: Number(text), pos: i });
      i += text.length;
    } else if (IDENT_START.test(c)) {
      const start = i;
      while (i < input.length && IDENT_PART.test(input.charAt(i))) i += 1;
      const text = input.slice(start, i);
      const upper = text.toUpperCase();
      if (KEYWORDS.has(upper)) tokens.push({ kind: 'keyword', text: upper as Keyword, pos: start });
      else tokens.push({ kind: 'ident', text, pos: start });
    } else if (c === '(' || c === ')' || c === ',') {
      tokens.push({ kind: 'punct', text: c, pos: i });
      i += 1;
    } else {
      const two = input.slice(i, i + 2);
      if (two === '<=' || two === '>=' || two === '<>' || two === '!=') {
        tokens.push({ kind: 'op', text: two === '!=' ? '<>' : two, pos: i });
        i += 2;
      } else if (c === '=' || c === '<' || c === '>') {
        tokens.push({ kind: 'op', text: c, pos: i });
        i += 1;
      } else {
        throw new FilterSyntaxError(`“${c}”附近有语法错误`, i);
      }
    }
  }
  return tokens;
}
