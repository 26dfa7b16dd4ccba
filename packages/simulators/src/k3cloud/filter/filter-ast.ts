import type { ComparisonOp } from './filter-tokenizer';

export type Operand = { kind: 'field'; name: string } | { kind: 'literal'; value: string | number | null };

export type FilterExpr =
  | { kind: 'and' | 'or'; left: FilterExpr; right: FilterExpr }
  | { kind: 'not'; expr: FilterExpr }
  | { kind: 'compare'; op: ComparisonOp; left: Operand; right: Operand }
  | { kind: 'in'; operand: Operand; values: Operand[]; negated: boolean }
  | { kind: 'like'; operand: Operand; pattern: Operand; negated: boolean }
  | { kind: 'between'; operand: Operand; low: Operand; high: Operand; negated: boolean }
  | { kind: 'isNull'; operand: Operand; negated: boolean };

/** Field names a filter refers to (to check them against metadata and pick the row entity). */
export function fieldsOf(expr: FilterExpr): string[] {
  const out: string[] = [];
  const op = (o: Operand) => {
    if (o.kind === 'field') out.push(o.name);
  };
  const walk = (e: FilterExpr): void => {
    switch (e.kind) {
      case 'and':
      case 'or':
        walk(e.left);
        walk(e.right);
        return;
      case 'not':
        walk(e.expr);
        return;
      case 'compare':
        op(e.left);
        op(e.right);
        return;
      case 'in':
        op(e.operand);
        e.values.forEach(op);
        return;
      case 'like':
        op(e.operand);
        op(e.pattern);
        return;
      case 'between':
        op(e.operand);
        op(e.low);
        op(e.high);
        return;
      case 'isNull':
        op(e.operand);
        return;
    }
  };
  walk(expr);
  return out;
}
