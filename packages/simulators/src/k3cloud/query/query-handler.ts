import { getIgnoringCase } from '../case-insensitive';
import { json, type HandlerResult, type SimContext } from '../context';
import { parseArrayFilter } from '../filter/array-filter';
import { fieldsOf, type FilterExpr } from '../filter/filter-ast';
import { compare, evaluate } from '../filter/filter-evaluate';
import { parseFilter } from '../filter/filter-parser';
import { FilterSyntaxError } from '../filter/filter-tokenizer';
import { failureResult, unknownFieldMessage } from '../responses';
import { parseData } from '../save/save-handler';
import { renderValue } from '../store/field-values';
import type { Bill } from '../types';
import { resolveField, type ResolvedField, type Row } from './field-resolver';

export type QueryOp = 'ExecuteBillQuery' | 'BillQuery';

class QueryError extends Error {
  constructor(
    readonly msgCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** Spec §6: ExecuteBillQuery errors come wrapped `[[{Result…}]]`; BillQuery's bare `{Result…}` (S14, UNVERIFIED). */
export function queryFailure(op: QueryOp, msgCode: number, message: string): HandlerResult {
  const body = failureResult(msgCode, message);
  return json(op === 'ExecuteBillQuery' ? [[body]] : body);
}

function int(data: Record<string, unknown>, key: string): number {
  const v = Number(getIgnoringCase(data, key) ?? 0);
  if (!Number.isInteger(v) || v < 0) throw new QueryError(8, `参数${key}的值无效`);
  return v;
}

export function handleQuery(ctx: SimContext, op: QueryOp, dataRaw: unknown): HandlerResult {
  try {
    return json(runQuery(ctx, op, dataRaw));
  } catch (e) {
    if (e instanceof QueryError) return queryFailure(op, e.msgCode, e.message);
    // ASSUMPTION: a bad filter surfaces as the database's syntax error, MsgCode 6 数据库操作失败.
    if (e instanceof FilterSyntaxError) return queryFailure(op, 6, `过滤条件语法错误：${e.message}`);
    throw e;
  }
}

function runQuery(ctx: SimContext, op: QueryOp, dataRaw: unknown): unknown[] {
  const data = parseData(dataRaw);
  if (!data) throw new QueryError(8, 'data参数不是有效的JSON对象');
  const formId = String(getIgnoringCase(data, 'FormId') ?? '').trim();
  if (!formId) throw new QueryError(5, '业务对象标识（FormId）为空');
  if (!ctx.store.hasForm(formId)) throw new QueryError(4, '业务对象不存在');
  const schema = ctx.store.schema(formId);
  const rawKeys = getIgnoringCase(data, 'FieldKeys');
  const keys = (Array.isArray(rawKeys) ? rawKeys.map(String) : String(rawKeys ?? '').split(','))
    .map((k) => k.trim())
    .filter(Boolean);
  if (keys.length === 0) throw new QueryError(8, '参数FieldKeys不能为空');
  const resolve = (key: string): ResolvedField => {
    const field = resolveField(schema, key);
    if (!field) throw new QueryError(9, unknownFieldMessage(key));
    return field;
  };
  const columns = keys.map(resolve);
  const filter = parseFilterParam(getIgnoringCase(data, 'FilterString'));
  const filterFields = new Map<string, ResolvedField>();
  for (const name of filter ? fieldsOf(filter) : []) filterFields.set(name, resolve(name));
  const order = parseOrder(String(getIgnoringCase(data, 'OrderString') ?? '')).map((o) => ({
    ...o,
    field: resolve(o.name),
  }));
  const entities = new Set(
    [...columns, ...filterFields.values(), ...order.map((o) => o.field)].map((f) => f.entity).filter(Boolean),
  );
  // ASSUMPTION: one entry entity per query (K3 would join sibling entities; nothing here needs it).
  if (entities.size > 1) throw new QueryError(8, `不支持在一次查询中同时使用多个单据体：${[...entities].join(',')}`);
  const entity = [...entities][0];

  const lookup = (bill: Bill, row: Row | undefined, seq: number) => (name: string) => {
    const f = filterFields.get(name) as ResolvedField;
    return { value: f.read(bill, row, seq), type: f.type };
  };
  // Like a database index: header-only conditions of a top-level AND pick the bills before their
  // entry rows are expanded (the full filter still decides every row below).
  const headerOnly = filter ? headerConjuncts(filter, filterFields) : [];
  const bills = ctx.store
    .all(formId)
    .filter((bill) => headerOnly.every((c) => evaluate(c, lookup(bill, undefined, 0)) === true));
  let rows = flatten(bills, entity);
  if (filter) rows = rows.filter((r) => evaluate(filter, lookup(r.bill, r.row, r.seq)) === true);
  if (order.length) rows = sortRows(rows, order);
  const top = int(data, 'TopRowCount');
  const start = int(data, 'StartRow');
  const limitAsked = int(data, 'Limit');
  const limit = limitAsked > 0 ? Math.min(limitAsked, ctx.maxQueryRows) : ctx.maxQueryRows;
  if (top > 0) rows = rows.slice(0, top);
  const page = rows.slice(start, start + limit);
  const cell = (f: ResolvedField, r: FlatRow) => renderValue(f.type, f.read(r.bill, r.row, r.seq));
  if (op === 'ExecuteBillQuery') return page.map((r) => columns.map((f) => cell(f, r)));
  return page.map((r) => Object.fromEntries(columns.map((f) => [f.key, cell(f, r)])));
}

interface FlatRow {
  bill: Bill;
  row: Row | undefined;
  seq: number;
}

/** One row per bill, or per entry row when an entity is involved; no rows → one row of nulls (left join). */
function headerConjuncts(expr: FilterExpr, fields: Map<string, ResolvedField>): FilterExpr[] {
  if (expr.kind === 'and') return [...headerConjuncts(expr.left, fields), ...headerConjuncts(expr.right, fields)];
  return fieldsOf(expr).every((name) => !fields.get(name)?.entity) ? [expr] : [];
}

function flatten(bills: Bill[], entity: string | undefined): FlatRow[] {
  const out: FlatRow[] = [];
  for (const bill of bills) {
    const rows = entity && Array.isArray(bill[entity]) ? (bill[entity] as Row[]) : [];
    if (!entity || rows.length === 0) out.push({ bill, row: undefined, seq: 0 });
    else rows.forEach((row, i) => out.push({ bill, row, seq: i + 1 }));
  }
  return out;
}

function parseFilterParam(raw: unknown): FilterExpr | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  if (Array.isArray(raw)) return parseArrayFilter(raw);
  if (typeof raw !== 'string') throw new QueryError(8, 'FilterString必须是字符串或数组');
  return parseFilter(raw);
}

function parseOrder(text: string): Array<{ name: string; desc: boolean }> {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const m = /^([A-Za-z_][A-Za-z0-9_.]*)(?:\s+(ASC|DESC))?$/i.exec(part);
      if (!m?.[1]) throw new FilterSyntaxError(`排序条件“${part}”无效`, 0);
      return { name: m[1], desc: m[2]?.toUpperCase() === 'DESC' };
    });
}

/** Stable sort; NULLs first ascending, as SQL Server orders them. */
function sortRows(rows: FlatRow[], order: Array<{ field: ResolvedField; desc: boolean }>): FlatRow[] {
  return rows
    .map((r, i) => ({ r, i }))
    .sort((a, b) => {
      for (const { field, desc } of order) {
        const x = field.read(a.r.bill, a.r.row, a.r.seq);
        const y = field.read(b.r.bill, b.r.row, b.r.seq);
        const xNull = x === null || x === undefined;
        const yNull = y === null || y === undefined;
        let c =
          xNull && yNull
            ? 0
            : xNull
              ? -1
              : yNull
                ? 1
                : (compare({ value: x, type: field.type }, { value: y, type: field.type }) ?? 0);
        if (desc) c = -c;
        if (c !== 0) return c;
      }
      return a.i - b.i;
    })
    .map(({ r }) => r);
}
