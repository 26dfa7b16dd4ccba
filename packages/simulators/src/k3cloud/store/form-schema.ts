import type { FieldType, FormFieldConfig } from '../types';

/** Field keys are matched case-insensitively (K3's JSON binding is; docs/apis/k3cloud.md §1.1), stored canonically. */
const lower = (s: string) => s.toLowerCase();

export interface EntitySchema {
  name: string;
  fields: Map<string, string>;
}

/** The metadata of one form: which header fields and entry entities exist, and the field types. */
export class FormSchema {
  private readonly header = new Map<string, string>();
  private readonly entities = new Map<string, EntitySchema>();
  private lacking: Set<string>;

  /** `lacking`: keys this tenant's metadata does not have, whatever config or bills say. */
  constructor(
    readonly formId: string,
    private readonly types: Record<string, FieldType>,
    lacking: Iterable<string> = [],
  ) {
    this.lacking = new Set([...lacking].map(lower));
  }

  /** The tenant adds or drops fields (a BOS change): applies to the next request. */
  setLacking(keys: Iterable<string>): void {
    this.lacking = new Set([...keys].map(lower));
  }

  addConfig(config: FormFieldConfig | undefined): void {
    for (const name of config?.header ?? []) this.addHeader(name);
    for (const [entity, fields] of Object.entries(config?.entities ?? {})) this.addEntity(entity, fields);
  }

  addHeader(name: string): void {
    if (!this.header.has(lower(name))) this.header.set(lower(name), name);
  }

  addEntity(name: string, fields: Iterable<string>): void {
    let entity = this.entities.get(lower(name));
    if (!entity) {
      entity = { name, fields: new Map([['fentryid', 'FEntryID']]) };
      this.entities.set(lower(name), entity);
    }
    for (const f of fields) if (!entity.fields.has(lower(f))) entity.fields.set(lower(f), f);
  }

  /** Every array property of a seeded bill is an entry entity, every other property a header field. */
  learn(bill: Record<string, unknown>): void {
    for (const [key, value] of Object.entries(bill)) {
      if (Array.isArray(value)) {
        const keys = new Set<string>();
        for (const row of value) if (row && typeof row === 'object') for (const k of Object.keys(row)) keys.add(k);
        this.addEntity(key, keys);
      } else {
        this.addHeader(key);
      }
    }
  }

  /** Whether the tenant's metadata lacks this key (configured with `lackingFields`). */
  lacks(name: string): boolean {
    return this.lacking.has(lower(name));
  }

  headerField(name: string): string | undefined {
    return this.lacks(name) ? undefined : this.header.get(lower(name));
  }

  /** The entity as the tenant's metadata has it: without the fields it lacks. */
  entity(name: string): EntitySchema | undefined {
    const entity = this.lacks(name) ? undefined : this.entities.get(lower(name));
    if (!entity || this.lacking.size === 0) return entity;
    return { name: entity.name, fields: new Map([...entity.fields].filter(([key]) => !this.lacking.has(key))) };
  }

  entityNames(): string[] {
    return [...this.entities.values()].filter((e) => !this.lacks(e.name)).map((e) => e.name);
  }

  /** The entity owning a row field (FEntryID alone is ambiguous and never resolved here). */
  entityOfField(name: string): { entity: string; field: string } | undefined {
    if (lower(name) === 'fentryid' || this.lacks(name)) return undefined;
    for (const entity of this.entities.values()) {
      if (this.lacks(entity.name)) continue;
      const field = entity.fields.get(lower(name));
      if (field) return { entity: entity.name, field };
    }
    return undefined;
  }

  typeOf(field: string): FieldType | undefined {
    return this.types[field];
  }
}
