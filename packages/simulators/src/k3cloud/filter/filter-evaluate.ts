import { toK3DateTime } from '../store/field-values';
import type { FieldType } from '../types';
import type { FilterExpr, Operand } from './filter-ast';

/** SQL three-valued logic: a comparison with NULL is unknown (null), and NOT unknown stays unknown. */
export type Truth = boolean | null;

export interface Scalar {
  value: unknown;
  type?: FieldType;
}

/** Resolves a field name to the current row's value; names were checked against metadata before. */
export type FieldLookup = (name: string) => Scalar;

export function evaluate(expr: FilterExpr, lookup: FieldLookup): Truth {
  const scalar = (o: Operand): Scalar => (o.kind === 'field' ? lookup(o.name) : { value: o.value });
  switch (expr.kind) {
    case 'and': {
      const l = evaluate(expr.left, lookup);
      if (l === false) return false;
      const r = evaluate(expr.right, lookup);
      return r === false ? false : l === null || r === null ? null : true;
    }
    case 'or': {
      const l = evaluate(expr.left, lookup);
      if (l === true) return true;
      const r = evaluate(expr.right, lookup);
      return r === true ? true : l === null || r === null ? null : false;
    }
    case 'not':
      return negate(evaluate(expr.expr, lookup));
    case 'compare': {
      const c = compare(scalar(expr.left), scalar(expr.right));
      if (c === null) return null;
      return { '=': c === 0, '<>': c !== 0, '<': c < 0, '>': c > 0, '<=': c <= 0, '>=': c >= 0 }[expr.op];
    }
    case 'in': {
      const subject = scalar(expr.operand);
      let unknown = false;
      for (const v of expr.values) {
        const c = compare(subject, scalar(v));
        if (c === 0) return expr.negated ? false : true;
        if (c === null) unknown = true;
      }
      return unknown ? null : expr.negated;
    }
    case 'like': {
      const subject = scalar(expr.operand).value;
      const pattern = scalar(expr.pattern).value;
      if (subject === null || subject === undefined || pattern === null || pattern === undefined) return null;
      const hit = likeToRegExp(String(pattern)).test(String(subject));
      return expr.negated ? !hit : hit;
    }
    case 'between': {
      const s = scalar(expr.operand);
      const lo = compare(s, scalar(expr.low));
      const hi = compare(s, scalar(expr.high));
      if (lo === null || hi === null) return null;
      const inside = lo >= 0 && hi <= 0;
      return expr.negated ? !inside : inside;
    }
    case 'isNull': {
      const v = scalar(expr.operand).value;
      const isNull = v === null || v === undefined;
      return expr.negated ? !isNull : isNull;
    }
  }
}

function negate(t: Truth): Truth {
  return t === null ? null : !t;
}

function asNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && /^\s*[-+]?\d+(\.\d+)?\s*$/.test(v)) return Number(v);
  return undefined;
}

/**
 * Orders two values as SQL Server would for our column types: numbers numerically, dates on their
 * normalised text, text case-insensitively ignoring trailing spaces (default CI collation; ASSUMPTION
 * for a given tenant). Returns null when either side is NULL.
 */
export function compare(a: Scalar, b: Scalar): number | null {
  if (a.value === null || a.value === undefined || b.value === null || b.value === undefined) return null;
  const type = a.type ?? b.type;
  if (type === 'datetime') {
    const x = typeof a.value === 'string' ? (toK3DateTime(a.value) ?? a.value) : String(a.value);
    const y = typeof b.value === 'string' ? (toK3DateTime(b.value) ?? b.value) : String(b.value);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  const x = asNumber(a.value);
  const y = asNumber(b.value);
  const numeric =
    type === 'int' ||
    type === 'decimal' ||
    type === 'bool' ||
    typeof a.value === 'number' ||
    typeof b.value === 'number';
  if (numeric && x !== undefined && y !== undefined) return x < y ? -1 : x > y ? 1 : 0;
  const s = String(a.value).trimEnd().toLowerCase();
  const t = String(b.value).trimEnd().toLowerCase();
  return s < t ? -1 : s > t ? 1 : 0;
}

/** T-SQL LIKE: `%` any run, `_` one char, `[abc]`/`[^a-z]` classes; case-insensitive. */
export function likeToRegExp(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charAt(i);
    if (c === '%') out += '[\\s\\S]*';
    else if (c === '_') out += '[\\s\\S]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end === -1) {
        out += '\\[';
        continue;
      }
      let body = pattern.slice(i + 1, end);
      const negated = body.startsWith('^');
      if (negated) body = body.slice(1);
      out += `[${negated ? '^' : ''}${body.replace(/[\\\]]/g, '\\$&')}]`;
      i = end;
    } else out += c.replace(/[.*+?^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp(`^${out}$`, 'i');
}
