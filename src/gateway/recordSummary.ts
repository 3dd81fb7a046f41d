/**
 * A short summary of a decoded status block (the CPER JSON form the guest reports): the block
 * severity name and the section type of each entry, in order. Used for the store's indexed
 * columns and the `rasgw events --summary` counts. The decoded value comes from another layer,
 * so nothing about its shape is assumed: missing or odd fields give an empty summary, never an
 * exception.
 */
export interface RecordSummary {
  severity?: string;
  sections: string[];
}

function nameOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o.name === 'string' && o.name !== 'unknown') return o.name;
    if (typeof o.value === 'number') return `0x${o.value.toString(16)}`;
  }
  return undefined;
}

export function summariseDecodedRecord(decoded: unknown): RecordSummary {
  if (decoded === null || typeof decoded !== 'object') return { sections: [] };
  const d = decoded as Record<string, unknown>;
  const out: RecordSummary = { sections: [] };
  const severity = nameOf(d.errorSeverity);
  if (severity !== undefined) out.severity = severity;
  if (Array.isArray(d.entries)) {
    for (const e of d.entries) {
      const section = e !== null && typeof e === 'object' ? ((e as Record<string, unknown>).section as Record<string, unknown> | undefined) : undefined;
      if (section && typeof section === 'object') {
        const t = section.type;
        const guid = section.guid;
        out.sections.push(typeof t === 'string' && t !== 'unknown' ? t : typeof guid === 'string' ? guid : 'unknown');
      } else out.sections.push('unknown');
    }
  }
  return out;
}
