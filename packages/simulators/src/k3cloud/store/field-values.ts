import type { FieldType } from '../types';

export type Normalised = { ok: true; value: unknown } | { ok: false; message: string };

const DECIMAL = /^[-+]?\d+(\.\d+)?$/;
const DATETIME = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$/;

/** `YYYY-MM-DD[ HH:mm[:ss]]` or `…T…` → K3's query form `YYYY-MM-DDTHH:mm:ss` (docs/apis/k3cloud.md §6), or undefined. */
export function toK3DateTime(text: string): string | undefined {
  const m = DATETIME.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00'] = m;
  return `${y}-${mo}-${d}T${h}:${mi}:${s}`;
}

const TYPE_LABEL: Record<FieldType, string> = {
  text: '文本',
  int: '整数',
  decimal: '数值',
  datetime: '日期',
  bool: '布尔',
};

/**
 * Coerces a saved value the way the server's typed metadata would: ints and decimals accept numbers
 * or numeric strings, dates any common layout, checkboxes bools or "true"/"false"/"1"/"0".
 * The rejection text is an ASSUMPTION (no capture of K3's conversion error exists).
 */
export function normaliseValue(field: string, type: FieldType | undefined, value: unknown): Normalised {
  if (value === null || value === undefined || type === undefined || type === 'text') return { ok: true, value };
  const bad = (): Normalised => ({
    ok: false,
    message: `字段“${field}”的值“${String(value)}”不是有效的${TYPE_LABEL[type]}`,
  });
  switch (type) {
    case 'int': {
      const n =
        typeof value === 'number'
          ? value
          : typeof value === 'string' && /^[-+]?\d+$/.test(value.trim())
            ? Number(value)
            : NaN;
      return Number.isInteger(n) ? { ok: true, value: n } : bad();
    }
    case 'decimal':
      if (typeof value === 'number') return Number.isFinite(value) ? { ok: true, value } : bad();
      if (typeof value === 'string')
        return value.trim() === ''
          ? { ok: true, value: '0' }
          : DECIMAL.test(value.trim())
            ? { ok: true, value: value.trim() }
            : bad();
      return bad();
    case 'datetime': {
      if (typeof value !== 'string') return bad();
      if (value.trim() === '') return { ok: true, value: null };
      const dt = toK3DateTime(value);
      return dt ? { ok: true, value: dt } : bad();
    }
    case 'bool':
      if (typeof value === 'boolean') return { ok: true, value };
      if (value === 1 || value === 0) return { ok: true, value: value === 1 };
      if (typeof value === 'string' && /^(true|false|1|0)$/i.test(value.trim()))
        return { ok: true, value: /^(true|1)$/i.test(value.trim()) };
      return bad();
  }
}

/** How ExecuteBillQuery renders a stored value: decimals as JSON numbers, checkboxes as bools. */
export function renderValue(type: FieldType | undefined, value: unknown): unknown {
  if (value === undefined) return null;
  if (type === 'decimal' && typeof value === 'string') return Number(value);
  return value;
}
