import { ByteReader, ByteWriter, RasgwError } from '../binary';
import type { GuestMemory, MemoryActor } from '../guest-memory/GuestMemory';
import { FW_CFG_DMA_DESCRIPTOR_SIZE, FwCfgDmaControl } from './constants';
import { FwCfg } from './FwCfg';

/**
 * The fw_cfg DMA descriptor (16 bytes, all BIG-endian): u32 control @0, u32 length @4, u64
 * address @8. The guest writes it in its memory and puts its address in the DMA address register;
 * the device performs the operation against guest memory and writes the control word back (0, or
 * the error bit).
 */
export interface FwCfgDmaDescriptor {
  control: number;
  length: number;
  address: bigint;
}

export function encodeDmaDescriptor(d: FwCfgDmaDescriptor): Uint8Array {
  const w = new ByteWriter(FW_CFG_DMA_DESCRIPTOR_SIZE);
  w.u32be(0, d.control >>> 0, 'control');
  w.u32be(4, d.length, 'length');
  w.u64be(8, d.address, 'address');
  return w.bytes;
}

export function decodeDmaDescriptor(bytes: Uint8Array): FwCfgDmaDescriptor {
  const r = new ByteReader(bytes, 0, bytes.length, 'fw_cfg_dma');
  return { control: r.u32be(0, 'control'), length: r.u32be(4, 'length'), address: r.u64be(8, 'address') };
}

/**
 * Runs the descriptor at guest address `descriptorAddress` (the DMA address register write).
 * Data moves between the item and guest memory at the descriptor's address; `actor` is whose
 * memory rights the transfer uses (the firmware during boot). A guest-memory failure sets the
 * error bit, as `dma_memory_read/write` failing does in QEMU. Returns the control word written back.
 */
export function runDmaDescriptor(fwCfg: FwCfg, memory: GuestMemory, descriptorAddress: bigint, actor: MemoryActor = 'firmware'): number {
  const d = decodeDmaDescriptor(memory.read(descriptorAddress, FW_CFG_DMA_DESCRIPTOR_SIZE));
  let control: number;
  try {
    if (d.control & FwCfgDmaControl.READ) {
      const res = fwCfg.dma(d.control, d.length);
      if (d.length > 0) memory.write(d.address, res.data!, actor);
      control = res.control;
    } else if (d.control & FwCfgDmaControl.WRITE) {
      const data = memory.read(d.address, d.length);
      control = fwCfg.dma(d.control, d.length, data).control;
    } else {
      control = fwCfg.dma(d.control, d.length).control;
    }
  } catch (e) {
    if (!(e instanceof RasgwError)) throw e;
    control = FwCfgDmaControl.ERROR;
  }
  const back = new Uint8Array(4);
  new DataView(back.buffer).setUint32(0, control, false);
  memory.write(descriptorAddress, back, actor);
  return control;
}
