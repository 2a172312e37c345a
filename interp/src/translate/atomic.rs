//! Translation of the threads proposal's atomic memory instructions (threads proposal
//! §"Atomic Memory Accesses", `memory.atomic.wait32/64`, `memory.atomic.notify`,
//! `atomic.fence`).
//!
//! Each becomes one [`Instr::Atomic`] (an [`AtomicOp`] and the access width in bytes)
//! followed by `Data(offset)` and `Data(memory index)`, run out of line by
//! `exec::atomic`, so the scalar load/store instructions and the dispatch loop stay as
//! they are. A store is one agent (see `Config::wasm_threads`), so `atomic.fence` orders
//! nothing that is not already in order and emits no instruction.

use super::{memory_index, offset32, Translator};
use crate::error::{Error, Result};
use crate::translate::ir::Instr;
use wasmparser::Operator;

/// What an [`Instr::Atomic`] does. Loads and read-modify-writes zero-extend the value
/// they read from memory to the result type (`_u`); stores and read-modify-writes use the
/// low `width` bytes of their operand (spec: `wrap`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum AtomicOp {
    /// `t.atomic.load*`: `addr -> dst`.
    Load,
    /// `t.atomic.store*`: `addr a ->`.
    Store,
    /// `t.atomic.rmw*.add`: `addr a -> dst` (the old value).
    RmwAdd,
    /// `t.atomic.rmw*.sub`
    RmwSub,
    /// `t.atomic.rmw*.and`
    RmwAnd,
    /// `t.atomic.rmw*.or`
    RmwOr,
    /// `t.atomic.rmw*.xor`
    RmwXor,
    /// `t.atomic.rmw*.xchg`
    RmwXchg,
    /// `t.atomic.rmw*.cmpxchg`: `addr a b -> dst`: the old value; `b` replaces it when it
    /// equals `a` wrapped to the width.
    RmwCmpxchg,
    /// `memory.atomic.notify`: `addr a -> dst` (`a` the most waiters to wake).
    Notify,
    /// `memory.atomic.wait32` (width 4) and `wait64` (width 8): `addr a b -> dst` (`a`
    /// the expected value, `b` the timeout in nanoseconds, negative for none).
    Wait,
}

/// The [`AtomicOp`] and access width in bytes of an atomic operator, if `op` is one.
fn atomic_op(op: &Operator<'_>) -> Option<(AtomicOp, u8, wasmparser::MemArg)> {
    use AtomicOp as A;
    use Operator as O;
    Some(match *op {
        O::I32AtomicLoad { memarg } => (A::Load, 4, memarg),
        O::I64AtomicLoad { memarg } => (A::Load, 8, memarg),
        O::I32AtomicLoad8U { memarg } | O::I64AtomicLoad8U { memarg } => (A::Load, 1, memarg),
        O::I32AtomicLoad16U { memarg } | O::I64AtomicLoad16U { memarg } => (A::Load, 2, memarg),
        O::I64AtomicLoad32U { memarg } => (A::Load, 4, memarg),
        O::I32AtomicStore { memarg } => (A::Store, 4, memarg),
        O::I64AtomicStore { memarg } => (A::Store, 8, memarg),
        O::I32AtomicStore8 { memarg } | O::I64AtomicStore8 { memarg } => (A::Store, 1, memarg),
        O::I32AtomicStore16 { memarg } | O::I64AtomicStore16 { memarg } => (A::Store, 2, memarg),
        O::I64AtomicStore32 { memarg } => (A::Store, 4, memarg),
        O::I32AtomicRmwAdd { memarg } => (A::RmwAdd, 4, memarg),
        O::I64AtomicRmwAdd { memarg } => (A::RmwAdd, 8, memarg),
        O::I32AtomicRmw8AddU { memarg } | O::I64AtomicRmw8AddU { memarg } => (A::RmwAdd, 1, memarg),
        O::I32AtomicRmw16AddU { memarg } | O::I64AtomicRmw16AddU { memarg } => {
            (A::RmwAdd, 2, memarg)
        }
        O::I64AtomicRmw32AddU { memarg } => (A::RmwAdd, 4, memarg),
        O::I32AtomicRmwSub { memarg } => (A::RmwSub, 4, memarg),
        O::I64AtomicRmwSub { memarg } => (A::RmwSub, 8, memarg),
        O::I32AtomicRmw8SubU { memarg } | O::I64AtomicRmw8SubU { memarg } => (A::RmwSub, 1, memarg),
        O::I32AtomicRmw16SubU { memarg } | O::I64AtomicRmw16SubU { memarg } => {
            (A::RmwSub, 2, memarg)
        }
        O::I64AtomicRmw32SubU { memarg } => (A::RmwSub, 4, memarg),
        O::I32AtomicRmwAnd { memarg } => (A::RmwAnd, 4, memarg),
        O::I64AtomicRmwAnd { memarg } => (A::RmwAnd, 8, memarg),
        O::I32AtomicRmw8AndU { memarg } | O::I64AtomicRmw8AndU { memarg } => (A::RmwAnd, 1, memarg),
        O::I32AtomicRmw16AndU { memarg } | O::I64AtomicRmw16AndU { memarg } => {
            (A::RmwAnd, 2, memarg)
        }
        O::I64AtomicRmw32AndU { memarg } => (A::RmwAnd, 4, memarg),
        O::I32AtomicRmwOr { memarg } => (A::RmwOr, 4, memarg),
        O::I64AtomicRmwOr { memarg } => (A::RmwOr, 8, memarg),
        O::I32AtomicRmw8OrU { memarg } | O::I64AtomicRmw8OrU { memarg } => (A::RmwOr, 1, memarg),
        O::I32AtomicRmw16OrU { memarg } | O::I64AtomicRmw16OrU { memarg } => (A::RmwOr, 2, memarg),
        O::I64AtomicRmw32OrU { memarg } => (A::RmwOr, 4, memarg),
        O::I32AtomicRmwXor { memarg } => (A::RmwXor, 4, memarg),
        O::I64AtomicRmwXor { memarg } => (A::RmwXor, 8, memarg),
        O::I32AtomicRmw8XorU { memarg } | O::I64AtomicRmw8XorU { memarg } => (A::RmwXor, 1, memarg),
        O::I32AtomicRmw16XorU { memarg } | O::I64AtomicRmw16XorU { memarg } => {
            (A::RmwXor, 2, memarg)
        }
        O::I64AtomicRmw32XorU { memarg } => (A::RmwXor, 4, memarg),
        O::I32AtomicRmwXchg { memarg } => (A::RmwXchg, 4, memarg),
        O::I64AtomicRmwXchg { memarg } => (A::RmwXchg, 8, memarg),
        O::I32AtomicRmw8XchgU { memarg } | O::I64AtomicRmw8XchgU { memarg } => {
            (A::RmwXchg, 1, memarg)
        }
        O::I32AtomicRmw16XchgU { memarg } | O::I64AtomicRmw16XchgU { memarg } => {
            (A::RmwXchg, 2, memarg)
        }
        O::I64AtomicRmw32XchgU { memarg } => (A::RmwXchg, 4, memarg),
        O::I32AtomicRmwCmpxchg { memarg } => (A::RmwCmpxchg, 4, memarg),
        O::I64AtomicRmwCmpxchg { memarg } => (A::RmwCmpxchg, 8, memarg),
        O::I32AtomicRmw8CmpxchgU { memarg } | O::I64AtomicRmw8CmpxchgU { memarg } => {
            (A::RmwCmpxchg, 1, memarg)
        }
        O::I32AtomicRmw16CmpxchgU { memarg } | O::I64AtomicRmw16CmpxchgU { memarg } => {
            (A::RmwCmpxchg, 2, memarg)
        }
        O::I64AtomicRmw32CmpxchgU { memarg } => (A::RmwCmpxchg, 4, memarg),
        O::MemoryAtomicNotify { memarg } => (A::Notify, 4, memarg),
        O::MemoryAtomicWait32 { memarg } => (A::Wait, 4, memarg),
        O::MemoryAtomicWait64 { memarg } => (A::Wait, 8, memarg),
        _ => return None,
    })
}

impl Translator<'_> {
    /// Translates an atomic operator; `Ok(false)` if `op` is not one.
    pub(super) fn atomic_operator(&mut self, op: &Operator<'_>) -> Result<bool> {
        if let Operator::AtomicFence { .. } = op {
            return Ok(true);
        }
        let Some((op, width, memarg)) = atomic_op(op) else {
            return Ok(false);
        };
        let mem = memory_index(&memarg)?;
        // Atomics address 32-bit memories only for now: `exec::atomic` computes 32-bit
        // effective addresses (a 64-bit form would follow `Instr::Mem64`).
        if self.memory_addr_type(mem) == crate::AddrType::I64 {
            return Err(Error::Unsupported(
                "atomic access to a 64-bit memory".into(),
            ));
        }
        let offset = offset32(&memarg)?;
        // Operands after the address, popped last first.
        let operands = match op {
            AtomicOp::Load => 0,
            AtomicOp::Store
            | AtomicOp::RmwAdd
            | AtomicOp::RmwSub
            | AtomicOp::RmwAnd
            | AtomicOp::RmwOr
            | AtomicOp::RmwXor
            | AtomicOp::RmwXchg
            | AtomicOp::Notify => 1,
            AtomicOp::RmwCmpxchg | AtomicOp::Wait => 2,
        };
        let b = if operands == 2 { self.pop_slot() } else { 0 };
        let a = if operands >= 1 { self.pop_slot() } else { 0 };
        let addr = self.pop_slot();
        // The handler reads every operand before it writes, so the result may take the
        // address's slot.
        let dst = if op == AtomicOp::Store {
            0
        } else {
            self.push_temp()
        };
        self.emit(Instr::Atomic {
            op,
            width,
            dst,
            addr,
            a,
            b,
        });
        self.emit(Instr::Data(offset));
        self.emit(Instr::Data(mem));
        Ok(true)
    }
}
