//! Translation of the SIMD instructions (the `v128` type, Wasm 2.0 §4.3.3 "Vector
//! instructions").
//!
//! A `v128` takes two consecutive cells: the low 64 bits (lanes 0.. of any shape) first.
//! On the translator's operand stack it is two [`Operand`]s, so blocks, branches, calls
//! and locals move it like two scalars; only `drop` and `select` must know that the top
//! value is a vector, which `Translator::v128_at` records. Every SIMD operation becomes one
//! of three compact instructions whose handlers live out of the dispatch loop
//! (`exec::simd`): [`Instr::Simd`], [`Instr::SimdShuffle`] and [`Instr::SimdMem`].

use super::{memory_index, offset32, Operand, Translator};
use crate::error::Result;
use crate::translate::ir::{Instr, Slot};
use wasmparser::Operator;

/// What a [`SimdOp`] reads and writes (`V` a `v128` in two slots, `S` a scalar slot).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// `V -> V`
    Unary,
    /// `V V -> V`
    Binary,
    /// `V V V -> V` (`v128.bitselect` and the relaxed ternary operators)
    Ternary,
    /// `V -> S` (`any_true`, `all_true`, `bitmask`)
    Test,
    /// `S -> V` (`splat`)
    Splat,
    /// `V S -> V` (shifts)
    Shift,
}

macro_rules! simd_ops {
    (
        $($shape:ident: [$($op:ident),* $(,)?])*
        ; lane: [$($lane_op:ident),* $(,)?]
    ) => {
        /// A SIMD operation run by [`Instr::Simd`], named after its Wasm instruction. Its
        /// operands are in the instruction's `a`, `b` (and `c`, for `bitselect`) slots; the
        /// `extract_lane`/`replace_lane` forms take their lane index in `c`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[repr(u8)]
        #[allow(clippy::enum_variant_names)]
        pub(crate) enum SimdOp {
            $($($op,)*)*
            $($lane_op,)*
        }

        /// The operation and shape of a SIMD operator without immediates.
        fn plain(op: &Operator<'_>) -> Option<(SimdOp, Shape)> {
            Some(match op {
                $($(Operator::$op => (SimdOp::$op, Shape::$shape),)*)*
                _ => return None,
            })
        }
    };
}

simd_ops! {
    Unary: [
        V128Not, I8x16Abs, I8x16Neg, I8x16Popcnt, I16x8Abs, I16x8Neg, I32x4Abs, I32x4Neg,
        I64x2Abs, I64x2Neg, I16x8ExtAddPairwiseI8x16S, I16x8ExtAddPairwiseI8x16U,
        I32x4ExtAddPairwiseI16x8S, I32x4ExtAddPairwiseI16x8U, I16x8ExtendLowI8x16S,
        I16x8ExtendHighI8x16S, I16x8ExtendLowI8x16U, I16x8ExtendHighI8x16U,
        I32x4ExtendLowI16x8S, I32x4ExtendHighI16x8S, I32x4ExtendLowI16x8U,
        I32x4ExtendHighI16x8U, I64x2ExtendLowI32x4S, I64x2ExtendHighI32x4S,
        I64x2ExtendLowI32x4U, I64x2ExtendHighI32x4U, F32x4Ceil, F32x4Floor, F32x4Trunc,
        F32x4Nearest, F32x4Abs, F32x4Neg, F32x4Sqrt, F64x2Ceil, F64x2Floor, F64x2Trunc,
        F64x2Nearest, F64x2Abs, F64x2Neg, F64x2Sqrt, I32x4TruncSatF32x4S,
        I32x4TruncSatF32x4U, F32x4ConvertI32x4S, F32x4ConvertI32x4U,
        I32x4TruncSatF64x2SZero, I32x4TruncSatF64x2UZero, F64x2ConvertLowI32x4S,
        F64x2ConvertLowI32x4U, F32x4DemoteF64x2Zero, F64x2PromoteLowF32x4,
        // Relaxed SIMD (Wasm 3.0), deterministic profile: see `exec::simd`.
        I32x4RelaxedTruncF32x4S, I32x4RelaxedTruncF32x4U, I32x4RelaxedTruncF64x2SZero,
        I32x4RelaxedTruncF64x2UZero,
    ]
    Binary: [
        I8x16Swizzle, I8x16Eq, I8x16Ne, I8x16LtS, I8x16LtU, I8x16GtS, I8x16GtU, I8x16LeS,
        I8x16LeU, I8x16GeS, I8x16GeU, I16x8Eq, I16x8Ne, I16x8LtS, I16x8LtU, I16x8GtS,
        I16x8GtU, I16x8LeS, I16x8LeU, I16x8GeS, I16x8GeU, I32x4Eq, I32x4Ne, I32x4LtS,
        I32x4LtU, I32x4GtS, I32x4GtU, I32x4LeS, I32x4LeU, I32x4GeS, I32x4GeU, I64x2Eq,
        I64x2Ne, I64x2LtS, I64x2GtS, I64x2LeS, I64x2GeS, F32x4Eq, F32x4Ne, F32x4Lt, F32x4Gt,
        F32x4Le, F32x4Ge, F64x2Eq, F64x2Ne, F64x2Lt, F64x2Gt, F64x2Le, F64x2Ge, V128And,
        V128AndNot, V128Or, V128Xor, I8x16NarrowI16x8S, I8x16NarrowI16x8U, I8x16Add,
        I8x16AddSatS, I8x16AddSatU, I8x16Sub, I8x16SubSatS, I8x16SubSatU, I8x16MinS,
        I8x16MinU, I8x16MaxS, I8x16MaxU, I8x16AvgrU, I16x8Q15MulrSatS, I16x8NarrowI32x4S,
        I16x8NarrowI32x4U, I16x8Add, I16x8AddSatS, I16x8AddSatU, I16x8Sub, I16x8SubSatS,
        I16x8SubSatU, I16x8Mul, I16x8MinS, I16x8MinU, I16x8MaxS, I16x8MaxU, I16x8AvgrU,
        I16x8ExtMulLowI8x16S, I16x8ExtMulHighI8x16S, I16x8ExtMulLowI8x16U,
        I16x8ExtMulHighI8x16U, I32x4Add, I32x4Sub, I32x4Mul, I32x4MinS, I32x4MinU,
        I32x4MaxS, I32x4MaxU, I32x4DotI16x8S, I32x4ExtMulLowI16x8S, I32x4ExtMulHighI16x8S,
        I32x4ExtMulLowI16x8U, I32x4ExtMulHighI16x8U, I64x2Add, I64x2Sub, I64x2Mul,
        I64x2ExtMulLowI32x4S, I64x2ExtMulHighI32x4S, I64x2ExtMulLowI32x4U,
        I64x2ExtMulHighI32x4U, F32x4Add, F32x4Sub, F32x4Mul, F32x4Div, F32x4Min, F32x4Max,
        F32x4PMin, F32x4PMax, F64x2Add, F64x2Sub, F64x2Mul, F64x2Div, F64x2Min, F64x2Max,
        F64x2PMin, F64x2PMax,
        // Relaxed SIMD.
        I8x16RelaxedSwizzle, F32x4RelaxedMin, F32x4RelaxedMax, F64x2RelaxedMin,
        F64x2RelaxedMax, I16x8RelaxedQ15mulrS, I16x8RelaxedDotI8x16I7x16S,
    ]
    Ternary: [
        V128Bitselect,
        // Relaxed SIMD.
        F32x4RelaxedMadd, F32x4RelaxedNmadd, F64x2RelaxedMadd, F64x2RelaxedNmadd,
        I8x16RelaxedLaneselect, I16x8RelaxedLaneselect, I32x4RelaxedLaneselect,
        I64x2RelaxedLaneselect, I32x4RelaxedDotI8x16I7x16AddS,
    ]
    Test: [
        V128AnyTrue, I8x16AllTrue, I8x16Bitmask, I16x8AllTrue, I16x8Bitmask, I32x4AllTrue,
        I32x4Bitmask, I64x2AllTrue, I64x2Bitmask,
    ]
    Splat: [I8x16Splat, I16x8Splat, I32x4Splat, I64x2Splat, F32x4Splat, F64x2Splat]
    Shift: [
        I8x16Shl, I8x16ShrS, I8x16ShrU, I16x8Shl, I16x8ShrS, I16x8ShrU, I32x4Shl, I32x4ShrS,
        I32x4ShrU, I64x2Shl, I64x2ShrS, I64x2ShrU,
    ]
    ; lane: [
        I8x16ExtractLaneS, I8x16ExtractLaneU, I16x8ExtractLaneS, I16x8ExtractLaneU,
        I32x4ExtractLane, I64x2ExtractLane, F32x4ExtractLane, F64x2ExtractLane,
        I8x16ReplaceLane, I16x8ReplaceLane, I32x4ReplaceLane, I64x2ReplaceLane,
        F32x4ReplaceLane, F64x2ReplaceLane,
    ]
}

/// A SIMD memory access run by [`Instr::SimdMem`]: `v128.load*` (`addr -> val`),
/// `v128.load*_lane` (`addr val -> val`), `v128.store` and `v128.store*_lane`
/// (`addr val ->`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum SimdMemOp {
    V128Load,
    V128Load8x8S,
    V128Load8x8U,
    V128Load16x4S,
    V128Load16x4U,
    V128Load32x2S,
    V128Load32x2U,
    V128Load8Splat,
    V128Load16Splat,
    V128Load32Splat,
    V128Load64Splat,
    V128Load32Zero,
    V128Load64Zero,
    V128Load8Lane,
    V128Load16Lane,
    V128Load32Lane,
    V128Load64Lane,
    V128Store,
    V128Store8Lane,
    V128Store16Lane,
    V128Store32Lane,
    V128Store64Lane,
}

impl SimdMemOp {
    /// Whether the operation reads a `v128` operand (lane accesses and stores).
    fn reads_vector(self) -> bool {
        self as u8 >= SimdMemOp::V128Load8Lane as u8
    }

    /// Whether the operation produces a `v128` (loads).
    fn writes_vector(self) -> bool {
        (self as u8) < SimdMemOp::V128Store as u8
    }
}

impl SimdOp {
    /// Whether the result is a scalar (tests and `extract_lane`), not a `v128`.
    fn scalar_result(self) -> bool {
        use SimdOp as O;
        matches!(
            self,
            O::V128AnyTrue
                | O::I8x16AllTrue
                | O::I8x16Bitmask
                | O::I16x8AllTrue
                | O::I16x8Bitmask
                | O::I32x4AllTrue
                | O::I32x4Bitmask
                | O::I64x2AllTrue
                | O::I64x2Bitmask
                | O::I8x16ExtractLaneS
                | O::I8x16ExtractLaneU
                | O::I16x8ExtractLaneS
                | O::I16x8ExtractLaneU
                | O::I32x4ExtractLane
                | O::I64x2ExtractLane
                | O::F32x4ExtractLane
                | O::F64x2ExtractLane
        )
    }
}

/// The first slot of the `v128` an instruction writes, if it writes one.
fn v128_dst_of(instr: &mut Instr) -> Option<&mut Slot> {
    match instr {
        Instr::Simd { op, dst, .. } if !op.scalar_result() => Some(dst),
        Instr::SimdMem { op, val, .. } | Instr::SimdMem64 { op, val, .. } if op.writes_vector() => {
            Some(val)
        }
        Instr::SimdShuffle { dst, .. }
        | Instr::GlobalGetV128 { dst, .. }
        | Instr::V128Load { dst, .. }
        | Instr::V128LoadAddImm { dst, .. } => Some(dst),
        _ => None,
    }
}

impl Translator<'_> {
    /// `local.set` of `v128` local whose first slot is `local`. When the instruction just
    /// emitted computed the value into its stack slots (and nothing branches between),
    /// it writes the local directly instead.
    pub(super) fn set_local_v128(&mut self, local: Slot) {
        // Both slots are written below, not always through `set_local`.
        self.entry_zero &= !3u128.checked_shl(u32::from(local)).unwrap_or(0);
        let len = self.stack.len();
        // Operands that still name this local must take its old value first.
        for pos in 0..len - 2 {
            if matches!(self.stack[pos], Operand::Local(l) if l == local || l == local + 1) {
                self.materialize_at(pos);
            }
        }
        let top = self.temp_slot(len as u32 - 2);
        if self.stack[len - 2..] == [Operand::Temp, Operand::Temp]
            && self.code.len() > self.label_pc
        {
            if let Some(dst) = self.code.last_mut().and_then(v128_dst_of) {
                if *dst == top {
                    *dst = local;
                    self.stack.truncate(len - 2);
                    return;
                }
            }
        }
        self.set_local(local + 1);
        self.set_local(local);
    }

    /// Records that the top two operands are one `v128`.
    pub(super) fn mark_v128(&mut self) {
        let low = self.height() - 2;
        self.v128_at.push(low);
    }

    /// Forgets `v128` records of values no longer (wholly) on the stack.
    pub(super) fn trim_v128(&mut self) {
        let len = self.height();
        while self.v128_at.last().is_some_and(|&low| low + 2 > len) {
            self.v128_at.pop();
        }
    }

    /// Whether the top value is a `v128`.
    pub(super) fn top_is_v128(&mut self) -> bool {
        self.trim_v128();
        let len = self.height();
        len >= 2 && self.v128_at.last() == Some(&(len - 2))
    }

    /// Pushes a `v128` result and returns its first slot.
    pub(super) fn push_v128(&mut self) -> Slot {
        let slot = self.push_temp();
        self.push_temp();
        self.mark_v128();
        slot
    }

    /// Pushes a value of type `ty` held by two operands (`lo`, `hi`) or one (`lo`).
    pub(super) fn push_typed(&mut self, ty: crate::ValType, lo: Operand, hi: Operand) {
        self.push(lo);
        if ty == crate::ValType::V128 {
            self.push(hi);
            self.mark_v128();
        }
    }

    /// Pops a `v128` and returns the first of the two consecutive slots holding it: a
    /// local's own slots when it is a local, else its stack slots.
    pub(super) fn pop_v128(&mut self) -> Slot {
        let len = self.stack.len();
        if len >= 2 {
            if let (Operand::Local(lo), Operand::Local(hi)) =
                (self.stack[len - 2], self.stack[len - 1])
            {
                if u32::from(lo) + 1 == u32::from(hi) {
                    self.stack.truncate(len - 2);
                    return lo;
                }
            }
        }
        self.pop_consecutive(2)
    }

    fn simd(&mut self, op: SimdOp, dst: Slot, a: Slot, b: Slot, c: Slot) {
        self.emit(Instr::Simd { op, dst, a, b, c });
    }

    /// Translates a SIMD operator; `Ok(false)` if `op` is not one.
    pub(super) fn simd_operator(&mut self, op: &Operator<'_>) -> Result<bool> {
        use Operator as O;
        if let Some((op, shape)) = plain(op) {
            match shape {
                Shape::Unary => {
                    let a = self.pop_v128();
                    let dst = self.push_v128();
                    self.simd(op, dst, a, 0, 0);
                }
                Shape::Binary => {
                    let b = self.pop_v128();
                    let a = self.pop_v128();
                    let dst = self.push_v128();
                    self.simd(op, dst, a, b, 0);
                }
                Shape::Ternary => {
                    let c = self.pop_v128();
                    let b = self.pop_v128();
                    let a = self.pop_v128();
                    let dst = self.push_v128();
                    self.simd(op, dst, a, b, c);
                }
                Shape::Test => {
                    let a = self.pop_v128();
                    let dst = self.push_temp();
                    self.simd(op, dst, a, 0, 0);
                }
                Shape::Splat => {
                    let a = self.pop_slot();
                    let dst = self.push_v128();
                    self.simd(op, dst, a, 0, 0);
                }
                Shape::Shift => {
                    let b = self.pop_slot();
                    let a = self.pop_v128();
                    let dst = self.push_v128();
                    self.simd(op, dst, a, b, 0);
                }
            }
            return Ok(true);
        }
        let extract = |op| Some((op, false));
        let replace = |op| Some((op, true));
        let lane_op = match *op {
            O::I8x16ExtractLaneS { lane } => extract(SimdOp::I8x16ExtractLaneS).zip(Some(lane)),
            O::I8x16ExtractLaneU { lane } => extract(SimdOp::I8x16ExtractLaneU).zip(Some(lane)),
            O::I16x8ExtractLaneS { lane } => extract(SimdOp::I16x8ExtractLaneS).zip(Some(lane)),
            O::I16x8ExtractLaneU { lane } => extract(SimdOp::I16x8ExtractLaneU).zip(Some(lane)),
            O::I32x4ExtractLane { lane } => extract(SimdOp::I32x4ExtractLane).zip(Some(lane)),
            O::I64x2ExtractLane { lane } => extract(SimdOp::I64x2ExtractLane).zip(Some(lane)),
            O::F32x4ExtractLane { lane } => extract(SimdOp::F32x4ExtractLane).zip(Some(lane)),
            O::F64x2ExtractLane { lane } => extract(SimdOp::F64x2ExtractLane).zip(Some(lane)),
            O::I8x16ReplaceLane { lane } => replace(SimdOp::I8x16ReplaceLane).zip(Some(lane)),
            O::I16x8ReplaceLane { lane } => replace(SimdOp::I16x8ReplaceLane).zip(Some(lane)),
            O::I32x4ReplaceLane { lane } => replace(SimdOp::I32x4ReplaceLane).zip(Some(lane)),
            O::I64x2ReplaceLane { lane } => replace(SimdOp::I64x2ReplaceLane).zip(Some(lane)),
            O::F32x4ReplaceLane { lane } => replace(SimdOp::F32x4ReplaceLane).zip(Some(lane)),
            O::F64x2ReplaceLane { lane } => replace(SimdOp::F64x2ReplaceLane).zip(Some(lane)),
            _ => None,
        };
        if let Some(((op, is_replace), lane)) = lane_op {
            if is_replace {
                let b = self.pop_slot();
                let a = self.pop_v128();
                let dst = self.push_v128();
                self.simd(op, dst, a, b, u16::from(lane));
            } else {
                let a = self.pop_v128();
                let dst = self.push_temp();
                self.simd(op, dst, a, 0, u16::from(lane));
            }
            return Ok(true);
        }
        use SimdMemOp as M;
        let (mem_op, memarg, lane) = match *op {
            O::V128Const { value } => {
                let v = value.i128() as u128;
                self.push(Operand::Const(v as u64));
                self.push(Operand::Const((v >> 64) as u64));
                self.mark_v128();
                return Ok(true);
            }
            O::I8x16Shuffle { lanes } => {
                let b = self.pop_v128();
                let a = self.pop_v128();
                let dst = self.push_v128();
                self.emit(Instr::SimdShuffle { dst, a, b });
                for word in lanes.chunks_exact(4) {
                    let word = u32::from_le_bytes([word[0], word[1], word[2], word[3]]);
                    self.emit(Instr::Data(word));
                }
                return Ok(true);
            }
            O::V128Load { memarg } => (M::V128Load, memarg, 0),
            O::V128Load8x8S { memarg } => (M::V128Load8x8S, memarg, 0),
            O::V128Load8x8U { memarg } => (M::V128Load8x8U, memarg, 0),
            O::V128Load16x4S { memarg } => (M::V128Load16x4S, memarg, 0),
            O::V128Load16x4U { memarg } => (M::V128Load16x4U, memarg, 0),
            O::V128Load32x2S { memarg } => (M::V128Load32x2S, memarg, 0),
            O::V128Load32x2U { memarg } => (M::V128Load32x2U, memarg, 0),
            O::V128Load8Splat { memarg } => (M::V128Load8Splat, memarg, 0),
            O::V128Load16Splat { memarg } => (M::V128Load16Splat, memarg, 0),
            O::V128Load32Splat { memarg } => (M::V128Load32Splat, memarg, 0),
            O::V128Load64Splat { memarg } => (M::V128Load64Splat, memarg, 0),
            O::V128Load32Zero { memarg } => (M::V128Load32Zero, memarg, 0),
            O::V128Load64Zero { memarg } => (M::V128Load64Zero, memarg, 0),
            O::V128Load8Lane { memarg, lane } => (M::V128Load8Lane, memarg, lane),
            O::V128Load16Lane { memarg, lane } => (M::V128Load16Lane, memarg, lane),
            O::V128Load32Lane { memarg, lane } => (M::V128Load32Lane, memarg, lane),
            O::V128Load64Lane { memarg, lane } => (M::V128Load64Lane, memarg, lane),
            O::V128Store { memarg } => (M::V128Store, memarg, 0),
            O::V128Store8Lane { memarg, lane } => (M::V128Store8Lane, memarg, lane),
            O::V128Store16Lane { memarg, lane } => (M::V128Store16Lane, memarg, lane),
            O::V128Store32Lane { memarg, lane } => (M::V128Store32Lane, memarg, lane),
            O::V128Store64Lane { memarg, lane } => (M::V128Store64Lane, memarg, lane),
            _ => return Ok(false),
        };
        let mem = memory_index(&memarg)?;
        let mem64 = self.memory_addr_type(mem) == crate::AddrType::I64;
        // A 64-bit memory's offset has 64 bits; a 32-bit memory's fits in 32 (validated).
        let offset = if mem64 { 0 } else { offset32(&memarg)? };
        // The handler reads every operand before it writes its result, so the result may
        // take the slots of the address or of the vector a lane load reads (`src`).
        let src = if mem_op.reads_vector() {
            self.pop_v128()
        } else {
            0
        };
        let addr = self.pop_slot();
        let val = if mem_op.writes_vector() {
            self.push_v128()
        } else {
            src
        };
        if mem64 {
            self.emit(Instr::SimdMem64 {
                op: mem_op,
                lane,
                val,
                addr,
                src,
            });
            self.emit(Instr::Data(memarg.offset as u32));
            self.emit(Instr::Data((memarg.offset >> 32) as u32));
        } else if mem == 0 && mem_op == M::V128Load {
            // The fast paths: plain loads and stores of memory 0.
            if let Ok(short) = u16::try_from(offset) {
                if let Some((lhs, imm)) = self.take_add_imm_into(addr) {
                    self.emit(Instr::V128LoadAddImm {
                        dst: val,
                        lhs,
                        offset: short,
                        imm,
                    });
                    return Ok(true);
                }
            }
            self.emit(Instr::V128Load {
                dst: val,
                addr,
                offset,
            });
            return Ok(true);
        } else if mem == 0 && mem_op == M::V128Store {
            self.emit(Instr::V128Store { addr, src, offset });
            return Ok(true);
        } else {
            self.emit(Instr::SimdMem {
                op: mem_op,
                lane,
                val,
                addr,
                src,
            });
            self.emit(Instr::Data(offset));
        }
        self.emit(Instr::Data(mem));
        Ok(true)
    }
}
