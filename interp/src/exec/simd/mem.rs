//! The SIMD memory instructions (spec §4.4.7 "Memory Instructions": `v128.load*`,
//! `v128.store*`), bounds-checked like every access, on 32-bit and 64-bit memories
//! (memory64) alike: the address has the memory's address type, and `addr + offset` is
//! computed without wrapping.

use super::{build, extend, get_s, get_v, lane, set_v, with_lane, V};
use crate::exec::mem64::ea64;
use crate::translate::ir::{SimdMemOp, Slot};
use crate::{AddrType, TrapKind};

/// Reads `N` bytes at `addr + offset` (bounds-checked as any access).
fn read<const N: usize>(mem: &[u8], addr: u64, offset: u64) -> Result<[u8; N], TrapKind> {
    let at = ea64(mem, addr, offset, N)?;
    let mut bytes = [0u8; N];
    bytes.copy_from_slice(&mem[at..at + N]);
    Ok(bytes)
}

fn write(mem: &mut [u8], addr: u64, offset: u64, bytes: &[u8]) -> Result<(), TrapKind> {
    let at = ea64(mem, addr, offset, bytes.len())?;
    mem[at..at + bytes.len()].copy_from_slice(bytes);
    Ok(())
}

/// Runs `Instr::SimdMem` (or `SimdMem64`) on memory `mem` of address type `addr_type`:
/// loads write the `v128` at slot `val`, stores read it there; lane loads read the vector
/// at `src` first.
#[inline(never)]
pub(crate) fn simd_mem(
    op: SimdMemOp,
    mem: &mut [u8],
    s: &mut [u64],
    (val, addr, src, lane_idx): (Slot, Slot, Slot, u8),
    offset: u64,
    addr_type: AddrType,
) -> Result<(), TrapKind> {
    use SimdMemOp as M;
    let at = addr_type.of_cell(get_s(s, addr));
    let l = u32::from(lane_idx);
    // The low 8 bytes of a vector from memory, the high 8 zero.
    // (Copied from memory straight into the vector: through an `[u8; 8]` the bytes pass
    // a general register and are moved into the vector one at a time.)
    let half = |mem: &[u8]| -> Result<V, TrapKind> {
        let from = ea64(mem, at, offset, 8)?;
        let mut v = [0u8; 16];
        v[..8].copy_from_slice(&mem[from..from + 8]);
        Ok(v)
    };
    // Each load writes its own result: a vector merged from all the arms lives in general
    // registers, and LLVM then builds every result out of pieces.
    let load = |s: &mut [u64], v: V| set_v(s, val, v);
    match op {
        M::V128Load => load(s, read(mem, at, offset)?),
        M::V128Load8x8S => load(s, extend::<i8, i16>(half(mem)?, false, i16::from)),
        M::V128Load8x8U => load(s, extend::<u8, u16>(half(mem)?, false, u16::from)),
        M::V128Load16x4S => load(s, extend::<i16, i32>(half(mem)?, false, i32::from)),
        M::V128Load16x4U => load(s, extend::<u16, u32>(half(mem)?, false, u32::from)),
        M::V128Load32x2S => load(s, extend::<i32, i64>(half(mem)?, false, i64::from)),
        M::V128Load32x2U => load(s, extend::<u32, u64>(half(mem)?, false, u64::from)),
        M::V128Load8Splat => {
            let [x] = read::<1>(mem, at, offset)?;
            load(s, build(|_| x))
        }
        M::V128Load16Splat => {
            let x = u16::from_le_bytes(read(mem, at, offset)?);
            load(s, build(|_| x))
        }
        M::V128Load32Splat => {
            let x = u32::from_le_bytes(read(mem, at, offset)?);
            load(s, build(|_| x))
        }
        M::V128Load64Splat => {
            let x = u64::from_le_bytes(read(mem, at, offset)?);
            load(s, build(|_| x))
        }
        M::V128Load32Zero => {
            let mut v = [0u8; 16];
            v[..4].copy_from_slice(&read::<4>(mem, at, offset)?);
            load(s, v)
        }
        M::V128Load64Zero => load(s, half(mem)?),
        M::V128Load8Lane => {
            let [x] = read::<1>(mem, at, offset)?;
            load(s, with_lane(get_v(s, src), l & 15, x))
        }
        M::V128Load16Lane => {
            let x = u16::from_le_bytes(read(mem, at, offset)?);
            load(s, with_lane(get_v(s, src), l & 7, x))
        }
        M::V128Load32Lane => {
            let x = u32::from_le_bytes(read(mem, at, offset)?);
            load(s, with_lane(get_v(s, src), l & 3, x))
        }
        M::V128Load64Lane => {
            let x = u64::from_le_bytes(read(mem, at, offset)?);
            load(s, with_lane(get_v(s, src), l & 1, x))
        }
        M::V128Store => write(mem, at, offset, &get_v(s, val))?,
        M::V128Store8Lane => {
            write(mem, at, offset, &[lane::<u8>(get_v(s, val), l & 15)])?;
        }
        M::V128Store16Lane => {
            let x = lane::<u16>(get_v(s, val), l & 7);
            write(mem, at, offset, &x.to_le_bytes())?;
        }
        M::V128Store32Lane => {
            let x = lane::<u32>(get_v(s, val), l & 3);
            write(mem, at, offset, &x.to_le_bytes())?;
        }
        M::V128Store64Lane => {
            let x = lane::<u64>(get_v(s, val), l & 1);
            write(mem, at, offset, &x.to_le_bytes())?;
        }
    }
    Ok(())
}
