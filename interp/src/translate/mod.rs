//! Translation of a validated function body into Weft's IR (see [`ir`]).
//!
//! The translator walks the operators once, tracking the Wasm operand stack as a list of
//! [`Operand`]s: a value already in its stack slot, a local not yet copied, or a constant
//! not yet written. Instructions read locals and constants where they are, so
//! `local.get a; local.get b; i32.add` becomes one `I32Add` reading the two locals' slots.
//! Pending operands are written to their slots ("materialized") wherever control flow
//! joins or a local they name is about to change.

mod atomic;
pub(crate) mod exceptions;
mod fuse;
pub(crate) mod gc;
pub(crate) mod ir;
mod simd;

use crate::error::{Error, Result};
use crate::module::ModuleInner;
use crate::types::{AddrType, ValType};
use ir::{Instr, LoadKind, Slot, StoreKind};
use wasmparser::{BlockType, FunctionBody, Operator};

/// A translated function.
#[derive(Debug)]
pub(crate) struct CompiledFunc {
    /// Boxed slices, not `Vec`s: no spare capacity, and 16 bytes each instead of 24.
    pub code: Box<[Instr]>,
    pub num_params: u32,
    /// Parameters plus declared locals.
    pub num_locals: u32,
    /// Cells the frame needs: locals plus the maximum operand stack height.
    pub frame_size: u32,
    /// The `try_table` handlers, innermost first (see [`exceptions`]).
    pub handlers: Box<[exceptions::Handler]>,
}

/// Where an operand's value is.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Operand {
    /// In its own stack slot.
    Temp,
    /// Equal to the current value of a local (its slot is its index).
    Local(Slot),
    /// A constant (cell bits).
    Const(u64),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum CtrlKind {
    Block,
    Loop,
    If,
    Else,
    Function,
}

/// A control frame (spec §3.3.5 "Control Instructions", the `C.labels`).
#[derive(Debug)]
struct Ctrl {
    kind: CtrlKind,
    /// Operand stack height below the block's parameters.
    height: u32,
    /// Cells of the parameters and results (a `v128` takes two).
    params: u32,
    results: u32,
    ty: BlockType,
    /// For loops: the instruction index of the loop header.
    loop_pc: u32,
    /// Forward branches to the end of this block, to patch.
    patches: Vec<usize>,
    /// For `if`: the branch to the `else` arm, to patch.
    else_patch: Option<usize>,
    reachable_at_entry: bool,
    /// For `try_table`: where the guarded code starts, and its catch clauses.
    handler: Option<(u32, Vec<exceptions::CatchEntry>)>,
}

impl Ctrl {
    fn label_arity(&self) -> u32 {
        if self.kind == CtrlKind::Loop {
            self.params
        } else {
            self.results
        }
    }
}

struct Translator<'m> {
    module: &'m ModuleInner,
    code: Vec<Instr>,
    stack: Vec<Operand>,
    /// Stack positions of the low halves of the `v128`s on `stack`, ascending (see
    /// `simd.rs`); entries at or above the stack's height are stale and trimmed lazily.
    v128_at: Vec<u32>,
    /// Each local's first slot and whether it is a `v128`, when the function has `v128`
    /// locals; empty when local `i` is simply slot `i`.
    locals: Vec<(Slot, bool)>,
    /// Cells of the locals (parameters first).
    num_locals: u32,
    max_height: u32,
    ctrl: Vec<Ctrl>,
    reachable: bool,
    /// Blocks opened while unreachable, skipped without a control frame.
    dead_depth: u32,
    /// Index of the last instruction that is a branch target; fusions may not cross it.
    label_pc: usize,
    /// The last plain `br_if` emitted: its instruction's index and the index in `ctrl` of
    /// its label (for `br_table` to take over a test of its index, `absorb_br_if`).
    last_br_if: Option<(usize, usize)>,
    /// Bit `i`: slot `i` (a declared local, below 128) still holds the zero every call
    /// gives it, in straight-line code from the function's entry. A `local.set` of a zero
    /// constant there is dropped. Cleared for good at the first operator that is not
    /// simple straight-line code (`keeps_entry_zero`).
    entry_zero: u128,
    fuel: bool,
    fuel_at: Option<usize>,
    handlers: Vec<exceptions::Handler>,
}

/// Translates defined function `def` of `module`.
pub(crate) fn translate(module: &ModuleInner, def: u32) -> Result<CompiledFunc> {
    let range = module.bodies[def as usize].clone();
    let mut reader =
        wasmparser::BinaryReader::new(&module.bytes[range.clone()], range.start as u64);
    reader.set_features(crate::module::features(module.engine.config()));
    let body = FunctionBody::new(reader);
    let func_index = module.num_imported_funcs + def;
    let ty = module.func_type(func_index).clone();
    let num_params = ty.param_cells();
    let mut num_locals = num_params;
    let mut declared = Vec::new();
    for local in body.get_locals_reader()? {
        let (count, ty) = local?;
        let ty = ValType::from_wasmparser(ty, &module.type_ids)
            .ok_or_else(|| Error::Unsupported(format!("local of type {ty}")))?;
        num_locals = count
            .checked_mul(ty.cells() as u32)
            .and_then(|n| num_locals.checked_add(n))
            .ok_or_else(|| Error::Unsupported("too many locals".into()))?;
        declared.push((count, ty));
    }
    if num_locals as usize >= ir::MAX_FRAME_SLOTS {
        return Err(frame_too_large());
    }
    // With `v128` locals, local indices and slots differ: map them.
    let mut locals = Vec::new();
    if ty.params().contains(&ValType::V128) || declared.iter().any(|d| d.1 == ValType::V128) {
        let mut slot = 0u32;
        let all = ty.params().iter().map(|t| (1, *t)).chain(declared);
        for (count, ty) in all {
            for _ in 0..count {
                locals.push((slot as Slot, ty == ValType::V128));
                slot += ty.cells() as u32;
            }
        }
    }
    let mut t = Translator {
        module,
        code: Vec::with_capacity(range.len() / 4 + 4),
        stack: Vec::new(),
        v128_at: Vec::new(),
        locals,
        num_locals,
        max_height: 0,
        ctrl: Vec::new(),
        reachable: true,
        dead_depth: 0,
        label_pc: 0,
        last_br_if: None,
        entry_zero: declared_locals_mask(num_params, num_locals),
        fuel: module.engine.config().fuel,
        fuel_at: None,
        handlers: Vec::new(),
    };
    t.ctrl.push(Ctrl {
        kind: CtrlKind::Function,
        height: 0,
        params: 0,
        results: ty.result_cells(),
        ty: BlockType::Empty,
        loop_pc: 0,
        patches: Vec::new(),
        else_patch: None,
        reachable_at_entry: true,
        handler: None,
    });
    t.start_block_fuel();
    let mut reader = body.get_operators_reader()?;
    while !reader.eof() {
        let op = reader.read()?;
        t.operator(op)?;
    }
    let frame_size = num_locals
        .checked_add(t.max_height)
        .and_then(|n| n.checked_add(1))
        .filter(|n| *n as usize <= ir::MAX_FRAME_SLOTS)
        .ok_or_else(frame_too_large)?;
    let handlers = core::mem::take(&mut t.handlers);
    let mut code = t.code;
    // Code after the last terminator is unreachable (say, a fuel charge opening a dead
    // block); end it with a terminator so control provably cannot run off the end.
    if !matches!(
        code.last(),
        Some(Instr::Return { .. } | Instr::Br(_) | Instr::Unreachable)
    ) {
        code.push(Instr::Unreachable);
    }
    fuse::invert_branch_over_jump(&mut code);
    fuse::pair_with_next(&mut code);
    ir::make_targets_relative(&mut code);
    let pads_ok = handlers
        .iter()
        .flat_map(|h| h.catches.iter())
        .all(|c| (c.pad as usize) < code.len());
    if !pads_ok || !ir::check_code(&code) {
        return Err(Error::Unsupported(
            "internal: translated code failed its consistency check".into(),
        ));
    }
    Ok(CompiledFunc {
        code: code.into_boxed_slice(),
        num_params,
        num_locals,
        frame_size,
        handlers: handlers.into_boxed_slice(),
    })
}

impl Translator<'_> {
    // --- operand stack -----------------------------------------------------------------

    fn height(&self) -> u32 {
        self.stack.len() as u32
    }

    /// The slot of the operand at stack position `pos`.
    fn temp_slot(&self, pos: u32) -> Slot {
        // Frames over MAX_FRAME_SLOTS are rejected when translation ends, so a slot that
        // does not fit is never executed.
        (self.num_locals + pos) as Slot
    }

    fn push(&mut self, op: Operand) {
        self.trim_v128();
        self.stack.push(op);
        self.max_height = self.max_height.max(self.height());
    }

    /// Pushes a new temporary and returns its slot.
    fn push_temp(&mut self) -> Slot {
        let slot = self.temp_slot(self.height());
        self.push(Operand::Temp);
        slot
    }

    fn emit(&mut self, instr: Instr) {
        self.code.push(instr);
    }

    fn pc(&self) -> u32 {
        self.code.len() as u32
    }

    /// Writes the operand at `pos` into its own slot.
    fn materialize_at(&mut self, pos: usize) {
        let dst = self.temp_slot(pos as u32);
        match self.stack[pos] {
            Operand::Temp => {}
            Operand::Local(l) => self.emit(Instr::Copy { dst, src: l }),
            Operand::Const(c) => self.emit_const(dst, c),
        }
        self.stack[pos] = Operand::Temp;
    }

    fn emit_const(&mut self, dst: Slot, c: u64) {
        if c >> 32 == 0 {
            self.emit(Instr::Const32 {
                dst,
                value: c as u32,
            });
        } else {
            self.emit(Instr::Const64 {
                dst,
                lo: c as u32,
                hi: (c >> 32) as u32,
            });
        }
    }

    fn materialize_all(&mut self) {
        for pos in 0..self.stack.len() {
            self.materialize_at(pos);
        }
    }

    fn materialize_top(&mut self, n: u32) {
        let len = self.stack.len();
        for pos in len.saturating_sub(n as usize)..len {
            self.materialize_at(pos);
        }
    }

    /// Pops an operand and returns a slot holding its value (writing constants to their slot).
    fn pop_slot(&mut self) -> Slot {
        let pos = self.stack.len().saturating_sub(1);
        let slot = match self.stack.get(pos).copied() {
            Some(Operand::Local(l)) => l,
            Some(Operand::Const(_)) => {
                self.materialize_at(pos);
                self.temp_slot(pos as u32)
            }
            _ => self.temp_slot(pos as u32),
        };
        self.stack.pop();
        slot
    }

    /// Pops `n` operands, materialized into consecutive slots; returns the first slot.
    fn pop_consecutive(&mut self, n: u32) -> Slot {
        self.materialize_top(n);
        let base = self.height() - n;
        self.stack.truncate(base as usize);
        self.temp_slot(base)
    }

    fn pop_const(&mut self) -> Option<u64> {
        match self.stack.last() {
            Some(Operand::Const(c)) => {
                let c = *c;
                self.stack.pop();
                Some(c)
            }
            _ => None,
        }
    }

    // --- fuel --------------------------------------------------------------------------

    fn start_block_fuel(&mut self) {
        if self.fuel {
            self.fuel_at = Some(self.code.len());
            self.emit(Instr::ConsumeFuel(1));
        }
    }

    fn charge_fuel(&mut self) {
        if let Some(at) = self.fuel_at {
            if let Instr::ConsumeFuel(n) = &mut self.code[at] {
                *n = n.saturating_add(1);
            }
        }
    }

    // --- emitting operators ------------------------------------------------------------

    fn unop(&mut self, make: fn(Slot, Slot) -> Instr) {
        let src = self.pop_slot();
        let dst = self.push_temp();
        self.emit(make(dst, src));
    }

    fn binop(&mut self, make: fn(Slot, Slot, Slot) -> Instr) {
        let rhs = self.pop_slot();
        let lhs = self.pop_slot();
        let dst = self.push_temp();
        self.emit(make(dst, lhs, rhs));
    }

    /// A binary operator with an immediate form for a constant right operand that fits in
    /// an `i32` (sign-extended for `i64` operators).
    fn binop_imm(
        &mut self,
        make: fn(Slot, Slot, Slot) -> Instr,
        make_imm: fn(Slot, Slot, i32) -> Instr,
        is_i64: bool,
    ) {
        if let Some(Operand::Const(c)) = self.stack.last().copied() {
            let imm = if is_i64 {
                i32::try_from(c as i64).ok()
            } else {
                Some(c as u32 as i32)
            };
            if let Some(imm) = imm {
                self.pop_const();
                let lhs = self.pop_slot();
                let dst = self.push_temp();
                self.emit(make_imm(dst, lhs, imm));
                return;
            }
        }
        self.binop(make);
    }

    /// `i32.add`, fusing an `i32.shl` by a constant that computed either operand (array
    /// indexing: `base + (i << k)`).
    fn i32_add(&mut self) {
        if let Some(Operand::Const(_)) = self.stack.last() {
            return self.binop_imm(
                |dst, lhs, rhs| Instr::I32Add { dst, lhs, rhs },
                |dst, lhs, imm| Instr::I32AddImm { dst, lhs, imm },
                false,
            );
        }
        let rhs = self.pop_slot();
        let lhs = self.pop_slot();
        let dst = self.push_temp();
        if self.code.len() > self.label_pc {
            if let Some(&Instr::I32ShlImm {
                dst: t,
                lhs: x,
                imm,
            }) = self.code.last()
            {
                let other = if t == rhs && u32::from(rhs) >= self.num_locals {
                    Some(lhs)
                } else if t == lhs && u32::from(lhs) >= self.num_locals {
                    Some(rhs)
                } else {
                    None
                };
                if let Some(other) = other {
                    self.code.pop();
                    let shift = (imm & 31) as u8;
                    // `(base + k) + (i << shift)`: the `base + k` just before, into a
                    // temporary only this reads.
                    if let (
                        true,
                        Some(&Instr::I32AddImm {
                            dst: t,
                            lhs: base,
                            imm,
                        }),
                    ) = (
                        self.code.len() > self.label_pc
                            && u32::from(other) >= self.num_locals
                            && x != other,
                        self.code.last(),
                    ) {
                        if let (true, Ok(imm)) = (t == other, i16::try_from(imm)) {
                            self.code.pop();
                            self.emit(Instr::I32AddImmShl {
                                dst,
                                lhs: base,
                                index: x,
                                shift,
                                imm,
                            });
                            return;
                        }
                    }
                    self.emit(Instr::I32AddShl {
                        dst,
                        lhs: other,
                        index: x,
                        shift,
                    });
                    return;
                }
            }
        }
        // `other + (a ^ b)` or `other + (a + b)`: an `i32.xor` or `i32.add` just before,
        // into a temporary only this reads.
        if self.code.len() > self.label_pc {
            let fed = |t: Slot| {
                if t == rhs && u32::from(rhs) >= self.num_locals && lhs != rhs {
                    Some(lhs)
                } else if t == lhs && u32::from(lhs) >= self.num_locals && lhs != rhs {
                    Some(rhs)
                } else {
                    None
                }
            };
            match self.code.last() {
                Some(&Instr::I32Xor {
                    dst: t,
                    lhs: a,
                    rhs: b,
                }) => {
                    if let Some(other) = fed(t) {
                        self.code.pop();
                        self.emit(Instr::I32AddXor {
                            dst,
                            lhs: other,
                            a,
                            b,
                        });
                        return;
                    }
                }
                Some(&Instr::I32Add {
                    dst: t,
                    lhs: a,
                    rhs: b,
                }) => {
                    if let Some(other) = fed(t) {
                        self.code.pop();
                        self.emit(Instr::I32Add3 {
                            dst,
                            a,
                            b,
                            c: other,
                        });
                        return;
                    }
                }
                _ => {}
            }
        }
        self.emit(Instr::I32Add { dst, lhs, rhs });
    }

    /// `i64.add`, fusing an `i64.extend_i32_s` that computed either operand into a
    /// temporary just before (`I64AddExtendI32S`).
    fn i64_add(&mut self) {
        let n = self.stack.len();
        let extended = match (self.code.last(), self.code.len() > self.label_pc) {
            (Some(&Instr::I64ExtendI32S { dst, src }), true) if n >= 2 => {
                let is_temp = |pos: usize| {
                    self.stack[pos] == Operand::Temp && self.temp_slot(pos as u32) == dst
                };
                // The extension is the right operand, or the left one with a local on its
                // right (anything else there would have been computed after it).
                let rhs_local = matches!(self.stack[n - 1], Operand::Local(_));
                (is_temp(n - 1) || (is_temp(n - 2) && rhs_local)).then_some(src)
            }
            _ => None,
        };
        let Some(src) = extended else {
            return self.binop_imm(
                |dst, lhs, rhs| Instr::I64Add { dst, lhs, rhs },
                |dst, lhs, imm| Instr::I64AddImm { dst, lhs, imm },
                true,
            );
        };
        self.code.pop();
        let rhs = self.pop_slot();
        let lhs = self.pop_slot();
        let dst = self.push_temp();
        // The extension's temporary is now `dst` (the left operand's position) or was the
        // right operand's; the add reads the other one.
        let other = other_of(lhs, rhs, self.temp_slot(n as u32 - 1)).unwrap_or(rhs);
        self.emit(Instr::I64AddExtendI32S {
            dst,
            lhs: other,
            src,
        });
    }

    /// `i32.xor`, fusing an `i32.rotl`/`i32.rotr` by a constant that computed either
    /// operand into a temporary.
    fn i32_xor(&mut self) {
        if let Some(Operand::Const(_)) = self.stack.last() {
            return self.binop_imm(
                |dst, lhs, rhs| Instr::I32Xor { dst, lhs, rhs },
                |dst, lhs, imm| Instr::I32XorImm { dst, lhs, imm },
                false,
            );
        }
        let rhs = self.pop_slot();
        let lhs = self.pop_slot();
        let dst = self.push_temp();
        if self.code.len() > self.label_pc {
            if let Some((t, x, k)) = self.code.last().and_then(rotation) {
                let other = if t == rhs && u32::from(rhs) >= self.num_locals {
                    Some(lhs)
                } else if t == lhs && u32::from(lhs) >= self.num_locals {
                    Some(rhs)
                } else {
                    None
                };
                if let Some(other) = other {
                    self.code.pop();
                    // `rotl(x, a) ^ rotl(y, b)`: the other operand is a rotation just
                    // before, into a temporary the second rotation does not read.
                    if let (true, Some((t2, x2, k2))) = (
                        self.code.len() > self.label_pc
                            && u32::from(other) >= self.num_locals
                            && x != other,
                        self.code.last().and_then(rotation),
                    ) {
                        if t2 == other {
                            self.code.pop();
                            self.emit(Instr::I32Rotl2Xor {
                                dst,
                                x: x2,
                                y: x,
                                kx: k2 as u8,
                                ky: k as u8,
                            });
                            return;
                        }
                    }
                    self.emit(Instr::I32XorRotlImm {
                        dst,
                        lhs: other,
                        src: x,
                        imm: k as u8,
                    });
                    return;
                }
            }
        }
        self.emit(Instr::I32Xor { dst, lhs, rhs });
    }

    /// After a `local.set` or `local.tee` of `x`: a byte store at `base + x` (a
    /// `Store8ImmAdd`) then `x += step`, with nothing branching between or after them,
    /// become one `Store8ImmAddStep`.
    fn store_then_step(&mut self) {
        let n = self.code.len();
        if n < self.label_pc + 2 {
            return;
        }
        if let (
            Instr::Store8ImmAdd {
                lhs,
                rhs,
                value,
                offset,
            },
            Instr::I32Add {
                dst: x,
                lhs: a,
                rhs: b,
            },
        ) = (self.code[n - 2], self.code[n - 1])
        {
            let (step, base) = (other_of(a, b, x), other_of(lhs, rhs, x));
            if let (Some(step), Some(base), Ok(offset)) = (step, base, u16::try_from(offset)) {
                self.code.truncate(n - 2);
                self.emit(Instr::Store8ImmAddStep {
                    base,
                    x,
                    step,
                    value,
                    offset,
                });
            }
        }
    }

    /// After a `local.set`: if the last two instructions (with nothing branching between
    /// or after them) are in-place `I32AddImm`s with 16-bit constants, makes them one
    /// `I32AddImm2`; an in-place `i32.add` then such an `I32AddImm` become one
    /// `I32AddAndAddImm`.
    fn pair_increments(&mut self) {
        let n = self.code.len();
        if n < self.label_pc + 2 {
            return;
        }
        let inc = |i: &Instr| match *i {
            Instr::I32AddImm { dst, lhs, imm } if dst == lhs => {
                i16::try_from(imm).ok().map(|k| (dst, k))
            }
            _ => None,
        };
        let Some((c, kc)) = inc(&self.code[n - 1]) else {
            return;
        };
        match self.code[n - 2] {
            Instr::I32AddImm { .. } => {
                if let Some((a, ka)) = inc(&self.code[n - 2]) {
                    self.code.truncate(n - 2);
                    self.emit(Instr::I32AddImm2 {
                        a,
                        ka,
                        b: c,
                        kb: kc,
                    });
                }
            }
            Instr::I32Add { dst, lhs, rhs } if dst == lhs => {
                self.code.truncate(n - 2);
                self.emit(Instr::I32AddAndAddImm {
                    a: dst,
                    b: rhs,
                    c,
                    kc,
                });
            }
            _ => {}
        }
    }

    /// If the last instruction is an `I32AddImm2` (or `I32AddAndAddImm`) whose second
    /// increment is of `slot` (`pair_increments` paired it with the one before), splits
    /// it back into its two instructions, so that a branch on `slot` can fuse the second.
    fn unpair_increment(&mut self, slot: Slot) {
        if self.code.len() <= self.label_pc {
            return;
        }
        let (first, b, kb) = match self.code.last() {
            Some(&Instr::I32AddImm2 { a, ka, b, kb }) => (
                Instr::I32AddImm {
                    dst: a,
                    lhs: a,
                    imm: ka.into(),
                },
                b,
                kb,
            ),
            Some(&Instr::I32AddAndAddImm { a, b, c, kc }) => (
                Instr::I32Add {
                    dst: a,
                    lhs: a,
                    rhs: b,
                },
                c,
                kc,
            ),
            _ => return,
        };
        if b == slot {
            self.code.pop();
            self.emit(first);
            self.emit(Instr::I32AddImm {
                dst: b,
                lhs: b,
                imm: kb.into(),
            });
        }
    }

    /// `x = x + k; br_if (x op y)` with `x` a local stepped in place (a loop index and
    /// its bound): if `branch` compares `x` as its left operand and the last instruction
    /// is that increment, removes the increment and returns one instruction that adds
    /// and branches.
    fn add_imm_compare_branch(&mut self, branch: Instr) -> Option<Instr> {
        use Instr::*;
        let (lhs, wide) = match branch {
            BrIfI32Ne { lhs, .. }
            | BrIfI32Eq { lhs, .. }
            | BrIfI32LtU { lhs, .. }
            | BrIfI32GeU { lhs, .. } => (lhs, false),
            BrIfI64Ne { lhs, .. } | BrIfI64Eq { lhs, .. } => (lhs, true),
            _ => return None,
        };
        if !wide {
            self.unpair_increment(lhs);
        }
        if self.code.len() <= self.label_pc {
            return None;
        }
        let imm = match *self.code.last()? {
            I32AddImm { dst, lhs: src, imm } if !wide && dst == lhs && src == lhs => imm,
            I64AddImm { dst, lhs: src, imm } if wide && dst == lhs && src == lhs => imm,
            _ => return None,
        };
        let imm = i16::try_from(imm).ok()?;
        let slot = lhs;
        let fused = match branch {
            BrIfI32Ne { rhs, target, .. } => I32AddImmBrNe {
                slot,
                imm,
                rhs,
                target,
            },
            BrIfI32Eq { rhs, target, .. } => I32AddImmBrEq {
                slot,
                imm,
                rhs,
                target,
            },
            BrIfI32LtU { rhs, target, .. } => I32AddImmBrLtU {
                slot,
                imm,
                rhs,
                target,
            },
            BrIfI32GeU { rhs, target, .. } => I32AddImmBrGeU {
                slot,
                imm,
                rhs,
                target,
            },
            BrIfI64Ne { rhs, target, .. } => I64AddImmBrNe {
                slot,
                imm,
                rhs,
                target,
            },
            BrIfI64Eq { rhs, target, .. } => I64AddImmBrEq {
                slot,
                imm,
                rhs,
                target,
            },
            _ => return None,
        };
        self.code.pop();
        Some(fused)
    }

    /// If the last instruction is an `i32.add` into temporary `slot` (and nothing branches
    /// to the point after it), removes it and returns its operands, so the instruction
    /// that consumes `slot` can add them itself.
    fn take_add_into(&mut self, slot: Slot) -> Option<(Slot, Slot)> {
        if self.code.len() <= self.label_pc || u32::from(slot) < self.num_locals {
            return None;
        }
        match self.code.last() {
            Some(&Instr::I32Add { dst, lhs, rhs }) if dst == slot => {
                self.code.pop();
                Some((lhs, rhs))
            }
            _ => None,
        }
    }

    /// As `take_add_into`, for an `I32AddShl` (`base + (index << shift)`): returns its
    /// operands and the shift.
    fn take_add_shl_into(&mut self, slot: Slot) -> Option<(Slot, Slot, u8)> {
        if self.code.len() <= self.label_pc || u32::from(slot) < self.num_locals {
            return None;
        }
        match self.code.last() {
            Some(&Instr::I32AddShl {
                dst,
                lhs,
                index,
                shift,
            }) if dst == slot => {
                self.code.pop();
                Some((lhs, index, shift))
            }
            _ => None,
        }
    }

    /// As `take_add_into`, for an `I32AddImmShl` (`(base + imm) + (index << shift)`):
    /// returns its operands, the shift and the constant.
    fn take_add_imm_shl_into(&mut self, slot: Slot) -> Option<(Slot, Slot, u8, i16)> {
        if self.code.len() <= self.label_pc || u32::from(slot) < self.num_locals {
            return None;
        }
        match self.code.last() {
            Some(&Instr::I32AddImmShl {
                dst,
                lhs,
                index,
                shift,
                imm,
            }) if dst == slot => {
                self.code.pop();
                Some((lhs, index, shift, imm))
            }
            _ => None,
        }
    }

    /// A `Load32` from `addr + offset` right after another `Load32` from `addr` (into a
    /// slot other than `addr`, both offsets below 64 KiB): removes the first and returns
    /// one instruction that does both loads, in order.
    fn load32_pair(&mut self, dst1: Slot, addr: Slot, offset: u32) -> Option<Instr> {
        if self.code.len() <= self.label_pc {
            return None;
        }
        let Instr::Load32 {
            dst: dst0,
            addr: first,
            offset: off0,
        } = *self.code.last()?
        else {
            return None;
        };
        if first != addr || dst0 == addr {
            return None;
        }
        let pair = Instr::Load32Pair {
            dst0,
            dst1,
            addr,
            off0: u16::try_from(off0).ok()?,
            off1: u16::try_from(offset).ok()?,
        };
        self.code.pop();
        Some(pair)
    }

    /// A `Load8U` at `local + offset` right after an `i32.add` (or `I32AddShl`) that
    /// computed the local: removes the add and returns one instruction that computes the
    /// local and loads from it. The add still writes the local, which stays live.
    fn load8u_tee(&mut self, dst: Slot, local: Slot, offset: u32) -> Option<Instr> {
        if self.code.len() <= self.label_pc || u32::from(local) >= self.num_locals {
            return None;
        }
        let fused = match *self.code.last()? {
            Instr::I32Add { dst: tee, lhs, rhs } if tee == local => Instr::Load8UAddTee {
                dst,
                tee,
                lhs,
                rhs,
                offset: u16::try_from(offset).ok()?,
            },
            Instr::I32AddShl {
                dst: tee,
                lhs,
                index,
                shift,
            } if tee == local => Instr::Load8UShlTee {
                dst,
                tee,
                base: lhs,
                index,
                shift,
                offset: u8::try_from(offset).ok()?,
            },
            _ => return None,
        };
        self.code.pop();
        Some(fused)
    }

    /// As `take_add_into`, for an `i32.add` of a constant (`I32AddImm`): returns its
    /// operand and the constant.
    fn take_add_imm_into(&mut self, slot: Slot) -> Option<(Slot, i32)> {
        if self.code.len() <= self.label_pc || u32::from(slot) < self.num_locals {
            return None;
        }
        match self.code.last() {
            Some(&Instr::I32AddImm { dst, lhs, imm }) if dst == slot => {
                self.code.pop();
                Some((lhs, imm))
            }
            _ => None,
        }
    }

    /// `f64.add`, fusing an `f64.mul` that computed its right operand (`acc + a * b`):
    /// one dispatch, the same two roundings.
    fn f64_add(&mut self) {
        let rhs = self.pop_slot();
        let lhs = self.pop_slot();
        let dst = self.push_temp();
        if self.code.len() > self.label_pc && u32::from(rhs) >= self.num_locals && lhs != rhs {
            if let Some(&Instr::F64Mul {
                dst: t,
                lhs: a,
                rhs: b,
            }) = self.code.last()
            {
                if t == rhs {
                    self.code.pop();
                    self.emit(Instr::F64MulAdd {
                        dst,
                        acc: lhs,
                        lhs: a,
                        rhs: b,
                    });
                    return;
                }
            }
        }
        self.emit(Instr::F64Add { dst, lhs, rhs });
    }

    /// A `Store64` of the temporary an `F64MulAdd` just computed: removes the `F64MulAdd`
    /// and returns one instruction that computes the sum and stores it.
    fn mul_add_store(&mut self, addr: Slot, src: Slot, offset: u32) -> Option<Instr> {
        if self.code.len() <= self.label_pc || u32::from(src) < self.num_locals {
            return None;
        }
        let Instr::F64MulAdd { dst, acc, lhs, rhs } = *self.code.last()? else {
            return None;
        };
        if dst != src {
            return None;
        }
        let fused = Instr::F64MulAddStore {
            addr,
            acc,
            lhs,
            rhs,
            offset: u16::try_from(offset).ok()?,
        };
        self.code.pop();
        Some(fused)
    }

    /// The address type of memory `mem` (validated: it exists).
    pub(super) fn memory_addr_type(&self, mem: u32) -> AddrType {
        self.module
            .memories
            .get(mem as usize)
            .map_or(AddrType::I32, |m| m.addr_type)
    }

    /// For a 64-bit table, the `i64` index in `index` saturated to 32 bits (see
    /// `Instr::TableIndex64`) in the slot of stack position `height()`, which the caller
    /// has just popped the index from; for a 32-bit table, `index` itself.
    fn table_index(&mut self, table: u32, index: Slot) -> Slot {
        let addr_type = self
            .module
            .tables
            .get(table as usize)
            .map_or(AddrType::I32, |t| t.addr_type);
        if addr_type == AddrType::I32 {
            return index;
        }
        let dst = self.temp_slot(self.height());
        self.emit(Instr::TableIndex64 { dst, src: index });
        dst
    }

    /// A load or store on a 64-bit memory: `Mem64` and its 64-bit offset.
    fn mem64(&mut self, op: ir::Mem64Op, a: Slot, b: Slot, mem: u32, offset: u64) {
        self.emit(Instr::Mem64 { op, a, b, mem });
        self.emit(Instr::Data(offset as u32));
        self.emit(Instr::Data((offset >> 32) as u32));
    }

    fn load(&mut self, kind: LoadKind, memarg: &wasmparser::MemArg) -> Result<()> {
        let mem = memory_index(memarg)?;
        if self.memory_addr_type(mem) == AddrType::I64 {
            let addr = self.pop_slot();
            let dst = self.push_temp();
            self.mem64(ir::Mem64Op::Load(kind), dst, addr, mem, memarg.offset);
            return Ok(());
        }
        let offset = offset32(memarg)?;
        if let (0, LoadKind::L32, Some(&Operand::Const(at))) = (mem, kind, self.stack.last()) {
            self.stack.pop();
            let dst = self.push_temp();
            self.emit(Instr::Load32Abs {
                dst,
                at: at as u32,
                offset,
            });
            return Ok(());
        }
        let addr = self.pop_slot();
        let dst = self.push_temp();
        if let (0, LoadKind::L32) = (mem, kind) {
            if let Some(pair) = self.load32_pair(dst, addr, offset) {
                self.emit(pair);
                return Ok(());
            }
        }
        if mem == 0 && kind == LoadKind::L8U {
            if let Some(fused) = self.load8u_tee(dst, addr, offset) {
                self.emit(fused);
                return Ok(());
            }
            if let Some((lhs, rhs)) = self.take_add_into(addr) {
                self.emit(Instr::Load8UAdd {
                    dst,
                    lhs,
                    rhs,
                    offset,
                });
                return Ok(());
            }
        }
        if let (0, Ok(offset), LoadKind::L32 | LoadKind::L64 | LoadKind::L8U | LoadKind::L16U) =
            (mem, u16::try_from(offset), kind)
        {
            if let Some((base, index, shift)) = self.take_add_shl_into(addr) {
                self.emit(match kind {
                    LoadKind::L32 => Instr::Load32Shl {
                        dst,
                        base,
                        index,
                        shift,
                        offset,
                    },
                    LoadKind::L64 => Instr::Load64Shl {
                        dst,
                        base,
                        index,
                        shift,
                        offset,
                    },
                    LoadKind::L16U => Instr::Load16UShl {
                        dst,
                        base,
                        index,
                        shift,
                        offset,
                    },
                    _ => Instr::Load8UShl {
                        dst,
                        base,
                        index,
                        shift,
                        offset,
                    },
                });
                return Ok(());
            }
            if let (0, LoadKind::L32 | LoadKind::L64) = (offset, kind) {
                if let Some((base, index, shift, imm)) = self.take_add_imm_shl_into(addr) {
                    self.emit(if kind == LoadKind::L32 {
                        Instr::Load32AddImmShl {
                            dst,
                            base,
                            index,
                            shift,
                            imm,
                        }
                    } else {
                        Instr::Load64AddImmShl {
                            dst,
                            base,
                            index,
                            shift,
                            imm,
                        }
                    });
                    return Ok(());
                }
            }
            if let Some((lhs, imm)) = self.take_add_imm_into(addr) {
                self.emit(match kind {
                    LoadKind::L32 => Instr::Load32AddImm {
                        dst,
                        lhs,
                        offset,
                        imm,
                    },
                    LoadKind::L64 => Instr::Load64AddImm {
                        dst,
                        lhs,
                        offset,
                        imm,
                    },
                    LoadKind::L16U => Instr::Load16UAddImm {
                        dst,
                        lhs,
                        offset,
                        imm,
                    },
                    _ => Instr::Load8UAddImm {
                        dst,
                        lhs,
                        offset,
                        imm,
                    },
                });
                return Ok(());
            }
        }
        if mem == 0 {
            self.emit(match kind {
                LoadKind::L32 => Instr::Load32 { dst, addr, offset },
                LoadKind::L64 => Instr::Load64 { dst, addr, offset },
                LoadKind::L8S => Instr::Load8S { dst, addr, offset },
                LoadKind::L8U => Instr::Load8U { dst, addr, offset },
                LoadKind::L16S => Instr::Load16S { dst, addr, offset },
                LoadKind::L16U => Instr::Load16U { dst, addr, offset },
                LoadKind::L32S => Instr::Load32S { dst, addr, offset },
            });
        } else {
            self.emit(Instr::LoadMem {
                dst,
                addr,
                kind_mem: kind as u32 | mem << 8,
            });
            self.emit(Instr::Data(offset));
        }
        Ok(())
    }

    fn store(&mut self, kind: StoreKind, memarg: &wasmparser::MemArg) -> Result<()> {
        let mem = memory_index(memarg)?;
        if self.memory_addr_type(mem) == AddrType::I64 {
            let src = self.pop_slot();
            let addr = self.pop_slot();
            self.mem64(ir::Mem64Op::Store(kind), addr, src, mem, memarg.offset);
            return Ok(());
        }
        let offset = offset32(memarg)?;
        if mem == 0 {
            if let Some(c) = self.stack.last().and_then(|o| match o {
                Operand::Const(c) if kind != StoreKind::S64 || i32::try_from(*c as i64).is_ok() => {
                    Some(*c as i32)
                }
                _ => None,
            }) {
                self.stack.pop();
                let addr = self.pop_slot();
                if kind == StoreKind::S8 {
                    if let Some((lhs, rhs)) = self.take_add_into(addr) {
                        self.emit(Instr::Store8ImmAdd {
                            lhs,
                            rhs,
                            value: c as i8,
                            offset,
                        });
                        return Ok(());
                    }
                }
                self.emit(match kind {
                    StoreKind::S8 => Instr::Store8Imm {
                        addr,
                        value: c,
                        offset,
                    },
                    StoreKind::S16 => Instr::Store16Imm {
                        addr,
                        value: c,
                        offset,
                    },
                    StoreKind::S32 => Instr::Store32Imm {
                        addr,
                        value: c,
                        offset,
                    },
                    StoreKind::S64 => Instr::Store64Imm {
                        addr,
                        value: c,
                        offset,
                    },
                });
                return Ok(());
            }
        }
        let src = self.pop_slot();
        let addr = self.pop_slot();
        if (mem, kind) == (0, StoreKind::S64) {
            if let Some(fused) = self.mul_add_store(addr, src, offset) {
                self.emit(fused);
                return Ok(());
            }
        }
        if mem == 0 {
            self.emit(match kind {
                StoreKind::S8 => Instr::Store8 { addr, src, offset },
                StoreKind::S16 => Instr::Store16 { addr, src, offset },
                StoreKind::S32 => Instr::Store32 { addr, src, offset },
                StoreKind::S64 => Instr::Store64 { addr, src, offset },
            });
        } else {
            self.emit(Instr::StoreMem {
                addr,
                src,
                kind_mem: kind as u32 | mem << 8,
            });
            self.emit(Instr::Data(offset));
        }
        Ok(())
    }

    /// The cells of a block's parameters and results.
    fn block_arity(&self, ty: BlockType) -> (u32, u32) {
        match ty {
            BlockType::Empty => (0, 0),
            BlockType::Type(t) => (
                0,
                ValType::from_wasmparser(t, &self.module.type_ids).map_or(1, |t| t.cells() as u32),
            ),
            BlockType::FuncType(idx) => {
                let ft = &self.module.types[idx as usize];
                (ft.param_cells(), ft.result_cells())
            }
        }
    }

    /// Pushes temporaries for a block's parameters (`params`) or results.
    fn push_block_values(&mut self, ty: BlockType, params: bool) {
        match ty {
            BlockType::Empty => {}
            BlockType::Type(t) => {
                let t = ValType::from_wasmparser(t, &self.module.type_ids).unwrap_or(ValType::I32);
                if !params {
                    self.push_typed(t, Operand::Temp, Operand::Temp);
                }
            }
            BlockType::FuncType(idx) => {
                let ft = self.module.types[idx as usize].clone();
                let tys = if params { ft.params() } else { ft.results() };
                self.push_temps(tys);
            }
        }
    }

    /// Pushes one temporary value of each type in `tys`.
    fn push_temps(&mut self, tys: &[ValType]) {
        for t in tys {
            self.push_typed(*t, Operand::Temp, Operand::Temp);
        }
    }

    /// The first slot of local `index` and whether it is a `v128`.
    fn local(&self, index: u32) -> (Slot, bool) {
        match self.locals.get(index as usize) {
            Some(l) => *l,
            // Local indices are below `num_locals`, checked to fit a `Slot`.
            None => (index as Slot, false),
        }
    }

    fn push_ctrl(&mut self, kind: CtrlKind, ty: BlockType) {
        let (params, results) = self.block_arity(ty);
        let height = self.height() - params;
        self.ctrl.push(Ctrl {
            kind,
            height,
            params,
            results,
            ty,
            loop_pc: self.pc(),
            patches: Vec::new(),
            else_patch: None,
            reachable_at_entry: self.reachable,
            handler: None,
        });
    }

    /// Moves the top `arity` operands to the slots starting at height `dst_height`.
    fn copy_to_label(&mut self, arity: u32, dst_height: u32) {
        let top = self.height() - arity;
        if arity == 1 {
            let dst = self.temp_slot(dst_height);
            match self.stack[top as usize] {
                Operand::Temp if top == dst_height => {}
                Operand::Temp => self.emit(Instr::Copy {
                    dst,
                    src: self.temp_slot(top),
                }),
                Operand::Local(l) => self.emit(Instr::Copy { dst, src: l }),
                Operand::Const(c) => self.emit_const(dst, c),
            }
            return;
        }
        let all_temp = self.stack[top as usize..]
            .iter()
            .all(|o| *o == Operand::Temp);
        if all_temp {
            if top != dst_height && arity > 0 {
                self.emit(Instr::CopyN {
                    dst: self.temp_slot(dst_height),
                    src: self.temp_slot(top),
                    n: arity,
                });
            }
            return;
        }
        // Ascending copies are safe: every destination is at or below its source, and
        // locals are never destinations.
        for i in 0..arity {
            let dst = self.temp_slot(dst_height + i);
            match self.stack[(top + i) as usize] {
                Operand::Temp if top == dst_height => {}
                Operand::Temp => self.emit(Instr::Copy {
                    dst,
                    src: self.temp_slot(top + i),
                }),
                Operand::Local(l) => self.emit(Instr::Copy { dst, src: l }),
                Operand::Const(c) => self.emit_const(dst, c),
            }
        }
    }

    /// Emits a `return` of the top results (which must be materialized).
    fn emit_return(&mut self) {
        let n = self.ctrl[0].results;
        self.materialize_top(n);
        let src = self.temp_slot(self.height() - n);
        self.emit(Instr::Return { src, n });
    }

    /// Emits an unconditional branch to the label `depth` levels out.
    fn emit_br(&mut self, depth: u32) {
        let idx = self.ctrl.len() - 1 - depth as usize;
        if self.ctrl[idx].kind == CtrlKind::Function {
            self.emit_return();
            return;
        }
        let (arity, height) = (self.ctrl[idx].label_arity(), self.ctrl[idx].height);
        self.copy_to_label(arity, height);
        self.emit_jump_to_label(idx);
    }

    /// Emits `Br` to the label of control frame `idx` (patched later for forward labels).
    fn emit_jump_to_label(&mut self, idx: usize) {
        let c = &self.ctrl[idx];
        if c.kind == CtrlKind::Loop {
            let target = c.loop_pc;
            self.emit(Instr::Br(target));
        } else {
            let at = self.code.len();
            self.emit(Instr::Br(u32::MAX));
            self.ctrl[idx].patches.push(at);
        }
    }

    /// `br_if (x == k) L; br_table T x`, nothing between (LLVM peels a hot case off a
    /// `switch` like this): removes the `br_if` and makes entry `k` of the table jump to
    /// `L` instead, padding the table with `default` up to `k` when it is short (at most
    /// 16 entries). The branch needed no moves, and the table sees the same stack, so its
    /// entry needs none either.
    fn absorb_br_if(&mut self, index: Slot, depths: &mut Vec<u32>, default: u32) {
        let Some((at, idx)) = self.last_br_if else {
            return;
        };
        if at + 1 != self.code.len() || at < self.label_pc || idx >= self.ctrl.len() {
            return;
        }
        let k = match self.code[at] {
            Instr::BrIfI32EqImm { lhs, imm, .. } if lhs == index => imm as u32,
            Instr::BrIfEqz { cond, .. } if cond == index => 0,
            _ => return,
        };
        let len = depths.len();
        if k as usize > len + 16 {
            return;
        }
        depths.resize(len.max(k as usize + 1), default);
        depths[k as usize] = (self.ctrl.len() - 1 - idx) as u32;
        self.code.pop();
        let patches = &mut self.ctrl[idx].patches;
        if patches.last() == Some(&at) {
            patches.pop();
        }
        self.last_br_if = None;
    }

    /// Whether a branch to label `depth` needs moves (or is a return).
    fn br_needs_moves(&self, depth: u32) -> bool {
        let c = &self.ctrl[self.ctrl.len() - 1 - depth as usize];
        if c.kind == CtrlKind::Function {
            return true;
        }
        let arity = c.label_arity();
        let top = self.height() - arity;
        !(top == c.height
            && self.stack[top as usize..]
                .iter()
                .all(|o| *o == Operand::Temp))
    }

    /// A conditional branch on `cond != 0` (or `== 0` when `negate`) to label `depth`.
    fn emit_br_if(&mut self, cond: Slot, depth: u32) {
        if self.br_needs_moves(depth) {
            // Skip over the moves and the jump when the condition fails.
            let skip = self.code.len();
            self.emit(Instr::BrIfEqz {
                cond,
                target: u32::MAX,
            });
            self.emit_br(depth);
            let pc = self.pc();
            self.code[skip].set_target(pc);
            self.label_pc = self.code.len();
            return;
        }
        let idx = self.ctrl.len() - 1 - depth as usize;
        let mut branch = self.fused_branch(cond, false).unwrap_or(Instr::BrIfNez {
            cond,
            target: u32::MAX,
        });
        // `x = x + k; br_if (x)` (or on `x == 0`): one instruction adds and branches on
        // the sum.
        if let (Instr::BrIfNez { cond, target } | Instr::BrIfEqz { cond, target }, true) =
            (branch, self.code.len() > self.label_pc)
        {
            self.unpair_increment(cond);
            if let Some(&Instr::I32AddImm { dst, lhs, imm }) = self.code.last() {
                if let (true, Ok(imm)) = (dst == cond, i16::try_from(imm)) {
                    self.code.pop();
                    branch = if matches!(branch, Instr::BrIfNez { .. }) {
                        Instr::I32AddImmBrNez {
                            dst,
                            lhs,
                            imm,
                            target,
                        }
                    } else {
                        Instr::I32AddImmBrEqz {
                            dst,
                            lhs,
                            imm,
                            target,
                        }
                    };
                }
            }
        }
        if let Some(fused) = self.add_imm_compare_branch(branch) {
            branch = fused;
        }
        if let Instr::BrIfI32LtU { lhs, rhs, target } = branch {
            if rhs != lhs {
                if let Some((a, b)) = self.take_add_into(lhs) {
                    branch = Instr::BrIfI32AddLtU {
                        lhs: a,
                        rhs: b,
                        bound: rhs,
                        target,
                    };
                }
            }
        }
        let at = self.code.len();
        self.emit(branch);
        self.last_br_if = Some((at, idx));
        if self.ctrl[idx].kind == CtrlKind::Loop {
            let t = self.ctrl[idx].loop_pc;
            self.code[at].set_target(t);
        } else {
            self.ctrl[idx].patches.push(at);
        }
    }

    /// If the last instruction computed `cond` with an `i32` comparison (and nothing
    /// branches between them), removes it and returns a fused compare-and-branch that
    /// jumps when the comparison holds (or fails, when `negate`).
    fn fused_branch(&mut self, cond: Slot, negate: bool) -> Option<Instr> {
        if self.code.len() <= self.label_pc || u32::from(cond) < self.num_locals {
            return None;
        }
        let fused = fuse::compare_branch(*self.code.last()?, cond, negate)?;
        self.code.pop();
        // An `i32.eqz` became a branch on its operand, which may itself be the result of a
        // comparison or a byte load (`i32.load8_u; i32.eqz; br_if`): fuse that too.
        if let Instr::BrIfNez { cond: inner, .. } | Instr::BrIfEqz { cond: inner, .. } = fused {
            let negate = matches!(fused, Instr::BrIfEqz { .. });
            if let Some(twice) = self.fused_branch(inner, negate) {
                return Some(twice);
            }
        }
        Some(fused)
    }

    fn mark_unreachable(&mut self) {
        self.reachable = false;
    }

    /// Binds the pending forward branches of `c` to the current instruction.
    fn bind_patches(&mut self, patches: &[usize]) {
        let pc = self.pc();
        for &at in patches {
            self.code[at].set_target(pc);
        }
        if !patches.is_empty() {
            self.label_pc = self.code.len();
        }
    }

    fn set_local(&mut self, local: Slot) {
        // Operands that still name this local must take its old value first.
        for pos in 0..self.stack.len().saturating_sub(1) {
            if self.stack[pos] == Operand::Local(local) {
                self.materialize_at(pos);
            }
        }
        let pos = self.stack.len() - 1;
        let zero_bit = 1u128.checked_shl(u32::from(local)).unwrap_or(0);
        match self.stack[pos] {
            Operand::Local(l) if l == local => {}
            // The local is still zero (`entry_zero`): nothing to store.
            Operand::Const(0) if self.entry_zero & zero_bit != 0 => {
                self.stack.pop();
                return;
            }
            Operand::Local(l) => self.emit(Instr::Copy { dst: local, src: l }),
            Operand::Const(c) => self.emit_const(local, c),
            Operand::Temp => {
                let src = self.temp_slot(pos as u32);
                if !self.retarget_last(src, local) {
                    self.emit(Instr::Copy { dst: local, src });
                }
            }
        }
        self.entry_zero &= !zero_bit;
        self.stack.pop();
    }

    /// If the last instruction wrote its result to temporary `from` (and nothing branches
    /// to the point after it), makes it write to `to` instead.
    fn retarget_last(&mut self, from: Slot, to: Slot) -> bool {
        if self.code.len() <= self.label_pc {
            return false;
        }
        let Some(last) = self.code.last_mut() else {
            return false;
        };
        match dst_of(last) {
            Some(d) if *d == from => {
                *d = to;
                true
            }
            _ => false,
        }
    }

    fn global_is_v128(&self, global: u32) -> bool {
        self.module
            .globals
            .get(global as usize)
            .is_some_and(|g| g.content == ValType::V128)
    }

    fn call(&mut self, func: u32) {
        let ty = self.module.func_type(func).clone();
        let base = self.pop_consecutive(ty.param_cells());
        self.emit(Instr::Call { func, base });
        self.push_temps(ty.results());
        self.label_pc = self.code.len();
    }

    /// A wide-arithmetic operator: `arity` operands in consecutive slots, two results.
    fn wide(&mut self, op: ir::WideOp, arity: u32) {
        let base = self.pop_consecutive(arity);
        self.emit(Instr::Wide { op, base });
        self.push_temp();
        self.push_temp();
    }

    fn operator(&mut self, op: Operator<'_>) -> Result<()> {
        use Instr as I;
        use Operator as O;
        if !self.reachable {
            match op {
                O::Block { .. } | O::Loop { .. } | O::If { .. } | O::TryTable { .. } => {
                    self.dead_depth += 1;
                    return Ok(());
                }
                O::Else if self.dead_depth == 0 => {}
                O::End if self.dead_depth == 0 => {}
                O::End => {
                    self.dead_depth -= 1;
                    return Ok(());
                }
                _ => return Ok(()),
            }
        }
        self.charge_fuel();
        if self.entry_zero != 0 && !keeps_entry_zero(&op) {
            self.entry_zero = 0;
        }
        match op {
            O::Unreachable => {
                self.emit(I::Unreachable);
                self.mark_unreachable();
            }
            O::Nop => {}
            O::Block { blockty } => {
                self.materialize_all();
                self.push_ctrl(CtrlKind::Block, blockty);
            }
            O::Loop { blockty } => {
                self.materialize_all();
                self.label_pc = self.code.len();
                self.push_ctrl(CtrlKind::Loop, blockty);
                self.start_block_fuel();
            }
            O::If { blockty } => {
                let cond = self.pop_slot();
                self.materialize_all();
                let mut branch = self.fused_branch(cond, true).unwrap_or(I::BrIfEqz {
                    cond,
                    target: u32::MAX,
                });
                if let Some(fused) = self.add_imm_compare_branch(branch) {
                    branch = fused;
                }
                let at = self.code.len();
                self.emit(branch);
                self.push_ctrl(CtrlKind::If, blockty);
                if let Some(c) = self.ctrl.last_mut() {
                    c.else_patch = Some(at);
                }
                self.start_block_fuel();
            }
            O::Else => {
                let Some(c) = self.ctrl.last() else {
                    return Err(internal("else"));
                };
                let (results, height, ty) = (c.results, c.height, c.ty);
                if self.reachable {
                    self.materialize_top(results);
                    let at = self.code.len();
                    self.emit(I::Br(u32::MAX));
                    if let Some(c) = self.ctrl.last_mut() {
                        c.patches.push(at);
                    }
                }
                let c = self.ctrl.last_mut().ok_or_else(|| internal("else"))?;
                c.kind = CtrlKind::Else;
                let else_patch = c.else_patch.take();
                self.reachable = c.reachable_at_entry;
                if let Some(at) = else_patch {
                    let pc = self.pc();
                    self.code[at].set_target(pc);
                }
                self.label_pc = self.code.len();
                self.stack.truncate(height as usize);
                self.push_block_values(ty, true);
                self.start_block_fuel();
            }
            O::End => {
                if self.ctrl.len() == 1 {
                    // The end of the function body.
                    if self.reachable {
                        self.emit_return();
                    }
                    return Ok(());
                }
                let mut c = self.ctrl.pop().ok_or_else(|| internal("end"))?;
                self.end_try(c.handler.take());
                if self.reachable {
                    self.materialize_top(c.results);
                }
                let mut reachable = self.reachable || !c.patches.is_empty();
                if let Some(at) = c.else_patch {
                    // `if` without `else`: the false case falls through to here.
                    let pc = self.pc();
                    self.code[at].set_target(pc);
                    self.label_pc = self.code.len();
                    reachable |= c.reachable_at_entry;
                }
                self.bind_patches(&c.patches);
                self.stack.truncate(c.height as usize);
                self.push_block_values(c.ty, false);
                self.reachable = reachable;
                if c.kind != CtrlKind::Block || !c.patches.is_empty() {
                    self.start_block_fuel();
                }
            }
            O::Br { relative_depth } => {
                self.emit_br(relative_depth);
                self.mark_unreachable();
            }
            O::BrIf { relative_depth } => {
                let cond = self.pop_slot();
                let idx = self.ctrl.len() - 1 - relative_depth as usize;
                if self.ctrl[idx].kind == CtrlKind::Function {
                    let n = self.ctrl[idx].results;
                    self.materialize_top(n);
                }
                self.emit_br_if(cond, relative_depth);
                self.start_block_fuel();
            }
            O::BrTable { targets } => {
                let index = self.pop_slot();
                let depths: Vec<u32> = targets.targets().collect::<Result<_, _>>()?;
                let mut depths = depths;
                let default = targets.default();
                let arity = self.ctrl[self.ctrl.len() - 1 - default as usize].label_arity();
                self.materialize_top(arity);
                self.absorb_br_if(index, &mut depths, default);
                self.emit(I::BrTable {
                    index,
                    len: depths.len() as u32,
                });
                let mut stubs = Vec::new();
                for &depth in depths.iter().chain(core::iter::once(&default)) {
                    let idx = self.ctrl.len() - 1 - depth as usize;
                    if self.br_needs_moves(depth) {
                        stubs.push((self.code.len(), depth));
                        self.emit(I::Br(u32::MAX));
                    } else {
                        self.emit_jump_to_label(idx);
                    }
                }
                for (at, depth) in stubs {
                    let pc = self.pc();
                    self.code[at].set_target(pc);
                    self.emit_br(depth);
                }
                self.mark_unreachable();
            }
            O::Return => {
                self.emit_return();
                self.mark_unreachable();
            }
            O::Call { function_index } => self.call(function_index),
            O::TryTable { try_table } => self.try_table(try_table)?,
            O::Throw { tag_index } => self.throw(tag_index),
            O::ThrowRef => self.throw_ref(),
            O::CallIndirect {
                type_index,
                table_index,
            } => {
                let index = self.pop_slot();
                let index = self.table_index(table_index, index);
                // The index may sit just above the arguments; keep it in a slot the callee
                // cannot overwrite before the call reads it.
                let ty = self.module.types[type_index as usize].clone();
                let base = self.pop_consecutive(ty.param_cells());
                self.emit(I::CallIndirect {
                    ty: type_index,
                    base,
                    index,
                });
                self.emit(I::Data(table_index));
                self.push_temps(ty.results());
                self.label_pc = self.code.len();
            }
            // Tail calls (the tail-call proposal): the callee takes over this frame, see
            // `Instr::ReturnCall`. The `Return` after it runs only when the callee is a
            // host function, which the executor calls like any other; its results then
            // sit at `base` and this function returns them.
            O::ReturnCall { function_index } => {
                let ty = self.module.func_type(function_index).clone();
                let base = self.pop_consecutive(ty.param_cells());
                self.emit(I::ReturnCall {
                    func: function_index,
                    base,
                });
                self.emit(I::Return {
                    src: base,
                    n: ty.result_cells(),
                });
                self.mark_unreachable();
            }
            O::ReturnCallIndirect {
                type_index,
                table_index,
            } => {
                let index = self.pop_slot();
                let index = self.table_index(table_index, index);
                let ty = self.module.types[type_index as usize].clone();
                let base = self.pop_consecutive(ty.param_cells());
                self.emit(I::ReturnCallIndirect {
                    ty: type_index,
                    base,
                    index,
                });
                self.emit(I::Data(table_index));
                self.emit(I::Return {
                    src: base,
                    n: ty.result_cells(),
                });
                self.mark_unreachable();
            }
            O::I64Add128 => self.wide(ir::WideOp::Add128, 4),
            O::I64Sub128 => self.wide(ir::WideOp::Sub128, 4),
            O::I64MulWideS => self.wide(ir::WideOp::MulWideS, 2),
            O::I64MulWideU => self.wide(ir::WideOp::MulWideU, 2),
            O::Drop => {
                let n = if self.top_is_v128() { 2 } else { 1 };
                self.stack.truncate(self.stack.len().saturating_sub(n));
            }
            O::Select | O::TypedSelect { .. } => {
                let cond = self.pop_slot();
                if self.top_is_v128() {
                    // Both halves of the first operand become their own slots' values.
                    let other = self.pop_v128();
                    let pos = self.stack.len() - 2;
                    self.materialize_at(pos);
                    self.materialize_at(pos + 1);
                    let dst = self.temp_slot(pos as u32);
                    self.emit(I::Select { dst, other, cond });
                    self.emit(I::Select {
                        dst: dst + 1,
                        other: other + 1,
                        cond,
                    });
                } else {
                    let other = self.pop_slot();
                    let pos = self.stack.len() - 1;
                    self.materialize_at(pos);
                    let dst = self.temp_slot(pos as u32);
                    self.emit(I::Select { dst, other, cond });
                }
            }
            O::LocalGet { local_index } => match self.local(local_index) {
                (l, false) => self.push(Operand::Local(l)),
                (l, true) => {
                    self.push_typed(ValType::V128, Operand::Local(l), Operand::Local(l + 1))
                }
            },
            O::LocalSet { local_index } => match self.local(local_index) {
                (l, false) => {
                    self.set_local(l);
                    self.store_then_step();
                    self.pair_increments();
                }
                (l, true) => self.set_local_v128(l),
            },
            O::LocalTee { local_index } => match self.local(local_index) {
                (l, false) => {
                    self.set_local(l);
                    self.store_then_step();
                    self.push(Operand::Local(l));
                }
                (l, true) => {
                    self.set_local_v128(l);
                    self.push_typed(ValType::V128, Operand::Local(l), Operand::Local(l + 1));
                }
            },
            O::GlobalGet { global_index } => {
                if self.global_is_v128(global_index) {
                    let dst = self.push_v128();
                    self.emit(I::GlobalGetV128 {
                        dst,
                        global: global_index,
                    });
                } else {
                    let dst = self.push_temp();
                    self.emit(I::GlobalGet {
                        dst,
                        global: global_index,
                    });
                }
            }
            O::GlobalSet { global_index } => {
                if self.global_is_v128(global_index) {
                    let src = self.pop_v128();
                    self.emit(I::GlobalSetV128 {
                        global: global_index,
                        src,
                    });
                } else {
                    let src = self.pop_slot();
                    self.emit(I::GlobalSet {
                        global: global_index,
                        src,
                    });
                }
            }
            O::I32Load { memarg } | O::F32Load { memarg } | O::I64Load32U { memarg } => {
                self.load(LoadKind::L32, &memarg)?
            }
            O::I64Load { memarg } | O::F64Load { memarg } => self.load(LoadKind::L64, &memarg)?,
            O::I32Load8S { memarg } | O::I64Load8S { memarg } => {
                self.load(LoadKind::L8S, &memarg)?
            }
            O::I32Load8U { memarg } | O::I64Load8U { memarg } => {
                self.load(LoadKind::L8U, &memarg)?
            }
            O::I32Load16S { memarg } | O::I64Load16S { memarg } => {
                self.load(LoadKind::L16S, &memarg)?
            }
            O::I32Load16U { memarg } | O::I64Load16U { memarg } => {
                self.load(LoadKind::L16U, &memarg)?
            }
            O::I64Load32S { memarg } => self.load(LoadKind::L32S, &memarg)?,
            O::I32Store { memarg } | O::F32Store { memarg } | O::I64Store32 { memarg } => {
                self.store(StoreKind::S32, &memarg)?
            }
            O::I64Store { memarg } | O::F64Store { memarg } => {
                self.store(StoreKind::S64, &memarg)?
            }
            O::I32Store8 { memarg } | O::I64Store8 { memarg } => {
                self.store(StoreKind::S8, &memarg)?
            }
            O::I32Store16 { memarg } | O::I64Store16 { memarg } => {
                self.store(StoreKind::S16, &memarg)?
            }
            O::MemorySize { mem } => {
                let dst = self.push_temp();
                self.emit(I::MemorySize { dst, mem });
            }
            O::MemoryGrow { mem } => {
                let delta = self.pop_slot();
                let dst = self.push_temp();
                self.emit(I::MemoryGrow { dst, delta, mem });
            }
            O::MemoryFill { mem } => {
                let base = self.pop_consecutive(3);
                self.emit(I::MemoryFill { mem, base });
            }
            O::MemoryCopy { dst_mem, src_mem } => {
                let base = self.pop_consecutive(3);
                self.emit(I::MemoryCopy { dst_mem, base });
                self.emit(I::Data(src_mem));
            }
            O::MemoryInit { data_index, mem } => {
                let base = self.pop_consecutive(3);
                self.emit(I::MemoryInit {
                    mem,
                    data: data_index,
                    base,
                });
            }
            O::DataDrop { data_index } => self.emit(I::DataDrop(data_index)),
            O::TableGet { table } => {
                let index = self.pop_slot();
                let index = self.table_index(table, index);
                let dst = self.push_temp();
                self.emit(I::TableGet { dst, index, table });
            }
            O::TableSet { table } => {
                let src = self.pop_slot();
                let index = self.pop_slot();
                let index = self.table_index(table, index);
                self.emit(I::TableSet { table, index, src });
            }
            O::TableSize { table } => {
                let dst = self.push_temp();
                self.emit(I::TableSize { dst, table });
            }
            O::TableGrow { table } => {
                let base = self.pop_consecutive(2);
                self.push_temp();
                self.emit(I::TableGrow { table, base });
            }
            O::TableFill { table } => {
                let base = self.pop_consecutive(3);
                self.emit(I::TableFill { table, base });
            }
            O::TableCopy {
                dst_table,
                src_table,
            } => {
                let base = self.pop_consecutive(3);
                self.emit(I::TableCopy {
                    dst_table,
                    src_table,
                    base,
                });
            }
            O::TableInit { elem_index, table } => {
                let base = self.pop_consecutive(3);
                self.emit(I::TableInit {
                    table,
                    elem: elem_index,
                    base,
                });
            }
            O::ElemDrop { elem_index } => self.emit(I::ElemDrop(elem_index)),
            O::RefNull { .. } => self.push(Operand::Const(0)),
            O::RefIsNull => self.unop(|dst, src| I::I64Eqz { dst, src }),
            O::RefFunc { function_index } => {
                let dst = self.push_temp();
                self.emit(I::RefFunc {
                    dst,
                    func: function_index,
                });
            }
            O::I32Const { value } => self.push(Operand::Const(value as u32 as u64)),
            O::I64Const { value } => self.push(Operand::Const(value as u64)),
            O::F32Const { value } => self.push(Operand::Const(value.bits() as u64)),
            O::F64Const { value } => self.push(Operand::Const(value.bits())),

            // Unary operators.
            O::I32Eqz => self.unop(|dst, src| I::I32Eqz { dst, src }),
            O::I64Eqz => self.unop(|dst, src| I::I64Eqz { dst, src }),
            O::I32Clz => self.unop(|dst, src| I::I32Clz { dst, src }),
            O::I32Ctz => self.unop(|dst, src| I::I32Ctz { dst, src }),
            O::I32Popcnt => self.unop(|dst, src| I::I32Popcnt { dst, src }),
            O::I64Clz => self.unop(|dst, src| I::I64Clz { dst, src }),
            O::I64Ctz => self.unop(|dst, src| I::I64Ctz { dst, src }),
            O::I64Popcnt => self.unop(|dst, src| I::I64Popcnt { dst, src }),
            O::F32Abs => self.unop(|dst, src| I::F32Abs { dst, src }),
            O::F32Neg => self.unop(|dst, src| I::F32Neg { dst, src }),
            O::F32Ceil => self.unop(|dst, src| I::F32Ceil { dst, src }),
            O::F32Floor => self.unop(|dst, src| I::F32Floor { dst, src }),
            O::F32Trunc => self.unop(|dst, src| I::F32Trunc { dst, src }),
            O::F32Nearest => self.unop(|dst, src| I::F32Nearest { dst, src }),
            O::F32Sqrt => self.unop(|dst, src| I::F32Sqrt { dst, src }),
            O::F64Abs => self.unop(|dst, src| I::F64Abs { dst, src }),
            O::F64Neg => self.unop(|dst, src| I::F64Neg { dst, src }),
            O::F64Ceil => self.unop(|dst, src| I::F64Ceil { dst, src }),
            O::F64Floor => self.unop(|dst, src| I::F64Floor { dst, src }),
            O::F64Trunc => self.unop(|dst, src| I::F64Trunc { dst, src }),
            O::F64Nearest => self.unop(|dst, src| I::F64Nearest { dst, src }),
            O::F64Sqrt => self.unop(|dst, src| I::F64Sqrt { dst, src }),
            // Bit-preserving conversions: the cell already holds the right bits (an i32
            // or f32 is read from the low 32 bits).
            O::I32WrapI64
            | O::I32ReinterpretF32
            | O::I64ReinterpretF64
            | O::F32ReinterpretI32
            | O::F64ReinterpretI64 => {}
            O::I32TruncF32S => self.unop(|dst, src| I::I32TruncF32S { dst, src }),
            O::I32TruncF32U => self.unop(|dst, src| I::I32TruncF32U { dst, src }),
            O::I32TruncF64S => self.unop(|dst, src| I::I32TruncF64S { dst, src }),
            O::I32TruncF64U => self.unop(|dst, src| I::I32TruncF64U { dst, src }),
            O::I64ExtendI32S => self.unop(|dst, src| I::I64ExtendI32S { dst, src }),
            O::I64ExtendI32U => self.unop(|dst, src| I::I64ExtendI32U { dst, src }),
            O::I64TruncF32S => self.unop(|dst, src| I::I64TruncF32S { dst, src }),
            O::I64TruncF32U => self.unop(|dst, src| I::I64TruncF32U { dst, src }),
            O::I64TruncF64S => self.unop(|dst, src| I::I64TruncF64S { dst, src }),
            O::I64TruncF64U => self.unop(|dst, src| I::I64TruncF64U { dst, src }),
            O::F32ConvertI32S => self.unop(|dst, src| I::F32ConvertI32S { dst, src }),
            O::F32ConvertI32U => self.unop(|dst, src| I::F32ConvertI32U { dst, src }),
            O::F32ConvertI64S => self.unop(|dst, src| I::F32ConvertI64S { dst, src }),
            O::F32ConvertI64U => self.unop(|dst, src| I::F32ConvertI64U { dst, src }),
            O::F32DemoteF64 => self.unop(|dst, src| I::F32DemoteF64 { dst, src }),
            O::F64ConvertI32S => self.unop(|dst, src| I::F64ConvertI32S { dst, src }),
            O::F64ConvertI32U => self.unop(|dst, src| I::F64ConvertI32U { dst, src }),
            O::F64ConvertI64S => self.unop(|dst, src| I::F64ConvertI64S { dst, src }),
            O::F64ConvertI64U => self.unop(|dst, src| I::F64ConvertI64U { dst, src }),
            O::F64PromoteF32 => self.unop(|dst, src| I::F64PromoteF32 { dst, src }),
            O::I32Extend8S => self.unop(|dst, src| I::I32Extend8S { dst, src }),
            O::I32Extend16S => self.unop(|dst, src| I::I32Extend16S { dst, src }),
            O::I64Extend8S => self.unop(|dst, src| I::I64Extend8S { dst, src }),
            O::I64Extend16S => self.unop(|dst, src| I::I64Extend16S { dst, src }),
            O::I64Extend32S => self.unop(|dst, src| I::I64Extend32S { dst, src }),
            O::I32TruncSatF32S => self.unop(|dst, src| I::I32TruncSatF32S { dst, src }),
            O::I32TruncSatF32U => self.unop(|dst, src| I::I32TruncSatF32U { dst, src }),
            O::I32TruncSatF64S => self.unop(|dst, src| I::I32TruncSatF64S { dst, src }),
            O::I32TruncSatF64U => self.unop(|dst, src| I::I32TruncSatF64U { dst, src }),
            O::I64TruncSatF32S => self.unop(|dst, src| I::I64TruncSatF32S { dst, src }),
            O::I64TruncSatF32U => self.unop(|dst, src| I::I64TruncSatF32U { dst, src }),
            O::I64TruncSatF64S => self.unop(|dst, src| I::I64TruncSatF64S { dst, src }),
            O::I64TruncSatF64U => self.unop(|dst, src| I::I64TruncSatF64U { dst, src }),

            // Binary operators, with immediate forms where a constant right operand is common.
            O::I32Eq => self.binop_imm(
                |d, l, r| I::I32Eq {
                    dst: d,
                    lhs: l,
                    rhs: r,
                },
                |d, l, i| I::I32EqImm {
                    dst: d,
                    lhs: l,
                    imm: i,
                },
                false,
            ),
            O::I32Ne => self.binop_imm(
                |d, l, r| I::I32Ne {
                    dst: d,
                    lhs: l,
                    rhs: r,
                },
                |d, l, i| I::I32NeImm {
                    dst: d,
                    lhs: l,
                    imm: i,
                },
                false,
            ),
            O::I32LtS => self.binop_imm(
                |d, l, r| I::I32LtS {
                    dst: d,
                    lhs: l,
                    rhs: r,
                },
                |d, l, i| I::I32LtSImm {
                    dst: d,
                    lhs: l,
                    imm: i,
                },
                false,
            ),
            O::I32LtU => self.binop_imm(
                |d, l, r| I::I32LtU {
                    dst: d,
                    lhs: l,
                    rhs: r,
                },
                |d, l, i| I::I32LtUImm {
                    dst: d,
                    lhs: l,
                    imm: i,
                },
                false,
            ),
            O::I32GtS => self.binop_imm(
                |d, l, r| I::I32GtS {
                    dst: d,
                    lhs: l,
                    rhs: r,
                },
                |d, l, i| I::I32GtSImm {
                    dst: d,
                    lhs: l,
                    imm: i,
                },
                false,
            ),
            O::I32GtU => self.binop_imm(
                |d, l, r| I::I32GtU {
                    dst: d,
                    lhs: l,
                    rhs: r,
                },
                |d, l, i| I::I32GtUImm {
                    dst: d,
                    lhs: l,
                    imm: i,
                },
                false,
            ),
            O::I32LeS => self.binop_imm(
                |d, l, r| I::I32LeS {
                    dst: d,
                    lhs: l,
                    rhs: r,
                },
                |d, l, i| I::I32LeSImm {
                    dst: d,
                    lhs: l,
                    imm: i,
                },
                false,
            ),
            O::I32LeU => self.binop_imm(
                |d, l, r| I::I32LeU {
                    dst: d,
                    lhs: l,
                    rhs: r,
                },
                |d, l, i| I::I32LeUImm {
                    dst: d,
                    lhs: l,
                    imm: i,
                },
                false,
            ),
            O::I32GeS => self.binop_imm(
                |d, l, r| I::I32GeS {
                    dst: d,
                    lhs: l,
                    rhs: r,
                },
                |d, l, i| I::I32GeSImm {
                    dst: d,
                    lhs: l,
                    imm: i,
                },
                false,
            ),
            O::I32GeU => self.binop_imm(
                |d, l, r| I::I32GeU {
                    dst: d,
                    lhs: l,
                    rhs: r,
                },
                |d, l, i| I::I32GeUImm {
                    dst: d,
                    lhs: l,
                    imm: i,
                },
                false,
            ),
            O::I64Eq => self.binop_imm(
                |d, l, r| I::I64Eq {
                    dst: d,
                    lhs: l,
                    rhs: r,
                },
                |d, l, i| I::I64EqImm {
                    dst: d,
                    lhs: l,
                    imm: i,
                },
                true,
            ),
            O::I64Ne => self.binop_imm(
                |d, l, r| I::I64Ne {
                    dst: d,
                    lhs: l,
                    rhs: r,
                },
                |d, l, i| I::I64NeImm {
                    dst: d,
                    lhs: l,
                    imm: i,
                },
                true,
            ),
            O::I64LtS => self.binop_imm(
                |d, l, r| I::I64LtS {
                    dst: d,
                    lhs: l,
                    rhs: r,
                },
                |d, l, i| I::I64LtSImm {
                    dst: d,
                    lhs: l,
                    imm: i,
                },
                true,
            ),
            O::I64LtU => self.binop_imm(
                |d, l, r| I::I64LtU {
                    dst: d,
                    lhs: l,
                    rhs: r,
                },
                |d, l, i| I::I64LtUImm {
                    dst: d,
                    lhs: l,
                    imm: i,
                },
                true,
            ),
            O::I64GtS => self.binop_imm(
                |d, l, r| I::I64GtS {
                    dst: d,
                    lhs: l,
                    rhs: r,
                },
                |d, l, i| I::I64GtSImm {
                    dst: d,
                    lhs: l,
                    imm: i,
                },
                true,
            ),
            O::I64GtU => self.binop_imm(
                |d, l, r| I::I64GtU {
                    dst: d,
                    lhs: l,
                    rhs: r,
                },
                |d, l, i| I::I64GtUImm {
                    dst: d,
                    lhs: l,
                    imm: i,
                },
                true,
            ),
            O::I64LeS => self.binop(|d, l, r| I::I64LeS {
                dst: d,
                lhs: l,
                rhs: r,
            }),
            O::I64LeU => self.binop(|d, l, r| I::I64LeU {
                dst: d,
                lhs: l,
                rhs: r,
            }),
            O::I64GeS => self.binop(|d, l, r| I::I64GeS {
                dst: d,
                lhs: l,
                rhs: r,
            }),
            O::I64GeU => self.binop(|d, l, r| I::I64GeU {
                dst: d,
                lhs: l,
                rhs: r,
            }),
            O::F32Eq => self.binop(|d, l, r| I::F32Eq {
                dst: d,
                lhs: l,
                rhs: r,
            }),
            O::F32Ne => self.binop(|d, l, r| I::F32Ne {
                dst: d,
                lhs: l,
                rhs: r,
            }),
            O::F32Lt => self.binop(|d, l, r| I::F32Lt {
                dst: d,
                lhs: l,
                rhs: r,
            }),
            O::F32Gt => self.binop(|d, l, r| I::F32Gt {
                dst: d,
                lhs: l,
                rhs: r,
            }),
            O::F32Le => self.binop(|d, l, r| I::F32Le {
                dst: d,
                lhs: l,
                rhs: r,
            }),
            O::F32Ge => self.binop(|d, l, r| I::F32Ge {
                dst: d,
                lhs: l,
                rhs: r,
            }),
            O::F64Eq => self.binop(|d, l, r| I::F64Eq {
                dst: d,
                lhs: l,
                rhs: r,
            }),
            O::F64Ne => self.binop(|d, l, r| I::F64Ne {
                dst: d,
                lhs: l,
                rhs: r,
            }),
            O::F64Lt => self.binop(|d, l, r| I::F64Lt {
                dst: d,
                lhs: l,
                rhs: r,
            }),
            O::F64Gt => self.binop(|d, l, r| I::F64Gt {
                dst: d,
                lhs: l,
                rhs: r,
            }),
            O::F64Le => self.binop(|d, l, r| I::F64Le {
                dst: d,
                lhs: l,
                rhs: r,
            }),
            O::F64Ge => self.binop(|d, l, r| I::F64Ge {
                dst: d,
                lhs: l,
                rhs: r,
            }),
            O::I32Add => self.i32_add(),
            O::I32Sub => {
                if let Some(Operand::Const(c)) = self.stack.last().copied() {
                    self.pop_const();
                    let lhs = self.pop_slot();
                    let dst = self.push_temp();
                    self.emit(I::I32AddImm {
                        dst,
                        lhs,
                        imm: (c as u32 as i32).wrapping_neg(),
                    });
                } else {
                    self.binop(|d, l, r| I::I32Sub {
                        dst: d,
                        lhs: l,
                        rhs: r,
                    })
                }
            }
            O::I32Mul => self.binop_imm(
                |d, l, r| I::I32Mul {
                    dst: d,
                    lhs: l,
                    rhs: r,
                },
                |d, l, i| I::I32MulImm {
                    dst: d,
                    lhs: l,
                    imm: i,
                },
                false,
            ),
            O::I32DivS => self.binop(|d, l, r| I::I32DivS {
                dst: d,
                lhs: l,
                rhs: r,
            }),
            O::I32DivU => self.binop(|d, l, r| I::I32DivU {
                dst: d,
                lhs: l,
                rhs: r,
            }),
            O::I32RemS => self.binop(|d, l, r| I::I32RemS {
                dst: d,
                lhs: l,
                rhs: r,
            }),
            O::I32RemU => self.binop(|d, l, r| I::I32RemU {
                dst: d,
                lhs: l,
                rhs: r,
            }),
            O::I32And => self.binop_imm(
                |d, l, r| I::I32And {
                    dst: d,
                    lhs: l,
                    rhs: r,
                },
                |d, l, i| I::I32AndImm {
                    dst: d,
                    lhs: l,
                    imm: i,
                },
                false,
            ),
            O::I32Or => self.binop_imm(
                |d, l, r| I::I32Or {
                    dst: d,
                    lhs: l,
                    rhs: r,
                },
                |d, l, i| I::I32OrImm {
                    dst: d,
                    lhs: l,
                    imm: i,
                },
                false,
            ),
            O::I32Xor => self.i32_xor(),
            O::I32Shl => self.binop_imm(
                |d, l, r| I::I32Shl {
                    dst: d,
                    lhs: l,
                    rhs: r,
                },
                |d, l, i| I::I32ShlImm {
                    dst: d,
                    lhs: l,
                    imm: i,
                },
                false,
            ),
            O::I32ShrS => self.binop_imm(
                |d, l, r| I::I32ShrS {
                    dst: d,
                    lhs: l,
                    rhs: r,
                },
                |d, l, i| I::I32ShrSImm {
                    dst: d,
                    lhs: l,
                    imm: i,
                },
                false,
            ),
            O::I32ShrU => self.binop_imm(
                |d, l, r| I::I32ShrU {
                    dst: d,
                    lhs: l,
                    rhs: r,
                },
                |d, l, i| I::I32ShrUImm {
                    dst: d,
                    lhs: l,
                    imm: i,
                },
                false,
            ),
            O::I32Rotl => self.binop_imm(
                |d, l, r| I::I32Rotl {
                    dst: d,
                    lhs: l,
                    rhs: r,
                },
                |d, l, i| I::I32RotlImm {
                    dst: d,
                    lhs: l,
                    imm: i,
                },
                false,
            ),
            O::I32Rotr => self.binop_imm(
                |d, l, r| I::I32Rotr {
                    dst: d,
                    lhs: l,
                    rhs: r,
                },
                |d, l, i| I::I32RotrImm {
                    dst: d,
                    lhs: l,
                    imm: i,
                },
                false,
            ),
            O::I64Add => self.i64_add(),
            O::I64Sub => {
                let neg = match self.stack.last() {
                    Some(Operand::Const(c)) => i32::try_from((*c as i64).wrapping_neg()).ok(),
                    _ => None,
                };
                if let Some(imm) = neg {
                    self.pop_const();
                    let lhs = self.pop_slot();
                    let dst = self.push_temp();
                    self.emit(I::I64AddImm { dst, lhs, imm });
                } else {
                    self.binop(|d, l, r| I::I64Sub {
                        dst: d,
                        lhs: l,
                        rhs: r,
                    })
                }
            }
            O::I64Mul => self.binop_imm(
                |d, l, r| I::I64Mul {
                    dst: d,
                    lhs: l,
                    rhs: r,
                },
                |d, l, i| I::I64MulImm {
                    dst: d,
                    lhs: l,
                    imm: i,
                },
                true,
            ),
            O::I64DivS => self.binop(|d, l, r| I::I64DivS {
                dst: d,
                lhs: l,
                rhs: r,
            }),
            O::I64DivU => self.binop(|d, l, r| I::I64DivU {
                dst: d,
                lhs: l,
                rhs: r,
            }),
            O::I64RemS => self.binop(|d, l, r| I::I64RemS {
                dst: d,
                lhs: l,
                rhs: r,
            }),
            O::I64RemU => self.binop(|d, l, r| I::I64RemU {
                dst: d,
                lhs: l,
                rhs: r,
            }),
            O::I64And => self.binop_imm(
                |d, l, r| I::I64And {
                    dst: d,
                    lhs: l,
                    rhs: r,
                },
                |d, l, i| I::I64AndImm {
                    dst: d,
                    lhs: l,
                    imm: i,
                },
                true,
            ),
            O::I64Or => self.binop_imm(
                |d, l, r| I::I64Or {
                    dst: d,
                    lhs: l,
                    rhs: r,
                },
                |d, l, i| I::I64OrImm {
                    dst: d,
                    lhs: l,
                    imm: i,
                },
                true,
            ),
            O::I64Xor => self.binop_imm(
                |d, l, r| I::I64Xor {
                    dst: d,
                    lhs: l,
                    rhs: r,
                },
                |d, l, i| I::I64XorImm {
                    dst: d,
                    lhs: l,
                    imm: i,
                },
                true,
            ),
            O::I64Shl => self.binop_imm(
                |d, l, r| I::I64Shl {
                    dst: d,
                    lhs: l,
                    rhs: r,
                },
                |d, l, i| I::I64ShlImm {
                    dst: d,
                    lhs: l,
                    imm: i,
                },
                true,
            ),
            O::I64ShrS => self.binop_imm(
                |d, l, r| I::I64ShrS {
                    dst: d,
                    lhs: l,
                    rhs: r,
                },
                |d, l, i| I::I64ShrSImm {
                    dst: d,
                    lhs: l,
                    imm: i,
                },
                true,
            ),
            O::I64ShrU => self.binop_imm(
                |d, l, r| I::I64ShrU {
                    dst: d,
                    lhs: l,
                    rhs: r,
                },
                |d, l, i| I::I64ShrUImm {
                    dst: d,
                    lhs: l,
                    imm: i,
                },
                true,
            ),
            O::I64Rotl => self.binop_imm(
                |d, l, r| I::I64Rotl {
                    dst: d,
                    lhs: l,
                    rhs: r,
                },
                |d, l, i| I::I64RotlImm {
                    dst: d,
                    lhs: l,
                    imm: i,
                },
                true,
            ),
            O::I64Rotr => self.binop_imm(
                |d, l, r| I::I64Rotr {
                    dst: d,
                    lhs: l,
                    rhs: r,
                },
                |d, l, i| I::I64RotrImm {
                    dst: d,
                    lhs: l,
                    imm: i,
                },
                true,
            ),
            O::F32Add => self.binop(|d, l, r| I::F32Add {
                dst: d,
                lhs: l,
                rhs: r,
            }),
            O::F32Sub => self.binop(|d, l, r| I::F32Sub {
                dst: d,
                lhs: l,
                rhs: r,
            }),
            O::F32Mul => self.binop(|d, l, r| I::F32Mul {
                dst: d,
                lhs: l,
                rhs: r,
            }),
            O::F32Div => self.binop(|d, l, r| I::F32Div {
                dst: d,
                lhs: l,
                rhs: r,
            }),
            O::F32Min => self.binop(|d, l, r| I::F32Min {
                dst: d,
                lhs: l,
                rhs: r,
            }),
            O::F32Max => self.binop(|d, l, r| I::F32Max {
                dst: d,
                lhs: l,
                rhs: r,
            }),
            O::F32Copysign => self.binop(|d, l, r| I::F32Copysign {
                dst: d,
                lhs: l,
                rhs: r,
            }),
            O::F64Add => self.f64_add(),
            O::F64Sub => self.binop(|d, l, r| I::F64Sub {
                dst: d,
                lhs: l,
                rhs: r,
            }),
            O::F64Mul => self.binop(|d, l, r| I::F64Mul {
                dst: d,
                lhs: l,
                rhs: r,
            }),
            O::F64Div => self.binop(|d, l, r| I::F64Div {
                dst: d,
                lhs: l,
                rhs: r,
            }),
            O::F64Min => self.binop(|d, l, r| I::F64Min {
                dst: d,
                lhs: l,
                rhs: r,
            }),
            O::F64Max => self.binop(|d, l, r| I::F64Max {
                dst: d,
                lhs: l,
                rhs: r,
            }),
            O::F64Copysign => self.binop(|d, l, r| I::F64Copysign {
                dst: d,
                lhs: l,
                rhs: r,
            }),
            other => {
                if !self.simd_operator(&other)?
                    && !self.gc_operator(&other)?
                    && !self.atomic_operator(&other)?
                {
                    return Err(Error::Unsupported(format!("operator {other:?}")));
                }
            }
        }
        Ok(())
    }
}

fn frame_too_large() -> Error {
    Error::Unsupported(format!(
        "function frame over {} slots (locals plus operand stack): an implementation limit",
        ir::MAX_FRAME_SLOTS
    ))
}

fn internal(what: &str) -> Error {
    Error::Unsupported(format!("internal: unbalanced `{what}` in a validated body"))
}

fn memory_index(memarg: &wasmparser::MemArg) -> Result<u32> {
    match memarg.target {
        wasmparser::MemArgTarget::Memory(m) if m < (1 << 24) => Ok(m),
        _ => Err(Error::Unsupported("memory index".into())),
    }
}

fn offset32(memarg: &wasmparser::MemArg) -> Result<u32> {
    u32::try_from(memarg.offset).map_err(|_| Error::Unsupported("64-bit memory offset".into()))
}

/// If `instr` rotates a slot left or right by a constant: its destination, source and the
/// count as a left rotation (in 0..32).
fn rotation(instr: &Instr) -> Option<(Slot, Slot, i32)> {
    match *instr {
        Instr::I32RotlImm { dst, lhs, imm } => Some((dst, lhs, imm & 31)),
        Instr::I32RotrImm { dst, lhs, imm } => Some((dst, lhs, (32 - (imm & 31)) & 31)),
        _ => None,
    }
}

/// The bits of `Translator::entry_zero` for the declared (non-parameter) locals in slots
/// `num_params..num_locals` that are below 128.
fn declared_locals_mask(num_params: u32, num_locals: u32) -> u128 {
    let below = |n: u32| 1u128.checked_shl(n).map_or(u128::MAX, |b| b - 1);
    below(num_locals) & !below(num_params)
}

/// Whether `op` keeps the function's entry code straight-line, so that locals not yet set
/// still hold zero when the next operator runs (`Translator::entry_zero`). Anything that
/// branches, opens or closes a block, or is not listed here ends that.
fn keeps_entry_zero(op: &Operator<'_>) -> bool {
    use Operator as O;
    matches!(
        op,
        O::Nop
            | O::Drop
            | O::I32Const { .. }
            | O::I64Const { .. }
            | O::F32Const { .. }
            | O::F64Const { .. }
            | O::LocalGet { .. }
            | O::LocalSet { .. }
            | O::LocalTee { .. }
            | O::GlobalGet { .. }
            | O::GlobalSet { .. }
            | O::I32Add
            | O::I32Sub
            | O::I64Add
            | O::I64Sub
    )
}

/// Of the two operands `a` and `b`, the one that is not `x` (`None` if neither is).
fn other_of(a: Slot, b: Slot, x: Slot) -> Option<Slot> {
    if a == x {
        Some(b)
    } else if b == x {
        Some(a)
    } else {
        None
    }
}

/// The destination slot of an instruction that writes one result (after reading all its
/// operands) and has no other effect on control flow. The `*Tee` loads also write their
/// address to `tee`, before the result, and `Load32Pair` its first load to `dst0`.
fn dst_of(instr: &mut Instr) -> Option<&mut Slot> {
    use Instr::*;
    match instr {
        Copy { dst, .. }
        | Load32Abs { dst, .. }
        | Load32Pair { dst1: dst, .. }
        | Load8UAddTee { dst, .. }
        | Load8UShlTee { dst, .. }
        | Const32 { dst, .. }
        | Const64 { dst, .. }
        | GlobalGet { dst, .. }
        | Load32 { dst, .. }
        | Load64 { dst, .. }
        | Load8S { dst, .. }
        | Load8U { dst, .. }
        | Load16S { dst, .. }
        | Load16U { dst, .. }
        | Load32S { dst, .. }
        | I32AddShl { dst, .. }
        | I32AddImmShl { dst, .. }
        | I32XorRotlImm { dst, .. }
        | I32Add3 { dst, .. }
        | I32AddXor { dst, .. }
        | I32Rotl2Xor { dst, .. }
        | Load8UAdd { dst, .. }
        | Load32AddImm { dst, .. }
        | Load64AddImm { dst, .. }
        | Load8UAddImm { dst, .. }
        | Load16UAddImm { dst, .. }
        | Load8UShl { dst, .. }
        | Load16UShl { dst, .. }
        | Load32Shl { dst, .. }
        | Load64Shl { dst, .. }
        | Load32AddImmShl { dst, .. }
        | Load64AddImmShl { dst, .. }
        | F64MulAdd { dst, .. }
        | MemorySize { dst, .. }
        | TableGet { dst, .. }
        | TableSize { dst, .. }
        | RefFunc { dst, .. }
        | I32Eqz { dst, .. }
        | I64Eqz { dst, .. }
        | I32Clz { dst, .. }
        | I32Ctz { dst, .. }
        | I32Popcnt { dst, .. }
        | I64Clz { dst, .. }
        | I64Ctz { dst, .. }
        | I64Popcnt { dst, .. }
        | F32Abs { dst, .. }
        | F32Neg { dst, .. }
        | F32Ceil { dst, .. }
        | F32Floor { dst, .. }
        | F32Trunc { dst, .. }
        | F32Nearest { dst, .. }
        | F32Sqrt { dst, .. }
        | F64Abs { dst, .. }
        | F64Neg { dst, .. }
        | F64Ceil { dst, .. }
        | F64Floor { dst, .. }
        | F64Trunc { dst, .. }
        | F64Nearest { dst, .. }
        | F64Sqrt { dst, .. }
        | I64ExtendI32S { dst, .. }
        | I64ExtendI32U { dst, .. }
        | I64AddExtendI32S { dst, .. }
        | F32ConvertI32S { dst, .. }
        | F32ConvertI32U { dst, .. }
        | F32ConvertI64S { dst, .. }
        | F32ConvertI64U { dst, .. }
        | F32DemoteF64 { dst, .. }
        | F64ConvertI32S { dst, .. }
        | F64ConvertI32U { dst, .. }
        | F64ConvertI64S { dst, .. }
        | F64ConvertI64U { dst, .. }
        | F64PromoteF32 { dst, .. }
        | I32Extend8S { dst, .. }
        | I32Extend16S { dst, .. }
        | I64Extend8S { dst, .. }
        | I64Extend16S { dst, .. }
        | I64Extend32S { dst, .. }
        | I32Eq { dst, .. }
        | I32Ne { dst, .. }
        | I32LtS { dst, .. }
        | I32LtU { dst, .. }
        | I32GtS { dst, .. }
        | I32GtU { dst, .. }
        | I32LeS { dst, .. }
        | I32LeU { dst, .. }
        | I32GeS { dst, .. }
        | I32GeU { dst, .. }
        | I64Eq { dst, .. }
        | I64Ne { dst, .. }
        | I64LtS { dst, .. }
        | I64LtU { dst, .. }
        | I64GtS { dst, .. }
        | I64GtU { dst, .. }
        | I64LeS { dst, .. }
        | I64LeU { dst, .. }
        | I64GeS { dst, .. }
        | I64GeU { dst, .. }
        | F32Eq { dst, .. }
        | F32Ne { dst, .. }
        | F32Lt { dst, .. }
        | F32Gt { dst, .. }
        | F32Le { dst, .. }
        | F32Ge { dst, .. }
        | F64Eq { dst, .. }
        | F64Ne { dst, .. }
        | F64Lt { dst, .. }
        | F64Gt { dst, .. }
        | F64Le { dst, .. }
        | F64Ge { dst, .. }
        | I32Add { dst, .. }
        | I32Sub { dst, .. }
        | I32Mul { dst, .. }
        | I32And { dst, .. }
        | I32Or { dst, .. }
        | I32Xor { dst, .. }
        | I32Shl { dst, .. }
        | I32ShrS { dst, .. }
        | I32ShrU { dst, .. }
        | I32Rotl { dst, .. }
        | I32Rotr { dst, .. }
        | I64Add { dst, .. }
        | I64Sub { dst, .. }
        | I64Mul { dst, .. }
        | I64And { dst, .. }
        | I64Or { dst, .. }
        | I64Xor { dst, .. }
        | I64Shl { dst, .. }
        | I64ShrS { dst, .. }
        | I64ShrU { dst, .. }
        | I64Rotl { dst, .. }
        | I64Rotr { dst, .. }
        | F32Add { dst, .. }
        | F32Sub { dst, .. }
        | F32Mul { dst, .. }
        | F32Div { dst, .. }
        | F32Min { dst, .. }
        | F32Max { dst, .. }
        | F32Copysign { dst, .. }
        | F64Add { dst, .. }
        | F64Sub { dst, .. }
        | F64Mul { dst, .. }
        | F64Div { dst, .. }
        | F64Min { dst, .. }
        | F64Max { dst, .. }
        | F64Copysign { dst, .. }
        | I32AddImm { dst, .. }
        | I32MulImm { dst, .. }
        | I32AndImm { dst, .. }
        | I32OrImm { dst, .. }
        | I32XorImm { dst, .. }
        | I32ShlImm { dst, .. }
        | I32RotlImm { dst, .. }
        | I32RotrImm { dst, .. }
        | I64RotlImm { dst, .. }
        | I64RotrImm { dst, .. }
        | I32ShrSImm { dst, .. }
        | I32ShrUImm { dst, .. }
        | I32EqImm { dst, .. }
        | I32NeImm { dst, .. }
        | I32LtSImm { dst, .. }
        | I32LtUImm { dst, .. }
        | I32GtSImm { dst, .. }
        | I32GtUImm { dst, .. }
        | I32LeSImm { dst, .. }
        | I32LeUImm { dst, .. }
        | I32GeSImm { dst, .. }
        | I32GeUImm { dst, .. }
        | I64AddImm { dst, .. }
        | I64MulImm { dst, .. }
        | I64AndImm { dst, .. }
        | I64OrImm { dst, .. }
        | I64XorImm { dst, .. }
        | I64ShlImm { dst, .. }
        | I64ShrSImm { dst, .. }
        | I64ShrUImm { dst, .. }
        | I64EqImm { dst, .. }
        | I64NeImm { dst, .. }
        | I64LtSImm { dst, .. }
        | I64LtUImm { dst, .. }
        | I64GtSImm { dst, .. }
        | I64GtUImm { dst, .. } => Some(dst),
        _ => None,
    }
}
