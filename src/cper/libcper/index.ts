/**
 * libcper (openbmc/libcper) JSON, both ways: `cperRecordToLibcper` (what `cper-convert to-json`
 * prints), `libcperToCperRecord` (bytes libcper decodes to the same JSON), the exact JSON text
 * helpers, and the mapping tables (see table.ts, sections/, docs/LIBCPER.md).
 */
export { cperRecordToLibcper, cperRecordToLibcperText, libcperToCperRecord, libcperToCperRecordInput, libcperTimestamp } from './record';
export { parseLibcperJson, libcperJsonText } from './json-text';
export type { LibcperValue, LibcperObject } from './json-text';
export { SECTION_MAPPINGS, LIBCPER_KNOWN_SECTIONS } from './sections';
