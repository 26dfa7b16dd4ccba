import type { FilterExpr, Operand } from './filter-ast';
import { FilterSyntaxError, tokenize, type Token } from './filter-tokenizer';

/**
 * Recursive-descent parser for K3's SQL-like FilterString (docs/apis/k3cloud.md §6). Grammar:
 *   expr      := orExpr
 *   orExpr    := andExpr (OR andExpr)*
 *   andExpr   := unary (AND unary)*
 *   unary     := NOT unary | '(' expr ')' | predicate
 *   predicate := operand ( compOp operand | [NOT] IN '(' operand (',' operand)* ')'
 *                | [NOT] LIKE operand | [NOT] BETWEEN operand AND operand | IS [NOT] NULL )
 *   operand   := identifier | 'string' | number | NULL
 * Nothing is ever evaluated as code: the result is a tree the evaluator walks.
 */
export function parseFilter(input: string): FilterExpr | undefined {
  const tokens = tokenize(input);
  if (tokens.length === 0) return undefined;
  const parser = new Parser(tokens, input.length);
  const expr = parser.expr();
  parser.expectEnd();
  return expr;
}

/** Parses an already tokenised filter (the array FilterString form builds tokens directly). */
export function parseTokens(tokens: Token[]): FilterExpr | undefined {
  if (tokens.length === 0) return undefined;
  const parser = new Parser(tokens, tokens[tokens.length - 1]?.pos ?? 0);
  const expr = parser.expr();
  parser.expectEnd();
  return expr;
}

class Parser {
  private i = 0;
  private depth = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly endPos: number,
  ) {}

  private peek(): Token | undefined {
    return this.tokens[this.i];
  }

  private isKeyword(text: string, offset = 0): boolean {
    const t = this.tokens[this.i + offset];
    return t?.kind === 'keyword' && t.text === text;
  }

  private isPunct(text: string): boolean {
    const t = this.peek();
    return t?.kind === 'punct' && t.text === text;
  }

  private fail(message: string): never {
    throw new FilterSyntaxError(message, this.peek()?.pos ?? this.endPos);
  }

  private expect(kind: 'punct' | 'keyword', text: string): void {
    const t = this.peek();
    if (t?.kind !== kind || t.text !== text) this.fail(`缺少“${text}”`);
    this.i += 1;
  }

  expectEnd(): void {
    if (this.i < this.tokens.length) this.fail(`“${this.peek()?.text}”附近有语法错误`);
  }

  expr(): FilterExpr {
    let left = this.andExpr();
    while (this.isKeyword('OR')) {
      this.i += 1;
      left = { kind: 'or', left, right: this.andExpr() };
    }
    return left;
  }

  private andExpr(): FilterExpr {
    let left = this.unary();
    while (this.isKeyword('AND')) {
      this.i += 1;
      left = { kind: 'and', left, right: this.unary() };
    }
    return left;
  }

  private unary(): FilterExpr {
    // Nesting is bounded so a hostile filter cannot exhaust the stack.
    if (++this.depth > 200) this.fail('过滤条件嵌套过深');
    try {
      if (this.isKeyword('NOT')) {
        this.i += 1;
        return { kind: 'not', expr: this.unary() };
      }
      if (this.isPunct('(')) {
        this.i += 1;
        const inner = this.expr();
        this.expect('punct', ')');
        return inner;
      }
      return this.predicate();
    } finally {
      this.depth -= 1;
    }
  }

  private operand(): Operand {
    const t = this.peek();
    if (!t) return this.fail('过滤条件不完整');
    this.i += 1;
    if (t.kind === 'ident') return { kind: 'field', name: t.text };
    if (t.kind === 'string') return { kind: 'literal', value: t.text };
    if (t.kind === 'number') return { kind: 'literal', value: t.value };
    if (t.kind === 'keyword' && t.text === 'NULL') return { kind: 'literal', value: null };
    this.i -= 1;
    return this.fail(`“${t.text}”附近有语法错误`);
  }

  private predicate(): FilterExpr {
    const left = this.operand();
    const t = this.peek();
    if (t?.kind === 'op') {
      this.i += 1;
      return { kind: 'compare', op: t.text, left, right: this.operand() };
    }
    if (this.isKeyword('IS')) {
      this.i += 1;
      const negated = this.isKeyword('NOT');
      if (negated) this.i += 1;
      this.expect('keyword', 'NULL');
      return { kind: 'isNull', operand: left, negated };
    }
    const negated = this.isKeyword('NOT');
    if (negated) this.i += 1;
    if (this.isKeyword('IN')) {
      this.i += 1;
      this.expect('punct', '(');
      const values = [this.operand()];
      while (this.isPunct(',')) {
        this.i += 1;
        values.push(this.operand());
      }
      this.expect('punct', ')');
      return { kind: 'in', operand: left, values, negated };
    }
    if (this.isKeyword('LIKE')) {
      this.i += 1;
      return { kind: 'like', operand: left, pattern: this.operand(), negated };
    }
    if (this.isKeyword('BETWEEN')) {
      this.i += 1;
      const low = this.operand();
      this.expect('keyword', 'AND');
      return { kind: 'between', operand: left, low, high: this.operand(), negated };
    }
    return this.fail(t ? `“${t.text}”附近有语法错误` : '过滤条件不完整');
  }
}
