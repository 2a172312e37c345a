//! The atomic memory instructions of the threads proposal, run by `Instr::Atomic`.
//!
//! A store is one agent (see `Config::wasm_threads`): nothing runs concurrently with the
//! executor, so an atomic access is an ordinary access of memory's bytes, and every
//! execution is sequentially consistent. What atomics add is checked here: the effective
//! address must be a multiple of the access width ("unaligned atomic", checked before
//! bounds), `wait` needs a shared memory, and its outcome follows from there being no
//! other agent: `notify` wakes no one (0), and `wait` on a matching value can only time
//! out.

use super::ea;
use crate::store::MemoryEntity;
use crate::translate::ir::{AtomicOp, Slot};
use crate::TrapKind;

/// `memory.atomic.wait*` result (threads proposal; 0, "ok", needs a `notify`): the
/// loaded value differed from the expected one.
const WAIT_NOT_EQUAL: u64 = 1;
/// The timeout passed without a `notify`.
const WAIT_TIMED_OUT: u64 = 2;

/// The effective address of an atomic access of `n` bytes (a power of two) at `addr +
/// offset`: it traps "unaligned atomic" unless naturally aligned, then is bounds-checked
/// like every access. The one place atomics compute addresses, so a 64-bit index type
/// changes only this and `exec::ea`.
fn effective_address(mem: &[u8], addr: u64, offset: u32, n: usize) -> Result<usize, TrapKind> {
    let at = u64::from(addr as u32) + u64::from(offset);
    if at & (n as u64 - 1) != 0 {
        return Err(TrapKind::UnalignedAtomic);
    }
    ea(mem, addr, offset, n)
}

/// Reads `n` little-endian bytes at `at` (in bounds), zero-extended.
fn read(mem: &[u8], at: usize, n: usize) -> u64 {
    let mut bytes = [0u8; 8];
    bytes[..n].copy_from_slice(&mem[at..at + n]);
    u64::from_le_bytes(bytes)
}

/// Writes the low `n` bytes of `v` at `at` (in bounds), little-endian (spec: `wrap`).
fn write(mem: &mut [u8], at: usize, n: usize, v: u64) {
    mem[at..at + n].copy_from_slice(&v.to_le_bytes()[..n]);
}

/// `v` wrapped to `n` bytes.
fn wrap(v: u64, n: usize) -> u64 {
    if n >= 8 {
        v
    } else {
        v & ((1u64 << (8 * n)) - 1)
    }
}

/// Runs `Instr::Atomic` on memory `mem`: operands in slots `addr`, `a`, `b` of the frame
/// `s`, result in `dst` (read before written, so `dst` may be an operand's slot).
#[inline(never)]
pub(crate) fn atomic(
    op: AtomicOp,
    width: u8,
    mem: &mut MemoryEntity,
    s: &mut [u64],
    (dst, addr, a, b): (Slot, Slot, Slot, Slot),
    offset: u32,
) -> Result<(), TrapKind> {
    let n = usize::from(width).clamp(1, 8);
    let get = |slot: Slot| s.get(slot as usize).copied().unwrap_or(0);
    let (addr, a, b) = (get(addr), get(a), get(b));
    let at = effective_address(&mem.data, addr, offset, n)?;
    let old = read(&mem.data, at, n);
    let new = match op {
        AtomicOp::Load => None,
        AtomicOp::Store => {
            write(&mut mem.data, at, n, a);
            return Ok(());
        }
        AtomicOp::RmwAdd => Some(old.wrapping_add(a)),
        AtomicOp::RmwSub => Some(old.wrapping_sub(a)),
        AtomicOp::RmwAnd => Some(old & a),
        AtomicOp::RmwOr => Some(old | a),
        AtomicOp::RmwXor => Some(old ^ a),
        AtomicOp::RmwXchg => Some(a),
        // The expected value is wrapped to the access width before the comparison, so
        // `i32.atomic.rmw8.cmpxchg_u` with expected 0x111 matches a byte 0x11.
        AtomicOp::RmwCmpxchg => (old == wrap(a, n)).then_some(b),
        // No agent waits on this store's memories.
        AtomicOp::Notify => return set(s, dst, 0),
        AtomicOp::Wait => {
            if !mem.ty.shared {
                return Err(TrapKind::ExpectedSharedMemory);
            }
            if old != wrap(a, n) {
                return set(s, dst, WAIT_NOT_EQUAL);
            }
            // No other agent can `notify`: the wait ends only by its timeout.
            let Ok(nanos) = u64::try_from(b as i64) else {
                return Err(TrapKind::AtomicWaitForever);
            };
            sleep(nanos);
            return set(s, dst, WAIT_TIMED_OUT);
        }
    };
    if let Some(new) = new {
        write(&mut mem.data, at, n, new);
    }
    set(s, dst, old)
}

fn set(s: &mut [u64], slot: Slot, v: u64) -> Result<(), TrapKind> {
    if let Some(cell) = s.get_mut(slot as usize) {
        *cell = v;
    }
    Ok(())
}

/// Suspends the thread for the timeout of a `wait` that no one can end early.
fn sleep(nanos: u64) {
    if nanos > 0 {
        std::thread::sleep(std::time::Duration::from_nanos(nanos));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{Limits, MemoryType};

    fn memory(shared: bool) -> MemoryEntity {
        let ty = MemoryType {
            limits: Limits {
                min: 1,
                max: Some(1),
            },
            addr_type: crate::AddrType::I32,
            shared,
        };
        MemoryEntity::new(ty, 16, 1).unwrap()
    }

    /// Runs `op` with operands `addr`, `a`, `b` (slots 0, 1, 2), result in slot 3.
    fn run(op: AtomicOp, width: u8, m: &mut MemoryEntity, ops: [u64; 3]) -> Result<u64, TrapKind> {
        let mut s = [ops[0], ops[1], ops[2], 0xdead];
        atomic(op, width, m, &mut s, (3, 0, 1, 2), 0)?;
        Ok(s[3])
    }

    #[test]
    fn alignment_is_checked_before_bounds() {
        let mut m = memory(true);
        assert_eq!(
            run(AtomicOp::Load, 4, &mut m, [2, 0, 0]),
            Err(TrapKind::UnalignedAtomic)
        );
        // Misaligned and out of bounds: unaligned wins.
        assert_eq!(
            run(AtomicOp::Load, 8, &mut m, [65537, 0, 0]),
            Err(TrapKind::UnalignedAtomic)
        );
        assert_eq!(
            run(AtomicOp::Load, 8, &mut m, [65536, 0, 0]),
            Err(TrapKind::MemoryOutOfBounds)
        );
        // Bytes are always aligned; the last byte is in bounds.
        assert_eq!(run(AtomicOp::Load, 1, &mut m, [65535, 0, 0]), Ok(0));
        // The largest address and offset do not overflow: 2^33 - 2 is misaligned for 8
        // bytes, 2^32 is aligned and out of bounds.
        let mut s = [u64::from(u32::MAX), 0, 0, 0];
        let r = atomic(AtomicOp::Load, 8, &mut m, &mut s, (3, 0, 1, 2), u32::MAX);
        assert_eq!(r, Err(TrapKind::UnalignedAtomic));
        let mut s = [1, 0, 0, 0];
        let r = atomic(AtomicOp::RmwAdd, 8, &mut m, &mut s, (3, 0, 1, 2), u32::MAX);
        assert_eq!(r, Err(TrapKind::MemoryOutOfBounds));
        // The offset counts: address 1 + offset 3 is aligned for 4 bytes.
        let mut s = [1u64, 0, 0, 0];
        assert_eq!(
            atomic(AtomicOp::Load, 4, &mut m, &mut s, (3, 0, 1, 2), 3),
            Ok(())
        );
    }

    #[test]
    fn cmpxchg_wraps_expected_and_zero_extends() {
        let mut m = memory(false);
        m.data[..8].copy_from_slice(&0x1111_1111_1111_1111u64.to_le_bytes());
        // Expected 0x111 wraps to 0x11 for a byte access: it matches.
        assert_eq!(
            run(AtomicOp::RmwCmpxchg, 1, &mut m, [0, 0x111, 0xffcd]),
            Ok(0x11)
        );
        assert_eq!(m.data[0], 0xcd);
        assert_eq!(m.data[1], 0x11);
        // No match: memory unchanged, the old value zero-extended.
        assert_eq!(
            run(AtomicOp::RmwCmpxchg, 2, &mut m, [2, 0, 0xbeef]),
            Ok(0x1111)
        );
        assert_eq!(&m.data[2..4], &[0x11, 0x11]);
        // Full width: 64 bits compared.
        assert_eq!(
            run(
                AtomicOp::RmwCmpxchg,
                8,
                &mut m,
                [0, 0x1111_1111_1111_11cd, 7]
            ),
            Ok(0x1111_1111_1111_11cd)
        );
        assert_eq!(run(AtomicOp::Load, 8, &mut m, [0, 0, 0]), Ok(7));
        // Read-modify-writes wrap to their width and return the old value.
        assert_eq!(run(AtomicOp::RmwSub, 1, &mut m, [0, 8, 0]), Ok(7));
        assert_eq!(run(AtomicOp::Load, 1, &mut m, [0, 0, 0]), Ok(0xff));
    }

    #[test]
    fn wait_and_notify_with_one_agent() {
        let mut m = memory(true);
        // notify wakes no one, on shared and unshared memories alike.
        assert_eq!(run(AtomicOp::Notify, 4, &mut m, [0, 5, 0]), Ok(0));
        assert_eq!(
            run(AtomicOp::Notify, 4, &mut memory(false), [0, 5, 0]),
            Ok(0)
        );
        assert_eq!(
            run(AtomicOp::Wait, 4, &mut m, [0, 1, 0]),
            Ok(WAIT_NOT_EQUAL)
        );
        assert_eq!(
            run(AtomicOp::Wait, 8, &mut m, [0, 0, 1000]),
            Ok(WAIT_TIMED_OUT)
        );
        assert_eq!(
            run(AtomicOp::Wait, 4, &mut m, [0, 0, u64::MAX]),
            Err(TrapKind::AtomicWaitForever)
        );
        assert_eq!(
            run(AtomicOp::Wait, 4, &mut memory(false), [0, 0, 0]),
            Err(TrapKind::ExpectedSharedMemory)
        );
        assert_eq!(
            run(AtomicOp::Wait, 4, &mut m, [2, 0, 0]),
            Err(TrapKind::UnalignedAtomic)
        );
    }
}
