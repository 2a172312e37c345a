//! Loads and stores on 64-bit memories (the memory64 proposal, Wasm 3.0): `Instr::Mem64`.
//!
//! Out of line, like the SIMD memory instructions, so the 32-bit forms in the dispatch
//! loop (`Load32`, `Store8Imm`, ...) are untouched. The address is a whole `i64` and the
//! offset 64 bits: their sum is computed without wrapping (spec §4.4.7 "Memory
//! Instructions": `ea = i + memarg.offset`, trapping if `ea + N/8` exceeds the memory's
//! length), so `addr + offset >= 2^64` traps instead of wrapping around to low memory.

use crate::translate::ir::{LoadKind, Mem64Op, Slot, StoreKind, MAX_FRAME_SLOTS};
use crate::TrapKind;

/// The effective address of an `n`-byte access at `addr + offset` in `mem`, bounds-checked.
#[inline]
pub(crate) fn ea64(mem: &[u8], addr: u64, offset: u64, n: usize) -> Result<usize, TrapKind> {
    let start = addr
        .checked_add(offset)
        .and_then(|ea| usize::try_from(ea).ok())
        .ok_or(TrapKind::MemoryOutOfBounds)?;
    match start.checked_add(n) {
        Some(end) if end <= mem.len() => Ok(start),
        _ => Err(TrapKind::MemoryOutOfBounds),
    }
}

fn read<const N: usize>(mem: &[u8], addr: u64, offset: u64) -> Result<[u8; N], TrapKind> {
    let at = ea64(mem, addr, offset, N)?;
    let mut bytes = [0u8; N];
    bytes.copy_from_slice(&mem[at..at + N]);
    Ok(bytes)
}

fn write<const N: usize>(
    mem: &mut [u8],
    addr: u64,
    offset: u64,
    bytes: [u8; N],
) -> Result<(), TrapKind> {
    let at = ea64(mem, addr, offset, N)?;
    mem[at..at + N].copy_from_slice(&bytes);
    Ok(())
}

/// Runs `Instr::Mem64 { op, a, b, .. }` on memory `mem` with the given offset: a load
/// reads the address at `b` and writes `a`, a store reads the address at `a` and the
/// value at `b`.
#[inline(never)]
pub(crate) fn mem64(
    op: Mem64Op,
    mem: &mut [u8],
    s: &mut [u64; MAX_FRAME_SLOTS],
    a: Slot,
    b: Slot,
    offset: u64,
) -> Result<(), TrapKind> {
    match op {
        Mem64Op::Load(kind) => {
            let addr = s[b as usize];
            s[a as usize] = match kind {
                LoadKind::L32 => u32::from_le_bytes(read(mem, addr, offset)?) as u64,
                LoadKind::L64 => u64::from_le_bytes(read(mem, addr, offset)?),
                LoadKind::L8S => i8::from_le_bytes(read(mem, addr, offset)?) as i64 as u64,
                LoadKind::L8U => u8::from_le_bytes(read(mem, addr, offset)?) as u64,
                LoadKind::L16S => i16::from_le_bytes(read(mem, addr, offset)?) as i64 as u64,
                LoadKind::L16U => u16::from_le_bytes(read(mem, addr, offset)?) as u64,
                LoadKind::L32S => i32::from_le_bytes(read(mem, addr, offset)?) as i64 as u64,
            };
            Ok(())
        }
        Mem64Op::Store(kind) => {
            let (addr, v) = (s[a as usize], s[b as usize]);
            match kind {
                StoreKind::S8 => write(mem, addr, offset, (v as u8).to_le_bytes()),
                StoreKind::S16 => write(mem, addr, offset, (v as u16).to_le_bytes()),
                StoreKind::S32 => write(mem, addr, offset, (v as u32).to_le_bytes()),
                StoreKind::S64 => write(mem, addr, offset, v.to_le_bytes()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ea64;
    use crate::TrapKind;

    #[test]
    fn effective_address_never_wraps() {
        let mem = [0u8; 16];
        assert_eq!(ea64(&mem, 8, 4, 4), Ok(12));
        assert_eq!(ea64(&mem, 8, 5, 4), Err(TrapKind::MemoryOutOfBounds));
        // addr + offset = 2^64 + 4 would wrap to 4, which is in bounds: it must trap.
        assert_eq!(ea64(&mem, u64::MAX, 5, 1), Err(TrapKind::MemoryOutOfBounds));
        assert_eq!(ea64(&mem, 5, u64::MAX, 1), Err(TrapKind::MemoryOutOfBounds));
        // Beyond 4 GiB: not truncated to 32 bits.
        assert_eq!(ea64(&mem, 1 << 32, 0, 1), Err(TrapKind::MemoryOutOfBounds));
        assert_eq!(ea64(&mem, 0, 1 << 32, 1), Err(TrapKind::MemoryOutOfBounds));
        // End of the access past usize::MAX.
        assert_eq!(
            ea64(&mem, usize::MAX as u64, 0, 2),
            Err(TrapKind::MemoryOutOfBounds)
        );
    }
}
