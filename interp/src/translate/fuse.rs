//! Super-instructions: a comparison followed by a branch on its result becomes one
//! compare-and-branch instruction.

use super::ir::{Instr, Slot};

/// If `cmp` is a comparison writing `cond`, the instruction that branches when the
/// comparison holds (or fails, when `negate`), with its target still to be set.
pub(super) fn compare_branch(cmp: Instr, cond: Slot, negate: bool) -> Option<Instr> {
    use Instr::*;
    const T: u32 = u32::MAX;
    macro_rules! fuse {
        (
            reg { $($op:ident => $yes:ident, $no:ident;)* }
            imm { $($iop:ident => $iyes:ident, $ino:ident;)* }
        ) => {
            match cmp {
                $($op { dst, lhs, rhs } if dst == cond => Some(if negate {
                    $no { lhs, rhs, target: T }
                } else {
                    $yes { lhs, rhs, target: T }
                }),)*
                $($iop { dst, lhs, imm } if dst == cond => Some(if negate {
                    $ino { lhs, imm, target: T }
                } else {
                    $iyes { lhs, imm, target: T }
                }),)*
                I32Eqz { dst, src } if dst == cond => Some(if negate {
                    BrIfNez { cond: src, target: T }
                } else {
                    BrIfEqz { cond: src, target: T }
                }),
                I64Eqz { dst, src } if dst == cond => Some(if negate {
                    BrIfI64Nez { cond: src, target: T }
                } else {
                    BrIfI64Eqz { cond: src, target: T }
                }),
                _ => None,
            }
        };
    }
    fuse! {
        reg {
        I32Eq => BrIfI32Eq, BrIfI32Ne;
        I32Ne => BrIfI32Ne, BrIfI32Eq;
        I32LtS => BrIfI32LtS, BrIfI32GeS;
        I32LtU => BrIfI32LtU, BrIfI32GeU;
        I32GtS => BrIfI32GtS, BrIfI32LeS;
        I32GtU => BrIfI32GtU, BrIfI32LeU;
        I32LeS => BrIfI32LeS, BrIfI32GtS;
        I32LeU => BrIfI32LeU, BrIfI32GtU;
        I32GeS => BrIfI32GeS, BrIfI32LtS;
        I32GeU => BrIfI32GeU, BrIfI32LtU;
        I64Eq => BrIfI64Eq, BrIfI64Ne;
        I64Ne => BrIfI64Ne, BrIfI64Eq;
        I64LtS => BrIfI64LtS, BrIfI64GeS;
        I64LtU => BrIfI64LtU, BrIfI64GeU;
        I64GtS => BrIfI64GtS, BrIfI64LeS;
        I64GtU => BrIfI64GtU, BrIfI64LeU;
        I64LeS => BrIfI64LeS, BrIfI64GtS;
        I64LeU => BrIfI64LeU, BrIfI64GtU;
        I64GeS => BrIfI64GeS, BrIfI64LtS;
        I64GeU => BrIfI64GeU, BrIfI64LtU;
        }
        imm {
        I32EqImm => BrIfI32EqImm, BrIfI32NeImm;
        I32NeImm => BrIfI32NeImm, BrIfI32EqImm;
        I32LtSImm => BrIfI32LtSImm, BrIfI32GeSImm;
        I32LtUImm => BrIfI32LtUImm, BrIfI32GeUImm;
        I32GtSImm => BrIfI32GtSImm, BrIfI32LeSImm;
        I32GtUImm => BrIfI32GtUImm, BrIfI32LeUImm;
        I32LeSImm => BrIfI32LeSImm, BrIfI32GtSImm;
        I32LeUImm => BrIfI32LeUImm, BrIfI32GtUImm;
        I32GeSImm => BrIfI32GeSImm, BrIfI32LtSImm;
        I32GeUImm => BrIfI32GeUImm, BrIfI32LtUImm;
        I64EqImm => BrIfI64EqImm, BrIfI64NeImm;
        I64NeImm => BrIfI64NeImm, BrIfI64EqImm;
        I64LtSImm => BrIfI64LtSImm, BrIfI64GeSImm;
        I64LtUImm => BrIfI64LtUImm, BrIfI64GeUImm;
        I64GtSImm => BrIfI64GtSImm, BrIfI64LeSImm;
        I64GtUImm => BrIfI64GtUImm, BrIfI64LeUImm;
        }
    }
}
