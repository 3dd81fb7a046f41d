import { z } from 'zod';
import { NOTIFICATION_KINDS } from './schemas';

/**
 * OpenAPI description of the `notification` fact every injection carries once its record was
 * written (src/vm/notificationView.ts builds it; docs/API.md "The SError syndrome" explains it).
 */
export const esrFieldsResponse = z
  .object({
    ec: z.int().meta({ description: 'exception class, ESR bits 31..26 (0x2f SError, 0x24/0x25 data abort)' }),
    ecName: z.string().meta({ description: 'Linux\'s name of the class: "SError", "DABT (lower EL)", "DABT (current EL)"' }),
    il: z.int(),
    iss: z.string().meta({ description: 'ISS, bits 24..0, "0x…"' }),
    ids: z.int().optional().meta({ description: 'SError: 1 = implementation-defined syndrome (not a RAS error to Linux)' }),
    aet: z.int().optional().meta({ description: 'SError, IDS 0: asynchronous error type, ISS bits 12..10' }),
    aetName: z.enum(['UC', 'UEU', 'UEO', 'UER', 'CE', 'reserved']).optional(),
    aetMeaning: z.string().optional(),
    ea: z.int().optional(),
    fnv: z.int().optional().meta({ description: 'data abort: FAR not valid' }),
    wnr: z.int().optional(),
    dfsc: z.int().optional().meta({ description: 'fault status code, bits 5..0 (0x11 asynchronous SError; 0x10 synchronous external abort)' }),
    dfscName: z.string().optional(),
  })
  .meta({ id: 'EsrFields' });

export const notificationResponse = z
  .object({
    kind: z.enum(NOTIFICATION_KINDS).meta({ description: 'the source\'s HEST notification type' }),
    raised: z.enum(['virtual-serror', 'synchronous-external-abort', 'hed-notify', 'sdei-event', 'interrupt', 'nmi', 'poll', 'none']),
    vcpu: z.int(),
    esr: z.string().optional().meta({ description: 'SEI and SEA: ESR_EL1, "0x" + 8 hex digits', examples: ['0xbe000811'] }),
    esrFields: esrFieldsResponse.optional(),
    esrReason: z.enum(['block-severity', 'given']).optional().meta({ description: 'SEI: syndrome chosen from the block severity, or given as esrIss' }),
    blockSeverity: z.string().optional(),
    far: z.string().optional().meta({ description: 'SEA: FAR_EL1 as raised' }),
    farValid: z.boolean().optional(),
    sdeiEvent: z.int().optional(),
    line: z.int().optional().meta({ description: 'GPIO/SCI/GSIV and interrupts: the HEST notification vector' }),
    pollIntervalMs: z.int().optional(),
    reason: z.string().optional(),
    carried: z.array(z.string()).optional().meta({ description: 'coalesced SError: every injection the one SError the guest took carried' }),
    takenEsr: z.string().optional().meta({ description: 'coalesced SError: the syndrome the guest took (the most severe)' }),
  })
  .meta({ id: 'Notification', description: 'what the device model raised when it wrote the record' });
