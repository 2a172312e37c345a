//! Translation of typed function references and GC instructions (spec §2.4.6
//! "Reference Instructions", §2.4.7 "Aggregate Instructions").
//!
//! Aggregate instructions become one out-of-line `Instr::Gc` each (run by `exec::gc`),
//! followed by a `Data` word; conversions between `any` and `extern` are free (the cell
//! stays as it is, see `gc`); `ref.eq` compares cells; `br_on_*` compute a condition into
//! a temporary and branch on it with the ordinary conditional branch.

use super::ir::{Instr, Slot};
use super::{Operand, Translator};
use crate::error::{Error, Result};
use crate::types::{HeapType, TypeId};
use wasmparser::Operator;

/// What an `Instr::Gc` does. `x` and `y` are slots; `imm` is a canonical type id, a
/// field index, a slot, or an encoded heap type (see [`encode_heap`]); the trailing
/// `Data` is one more immediate. Accesses to existing objects take the element or field
/// layout from the object's own type (a subtype has the same layout where they overlap).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum GcOp {
    /// `x = struct.new imm` of the fields in the slots from `y`.
    StructNew,
    /// `x = struct.new_default imm`.
    StructNewDefault,
    /// `x = struct.get` of field `imm` of the struct `y` (and the packed `_s`/`_u` forms).
    StructGet,
    StructGetS,
    StructGetU,
    /// `struct.set` of field `imm` of the struct `y` to the value at `x`.
    StructSet,
    /// `x = array.new imm` of length slot `Data`, every element the value at `y`.
    ArrayNew,
    /// `x = array.new_default imm` of length `y`.
    ArrayNewDefault,
    /// `x = array.new_fixed imm Data` of the elements in the slots from `y`.
    ArrayNewFixed,
    /// `x = array.new_data imm Data` (a data segment); offset and length from `y`.
    ArrayNewData,
    /// `x = array.new_elem imm Data` (an element segment); offset and length from `y`.
    ArrayNewElem,
    /// `x = array.get` of array `y` at the index in slot `imm` (and `_s`/`_u`).
    ArrayGet,
    ArrayGetS,
    ArrayGetU,
    /// `array.set` of array `y` at the index in slot `imm` to the value at `x`.
    ArraySet,
    /// `x = array.len` of array `y`.
    ArrayLen,
    /// `array.fill` with operands (array, offset, value, n) from `y`.
    ArrayFill,
    /// `array.copy` with operands (dst, dst offset, src, src offset, n) from `y`.
    ArrayCopy,
    /// `array.init_data Data` with operands (array, offset, source offset, n) from `y`.
    ArrayInitData,
    /// `array.init_elem Data`, as `ArrayInitData`.
    ArrayInitElem,
    /// `x = ref.i31 y`.
    RefI31,
    /// `x = i31.get_s y` / `i31.get_u y`.
    I31GetS,
    I31GetU,
    /// `x = ref.test` of `y` against heap type `imm`; `Data` bit 0: null matches, bit 1:
    /// the result is negated (for `br_on_cast_fail`).
    RefTest,
    /// `ref.cast` of `y` (in place) to heap type `imm`; `Data` bit 0: null matches.
    RefCast,
    /// `ref.as_non_null y`: traps on null.
    AsNonNull,
    /// `x = y != null`.
    IsNonNull,
}

impl GcOp {
    /// Whether the operation allocates (and may run the collector first).
    pub(crate) fn allocates(self) -> bool {
        matches!(
            self,
            GcOp::StructNew
                | GcOp::StructNewDefault
                | GcOp::ArrayNew
                | GcOp::ArrayNewDefault
                | GcOp::ArrayNewFixed
                | GcOp::ArrayNewData
                | GcOp::ArrayNewElem
        )
    }
}

/// Abstract heap types in an `imm` have this bit set (canonical ids stay below it).
pub(crate) const ABSTRACT_BIT: u32 = 1 << 31;

/// The `imm` of a heap type.
pub(crate) fn encode_heap(h: HeapType) -> u32 {
    let code = match h {
        HeapType::Concrete(TypeId(id)) => return id,
        HeapType::Func => 0,
        HeapType::NoFunc => 1,
        HeapType::Extern => 2,
        HeapType::NoExtern => 3,
        HeapType::Any => 4,
        HeapType::Eq => 5,
        HeapType::I31 => 6,
        HeapType::Struct => 7,
        HeapType::Array => 8,
        HeapType::None => 9,
        HeapType::Exn => 10,
        HeapType::NoExn => 11,
    };
    ABSTRACT_BIT | code
}

/// The heap type of an `imm` made by [`encode_heap`].
pub(crate) fn decode_heap(imm: u32) -> HeapType {
    if imm & ABSTRACT_BIT == 0 {
        return HeapType::Concrete(TypeId(imm));
    }
    match imm & !ABSTRACT_BIT {
        0 => HeapType::Func,
        1 => HeapType::NoFunc,
        2 => HeapType::Extern,
        3 => HeapType::NoExtern,
        4 => HeapType::Any,
        5 => HeapType::Eq,
        6 => HeapType::I31,
        7 => HeapType::Struct,
        8 => HeapType::Array,
        9 => HeapType::None,
        10 => HeapType::Exn,
        _ => HeapType::NoExn,
    }
}

impl Translator<'_> {
    fn type_id(&self, index: u32) -> Result<TypeId> {
        self.module
            .type_ids
            .get(index as usize)
            .copied()
            .ok_or_else(|| Error::Unsupported("type index".into()))
    }

    fn heap(&self, h: wasmparser::HeapType) -> Result<HeapType> {
        HeapType::from_wasmparser(h, &self.module.type_ids)
            .ok_or_else(|| Error::Unsupported(format!("heap type {h:?}")))
    }

    fn emit_gc(&mut self, op: GcOp, x: Slot, y: Slot, imm: u32, data: u32) {
        self.emit(Instr::Gc { op, x, y, imm });
        self.emit(Instr::Data(data));
    }

    /// Cells of the fields of struct type `index`.
    fn struct_cells(&self, index: u32) -> Result<u32> {
        use crate::type_registry::CompositeType;
        match self
            .module
            .type_defs
            .get(index as usize)
            .map(|d| &d.sub.composite)
        {
            Some(CompositeType::Struct(fields)) => Ok(fields
                .iter()
                .map(|f| crate::gc::storage_cells(f.storage) as u32)
                .sum()),
            _ => Err(Error::Unsupported("struct type expected".into())),
        }
    }

    /// Cells of an element of array type `index`, and whether it is a `v128`.
    fn array_elem_cells(&self, index: u32) -> Result<u32> {
        use crate::type_registry::CompositeType;
        match self
            .module
            .type_defs
            .get(index as usize)
            .map(|d| &d.sub.composite)
        {
            Some(CompositeType::Array(f)) => Ok(crate::gc::storage_cells(f.storage) as u32),
            _ => Err(Error::Unsupported("array type expected".into())),
        }
    }

    /// Cells of field `field` of struct type `index`.
    fn field_cells(&self, index: u32, field: u32) -> u32 {
        use crate::type_registry::CompositeType;
        match self
            .module
            .type_defs
            .get(index as usize)
            .map(|d| &d.sub.composite)
        {
            Some(CompositeType::Struct(fields)) => fields
                .get(field as usize)
                .map_or(1, |f| crate::gc::storage_cells(f.storage) as u32),
            _ => 1,
        }
    }

    /// Pushes a result of `cells` cells; returns its first slot.
    fn push_result(&mut self, cells: u32) -> Slot {
        if cells == 2 {
            self.push_v128()
        } else {
            self.push_temp()
        }
    }

    /// Pops a value of `cells` cells into consecutive slots; returns the first.
    fn pop_value(&mut self, cells: u32) -> Slot {
        if cells == 2 {
            self.pop_v128()
        } else {
            self.pop_slot()
        }
    }

    /// Translates the operators of typed function references and GC; `Ok(false)` for
    /// any other operator.
    pub(super) fn gc_operator(&mut self, op: &Operator<'_>) -> Result<bool> {
        use GcOp as G;
        use Operator as O;
        match *op {
            O::CallRef { type_index } => {
                // The reference sits above the arguments (or in a local); the executor
                // reads it before the callee's frame exists.
                let func = self.pop_slot();
                let ty = self.module.types[type_index as usize].clone();
                let base = self.pop_consecutive(ty.param_cells());
                self.emit(Instr::CallRef { base, func });
                self.push_temps(ty.results());
                self.label_pc = self.code.len();
            }
            O::ReturnCallRef { type_index } => {
                let func = self.pop_slot();
                let ty = self.module.types[type_index as usize].clone();
                let base = self.pop_consecutive(ty.param_cells());
                self.emit(Instr::ReturnCallRef { base, func });
                self.emit(Instr::Return {
                    src: base,
                    n: ty.result_cells(),
                });
                self.mark_unreachable();
            }
            O::RefAsNonNull => {
                let r = self.top_slot();
                self.emit_gc(G::AsNonNull, 0, r, 0, 0);
            }
            O::BrOnNull { relative_depth } => {
                // Taken: the reference is dropped; not taken: it stays, non-null.
                self.materialize_top(1);
                let r = self.temp_slot(self.height() - 1);
                let cond = self.push_temp();
                self.emit(Instr::I64Eqz { dst: cond, src: r });
                self.pop_slot();
                self.stack.pop();
                self.branch_if(cond, relative_depth);
                self.push(Operand::Temp);
            }
            O::BrOnNonNull { relative_depth } => {
                // Taken: with the reference; not taken: it is dropped.
                self.materialize_top(1);
                let r = self.temp_slot(self.height() - 1);
                let cond = self.push_temp();
                self.emit_gc(G::IsNonNull, cond, r, 0, 0);
                self.pop_slot();
                self.branch_if(cond, relative_depth);
                self.stack.pop();
            }
            O::RefEq => self.binop(|dst, lhs, rhs| Instr::I64Eq { dst, lhs, rhs }),
            O::AnyConvertExtern | O::ExternConvertAny => {}
            O::RefI31 => self.gc_unop(G::RefI31, 0, 0),
            O::I31GetS => self.gc_unop(G::I31GetS, 0, 0),
            O::I31GetU => self.gc_unop(G::I31GetU, 0, 0),
            O::RefTestNonNull { hty } | O::RefTestNullable { hty } => {
                let nullable = matches!(op, O::RefTestNullable { .. });
                let imm = encode_heap(self.heap(hty)?);
                self.gc_unop(G::RefTest, imm, nullable as u32);
            }
            O::RefCastNonNull { hty } | O::RefCastNullable { hty } => {
                let nullable = matches!(op, O::RefCastNullable { .. });
                let imm = encode_heap(self.heap(hty)?);
                // A cast checks; the reference stays as it is.
                let r = self.top_slot();
                self.emit_gc(G::RefCast, 0, r, imm, nullable as u32);
            }
            O::BrOnCast {
                relative_depth,
                to_ref_type,
                ..
            }
            | O::BrOnCastFail {
                relative_depth,
                to_ref_type,
                ..
            } => {
                let negate = matches!(op, O::BrOnCastFail { .. });
                let imm = encode_heap(self.heap(to_ref_type.heap_type())?);
                let flags = to_ref_type.is_nullable() as u32 | (negate as u32) << 1;
                self.materialize_top(1);
                let r = self.temp_slot(self.height() - 1);
                let cond = self.push_temp();
                self.emit_gc(G::RefTest, cond, r, imm, flags);
                self.pop_slot();
                self.branch_if(cond, relative_depth);
            }
            O::StructNew { struct_type_index } => {
                let id = self.type_id(struct_type_index)?;
                let n = self.struct_cells(struct_type_index)?;
                let base = self.pop_consecutive(n);
                let dst = self.push_temp();
                self.emit_gc(G::StructNew, dst, base, id.0, 0);
            }
            O::StructNewDefault { struct_type_index } => {
                let id = self.type_id(struct_type_index)?;
                let dst = self.push_temp();
                self.emit_gc(G::StructNewDefault, dst, 0, id.0, 0);
            }
            O::StructGet {
                struct_type_index,
                field_index,
            }
            | O::StructGetS {
                struct_type_index,
                field_index,
            }
            | O::StructGetU {
                struct_type_index,
                field_index,
            } => {
                let g = match op {
                    O::StructGetS { .. } => G::StructGetS,
                    O::StructGetU { .. } => G::StructGetU,
                    _ => G::StructGet,
                };
                let cells = self.field_cells(struct_type_index, field_index);
                let r = self.pop_slot();
                let dst = self.push_result(cells);
                self.emit_gc(g, dst, r, field_index, 0);
            }
            O::StructSet {
                struct_type_index,
                field_index,
            } => {
                let cells = self.field_cells(struct_type_index, field_index);
                let v = self.pop_value(cells);
                let r = self.pop_slot();
                self.emit_gc(G::StructSet, v, r, field_index, 0);
            }
            O::ArrayNew { array_type_index } => {
                let id = self.type_id(array_type_index)?;
                let cells = self.array_elem_cells(array_type_index)?;
                let len = self.pop_slot();
                let init = self.pop_value(cells);
                let dst = self.push_temp();
                self.emit_gc(G::ArrayNew, dst, init, id.0, len.into());
            }
            O::ArrayNewDefault { array_type_index } => {
                let id = self.type_id(array_type_index)?;
                let len = self.pop_slot();
                let dst = self.push_temp();
                self.emit_gc(G::ArrayNewDefault, dst, len, id.0, 0);
            }
            O::ArrayNewFixed {
                array_type_index,
                array_size,
            } => {
                let id = self.type_id(array_type_index)?;
                let cells = self.array_elem_cells(array_type_index)?;
                let n = array_size
                    .checked_mul(cells)
                    .ok_or_else(|| Error::Unsupported("array.new_fixed size".into()))?;
                let base = self.pop_consecutive(n);
                let dst = self.push_temp();
                self.emit_gc(G::ArrayNewFixed, dst, base, id.0, array_size);
            }
            O::ArrayNewData {
                array_type_index,
                array_data_index,
            } => {
                let id = self.type_id(array_type_index)?;
                let base = self.pop_consecutive(2);
                let dst = self.push_temp();
                self.emit_gc(G::ArrayNewData, dst, base, id.0, array_data_index);
            }
            O::ArrayNewElem {
                array_type_index,
                array_elem_index,
            } => {
                let id = self.type_id(array_type_index)?;
                let base = self.pop_consecutive(2);
                let dst = self.push_temp();
                self.emit_gc(G::ArrayNewElem, dst, base, id.0, array_elem_index);
            }
            O::ArrayGet { array_type_index }
            | O::ArrayGetS { array_type_index }
            | O::ArrayGetU { array_type_index } => {
                let g = match op {
                    O::ArrayGetS { .. } => G::ArrayGetS,
                    O::ArrayGetU { .. } => G::ArrayGetU,
                    _ => G::ArrayGet,
                };
                let cells = self.array_elem_cells(array_type_index)?;
                let index = self.pop_slot();
                let r = self.pop_slot();
                let dst = self.push_result(cells);
                self.emit_gc(g, dst, r, index.into(), 0);
            }
            O::ArraySet { array_type_index } => {
                let cells = self.array_elem_cells(array_type_index)?;
                let v = self.pop_value(cells);
                let index = self.pop_slot();
                let r = self.pop_slot();
                self.emit_gc(G::ArraySet, v, r, index.into(), 0);
            }
            O::ArrayLen => self.gc_unop(G::ArrayLen, 0, 0),
            O::ArrayFill { array_type_index } => {
                let cells = self.array_elem_cells(array_type_index)?;
                let base = self.pop_consecutive(3 + cells);
                self.emit_gc(G::ArrayFill, 0, base, 0, 0);
            }
            O::ArrayCopy { .. } => {
                let base = self.pop_consecutive(5);
                self.emit_gc(G::ArrayCopy, 0, base, 0, 0);
            }
            O::ArrayInitData {
                array_data_index, ..
            } => {
                let base = self.pop_consecutive(4);
                self.emit_gc(G::ArrayInitData, 0, base, 0, array_data_index);
            }
            O::ArrayInitElem {
                array_elem_index, ..
            } => {
                let base = self.pop_consecutive(4);
                self.emit_gc(G::ArrayInitElem, 0, base, 0, array_elem_index);
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// The slot of the top operand, which stays on the stack (a constant is written to
    /// its slot first).
    fn top_slot(&mut self) -> Slot {
        let pos = self.stack.len().saturating_sub(1);
        match self.stack.get(pos).copied() {
            Some(Operand::Local(l)) => l,
            _ => {
                self.materialize_at(pos);
                self.temp_slot(pos as u32)
            }
        }
    }

    /// `x = op(y)` on one reference operand.
    fn gc_unop(&mut self, op: GcOp, imm: u32, data: u32) {
        let src = self.pop_slot();
        let dst = self.push_temp();
        self.emit_gc(op, dst, src, imm, data);
    }

    /// A conditional branch on `cond != 0` to label `depth`, with what `br_if` does
    /// around it (returns materialize their values; a new fuel block follows).
    fn branch_if(&mut self, cond: Slot, depth: u32) {
        let idx = self.ctrl.len() - 1 - depth as usize;
        if self.ctrl[idx].kind == super::CtrlKind::Function {
            let n = self.ctrl[idx].results;
            self.materialize_top(n);
        }
        self.emit_br_if(cond, depth);
        self.start_block_fuel();
    }
}
