import { SectionView, u32AtOrZero } from './sections';

/**
 * log_arm_hw_error's section-length check (drivers/ras/ras.c, 7.3.4), run by
 * ghes_handle_arm_hw_error for every ARM section of at least 40 bytes, whatever its severity:
 * the vendor-specific length is section_length − (40 + 32 × err_info_num + Σ (8 + context size)),
 * in Linux's arithmetic (u32 sums, the result kept in an s32); below zero it prints three
 * pr_warn(FW_BUG …) lines, section_length printed with %d. Context headers are walked by 8 + size
 * (no rounding here); a field past the record reads as 0.
 */
export function armSectionLengthCheck(record: Uint8Array, s: SectionView): string[] {
  const p = s.payloadOffset;
  const errInfoNum = u32AtOrZero(record, p + 4) & 0xffff;
  const ctxNum = (u32AtOrZero(record, p + 4) >>> 16) & 0xffff;
  const sectionLength = u32AtOrZero(record, p + 8);
  const peiLen = (32 * errInfoNum) >>> 0;
  let ctx = p + 40 + peiLen;
  let ctxLen = 0;
  for (let n = 0; n < ctxNum; n++) {
    const sz = (8 + u32AtOrZero(record, ctx + 4)) >>> 0;
    ctx += sz;
    ctxLen = (ctxLen + sz) >>> 0;
  }
  const vsei = (sectionLength - 40 - peiLen - ctxLen) | 0;
  if (vsei >= 0) return [];
  return [`[Firmware Bug]: section length: ${sectionLength | 0}`, '[Firmware Bug]: section length is too small', '[Firmware Bug]: firmware-generated error record is incorrect'];
}
