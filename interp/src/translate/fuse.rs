//! Super-instructions and branch peepholes: a comparison followed by a branch on its
//! result becomes one compare-and-branch instruction; a conditional exit followed by a
//! jump back is inverted so loops take one dispatch per iteration.

use super::ir::{Instr, Slot};

/// If `cmp` is a comparison writing `cond` (or a byte load, tested for not zero), the
/// instruction that branches when the comparison holds (or fails, when `negate`), with
/// its target still to be set.
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
                Load8U { dst, addr, offset } if dst == cond => Some(if negate {
                    BrIfLoad8UEqz { addr, offset, target: T }
                } else {
                    BrIfLoad8UNez { addr, offset, target: T }
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
        I32AndImm => BrIfI32AndImmNez, BrIfI32AndImmEqz;
        }
    }
}

/// The branch that jumps exactly when `branch` (a conditional branch) does not, with the
/// same target; `None` for other instructions.
fn negated(branch: Instr) -> Option<Instr> {
    use Instr::*;
    Some(match branch {
        I32AddImmBrNez {
            dst,
            lhs,
            imm,
            target,
        } => I32AddImmBrEqz {
            dst,
            lhs,
            imm,
            target,
        },
        I32AddImmBrEqz {
            dst,
            lhs,
            imm,
            target,
        } => I32AddImmBrNez {
            dst,
            lhs,
            imm,
            target,
        },
        I32AddImmBrNe {
            slot,
            imm,
            rhs,
            target,
        } => I32AddImmBrEq {
            slot,
            imm,
            rhs,
            target,
        },
        I32AddImmBrEq {
            slot,
            imm,
            rhs,
            target,
        } => I32AddImmBrNe {
            slot,
            imm,
            rhs,
            target,
        },
        I32AddImmBrLtU {
            slot,
            imm,
            rhs,
            target,
        } => I32AddImmBrGeU {
            slot,
            imm,
            rhs,
            target,
        },
        I32AddImmBrGeU {
            slot,
            imm,
            rhs,
            target,
        } => I32AddImmBrLtU {
            slot,
            imm,
            rhs,
            target,
        },
        I64AddImmBrNe {
            slot,
            imm,
            rhs,
            target,
        } => I64AddImmBrEq {
            slot,
            imm,
            rhs,
            target,
        },
        I64AddImmBrEq {
            slot,
            imm,
            rhs,
            target,
        } => I64AddImmBrNe {
            slot,
            imm,
            rhs,
            target,
        },
        BrIfLoad8UNez {
            addr,
            offset,
            target,
        } => BrIfLoad8UEqz {
            addr,
            offset,
            target,
        },
        BrIfLoad8UEqz {
            addr,
            offset,
            target,
        } => BrIfLoad8UNez {
            addr,
            offset,
            target,
        },
        BrIfNez { cond, target } => BrIfEqz { cond, target },
        BrIfEqz { cond, target } => BrIfNez { cond, target },
        BrIfI64Eqz { cond, target } => BrIfI64Nez { cond, target },
        BrIfI64Nez { cond, target } => BrIfI64Eqz { cond, target },
        BrIfI32AndImmNez { lhs, imm, target } => BrIfI32AndImmEqz { lhs, imm, target },
        BrIfI32AndImmEqz { lhs, imm, target } => BrIfI32AndImmNez { lhs, imm, target },
        BrIfI32Eq { lhs, rhs, target } => BrIfI32Ne { lhs, rhs, target },
        BrIfI32Ne { lhs, rhs, target } => BrIfI32Eq { lhs, rhs, target },
        BrIfI32LtS { lhs, rhs, target } => BrIfI32GeS { lhs, rhs, target },
        BrIfI32LtU { lhs, rhs, target } => BrIfI32GeU { lhs, rhs, target },
        BrIfI32GtS { lhs, rhs, target } => BrIfI32LeS { lhs, rhs, target },
        BrIfI32GtU { lhs, rhs, target } => BrIfI32LeU { lhs, rhs, target },
        BrIfI32LeS { lhs, rhs, target } => BrIfI32GtS { lhs, rhs, target },
        BrIfI32LeU { lhs, rhs, target } => BrIfI32GtU { lhs, rhs, target },
        BrIfI32GeS { lhs, rhs, target } => BrIfI32LtS { lhs, rhs, target },
        BrIfI32GeU { lhs, rhs, target } => BrIfI32LtU { lhs, rhs, target },
        BrIfI64Eq { lhs, rhs, target } => BrIfI64Ne { lhs, rhs, target },
        BrIfI64Ne { lhs, rhs, target } => BrIfI64Eq { lhs, rhs, target },
        BrIfI64LtS { lhs, rhs, target } => BrIfI64GeS { lhs, rhs, target },
        BrIfI64LtU { lhs, rhs, target } => BrIfI64GeU { lhs, rhs, target },
        BrIfI64GtS { lhs, rhs, target } => BrIfI64LeS { lhs, rhs, target },
        BrIfI64GtU { lhs, rhs, target } => BrIfI64LeU { lhs, rhs, target },
        BrIfI64LeS { lhs, rhs, target } => BrIfI64GtS { lhs, rhs, target },
        BrIfI64LeU { lhs, rhs, target } => BrIfI64GtU { lhs, rhs, target },
        BrIfI64GeS { lhs, rhs, target } => BrIfI64LtS { lhs, rhs, target },
        BrIfI64GeU { lhs, rhs, target } => BrIfI64LtU { lhs, rhs, target },
        BrIfI32EqImm { lhs, imm, target } => BrIfI32NeImm { lhs, imm, target },
        BrIfI32NeImm { lhs, imm, target } => BrIfI32EqImm { lhs, imm, target },
        BrIfI32LtSImm { lhs, imm, target } => BrIfI32GeSImm { lhs, imm, target },
        BrIfI32LtUImm { lhs, imm, target } => BrIfI32GeUImm { lhs, imm, target },
        BrIfI32GtSImm { lhs, imm, target } => BrIfI32LeSImm { lhs, imm, target },
        BrIfI32GtUImm { lhs, imm, target } => BrIfI32LeUImm { lhs, imm, target },
        BrIfI32LeSImm { lhs, imm, target } => BrIfI32GtSImm { lhs, imm, target },
        BrIfI32LeUImm { lhs, imm, target } => BrIfI32GtUImm { lhs, imm, target },
        BrIfI32GeSImm { lhs, imm, target } => BrIfI32LtSImm { lhs, imm, target },
        BrIfI32GeUImm { lhs, imm, target } => BrIfI32LtUImm { lhs, imm, target },
        BrIfI64EqImm { lhs, imm, target } => BrIfI64NeImm { lhs, imm, target },
        BrIfI64NeImm { lhs, imm, target } => BrIfI64EqImm { lhs, imm, target },
        BrIfI64LtSImm { lhs, imm, target } => BrIfI64GeSImm { lhs, imm, target },
        BrIfI64LtUImm { lhs, imm, target } => BrIfI64GeUImm { lhs, imm, target },
        BrIfI64GtSImm { lhs, imm, target } => BrIfI64LeSImm { lhs, imm, target },
        BrIfI64GtUImm { lhs, imm, target } => BrIfI64LeUImm { lhs, imm, target },
        BrIfI64LeSImm { lhs, imm, target } => BrIfI64GtSImm { lhs, imm, target },
        BrIfI64LeUImm { lhs, imm, target } => BrIfI64GtUImm { lhs, imm, target },
        BrIfI64GeSImm { lhs, imm, target } => BrIfI64LtSImm { lhs, imm, target },
        BrIfI64GeUImm { lhs, imm, target } => BrIfI64LtUImm { lhs, imm, target },
        _ => return None,
    })
}

/// Loop rotation at the branch level: `br_if A; br B` (a conditional exit followed by the
/// jump back to a loop header, as compilers lay loops out) becomes `br_if_not B; br A`, so
/// the common path (staying in the loop) costs one dispatch instead of two. Applied only
/// where nothing else jumps to the `br`. Targets are still absolute here.
pub(super) fn invert_branch_over_jump(code: &mut [Instr]) {
    let mut is_target = vec![false; code.len() + 1];
    for instr in code.iter_mut() {
        if let Some(t) = instr.target_mut() {
            if let Some(slot) = is_target.get_mut(*t as usize) {
                *slot = true;
            }
        }
    }
    for at in 0..code.len().saturating_sub(1) {
        let (Some(&Instr::Br(jump)), false) = (code.get(at + 1), is_target[at + 1]) else {
            continue;
        };
        let Some(mut inverted) = negated(code[at]) else {
            continue;
        };
        let Some(exit) = code[at].target_mut().map(|t| *t) else {
            continue;
        };
        inverted.set_target(jump);
        code[at] = inverted;
        code[at + 1] = Instr::Br(exit);
    }
}

/// Superinstructions that need no free bits: where an instruction often runs right before
/// another, the first becomes a pair head (`BrIfI32GeUThenBrIfI32GeU` or a `*Then*` instruction), which
/// does its own work and then that of the instruction after it, in one dispatch. The second
/// stays as it was, so branches to it, and labels between the two, still work; the code
/// keeps its length and its targets. Pairs are taken from the end backwards, so in a run
/// the last pair (usually a loop's test) wins.
pub(super) fn pair_with_next(code: &mut [Instr]) {
    for at in (0..code.len().saturating_sub(1)).rev() {
        if let Some(head) = pair_head(code[at], code[at + 1]) {
            code[at] = head;
        }
    }
}

macro_rules! head_of {
    ($($head:ident: $a:ident { $($f:ident),* } then $b:ident $g:tt $(where $($w:ident = $x:ident),+)?;)*) => {
        /// The pair head that runs `first` and then `second`, if there is one. `second`
        /// may itself be a head, for the few triples the table lists; a head's partner is
        /// never changed after it is made, since the pass runs backwards.
        fn pair_head(first: Instr, second: Instr) -> Option<Instr> {
            match (first, second) {
                $((Instr::$a { $($f),* }, Instr::$b { .. })
                    $(if $(matches!(second, Instr::$b { $w: v, .. } if v == $x))&&+)? =>
                {
                    Some(Instr::$head { $($f),* })
                })*
                _ => None,
            }
        }
    };
}
super::ir::pair_heads!(head_of);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_head_can_be_the_partner_of_a_triple() {
        let ret = Instr::Return { src: 0, n: 0 };
        let step = |dst| Instr::I32AddImm {
            dst,
            lhs: dst,
            imm: 1,
        };
        let test = Instr::BrIfI32LtU {
            lhs: 2,
            rhs: 3,
            target: 0,
        };
        let mut code = [step(1), step(2), test, ret];
        pair_with_next(&mut code);
        let inner = Instr::I32AddImmThenBrIfI32LtU {
            dst: 2,
            lhs: 2,
            imm: 1,
        };
        let outer = Instr::I32AddImmThenI32AddImmThenBrIfI32LtU {
            dst: 1,
            lhs: 1,
            imm: 1,
        };
        assert_eq!(code, [outer, inner, test, ret]);
        super::super::ir::make_targets_relative(&mut code);
        assert!(super::super::ir::check_code(&code));
    }

    #[test]
    fn pairs_that_forward_a_result_need_the_second_to_read_it() {
        let ret = Instr::Return { src: 0, n: 0 };
        let add = Instr::I32AddImm {
            dst: 4,
            lhs: 1,
            imm: -1,
        };
        let test = |lhs| Instr::BrIfI32GeUImm {
            lhs,
            imm: 32,
            target: 3,
        };
        // The head hands the sum to the test, so it pairs only where the test reads it.
        let mut code = [add, test(4), ret, ret];
        pair_with_next(&mut code);
        assert_eq!(
            code[0],
            Instr::I32AddImmThenBrIfI32GeUImm {
                dst: 4,
                lhs: 1,
                imm: -1
            }
        );
        super::super::ir::make_targets_relative(&mut code);
        assert!(super::super::ir::check_code(&code));
        let mut code = [add, test(1), ret, ret];
        pair_with_next(&mut code);
        assert_eq!(code[0], add);
    }

    #[test]
    fn runs_pair_from_the_end() {
        let ret = Instr::Return { src: 0, n: 0 };
        let check = |lhs, target| Instr::BrIfI32GeU {
            lhs,
            rhs: 9,
            target,
        };
        let paired = |lhs, target| Instr::BrIfI32GeUThenBrIfI32GeU {
            lhs,
            rhs: 9,
            target,
        };
        // Three checks in a row: the last two pair (the second is left a plain check, the
        // instruction its head runs), the first stays alone.
        let mut code = [check(1, 4), check(2, 4), check(3, 5), ret, ret, ret];
        pair_with_next(&mut code);
        assert_eq!(code[..3], [check(1, 4), paired(2, 4), check(3, 5)]);
        // Four: two pairs.
        let mut code = [check(1, 4), check(2, 4), check(3, 5), check(4, 5), ret, ret];
        pair_with_next(&mut code);
        assert_eq!(
            code[..4],
            [paired(1, 4), check(2, 4), paired(3, 5), check(4, 5)]
        );
        super::super::ir::make_targets_relative(&mut code);
        assert!(super::super::ir::check_code(&code));
    }

    #[test]
    fn exit_then_jump_back_is_inverted() {
        let ret = Instr::Return { src: 0, n: 0 };
        // 0: loop body; 1: exit to 3 when slot 0 != 0; 2: jump back to 0; 3: return
        let mut code = [
            ret,
            Instr::BrIfNez { cond: 0, target: 3 },
            Instr::Br(0),
            ret,
        ];
        invert_branch_over_jump(&mut code);
        assert_eq!(code[1], Instr::BrIfEqz { cond: 0, target: 0 });
        assert_eq!(code[2], Instr::Br(3));
        // Not when something else jumps to the `br`.
        let mut code = [
            Instr::Br(2),
            Instr::BrIfI32LtSImm {
                lhs: 0,
                imm: 5,
                target: 3,
            },
            Instr::Br(0),
            ret,
        ];
        let before = code;
        invert_branch_over_jump(&mut code);
        assert_eq!(code, before);
    }

    #[test]
    fn negation_is_an_involution() {
        let b = Instr::BrIfI64GeUImm {
            lhs: 1,
            imm: -3,
            target: 9,
        };
        assert_eq!(
            negated(b),
            Some(Instr::BrIfI64LtUImm {
                lhs: 1,
                imm: -3,
                target: 9
            })
        );
        assert_eq!(negated(b).and_then(negated), Some(b));
        assert_eq!(negated(Instr::Br(1)), None);
    }
}
