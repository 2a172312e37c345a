//! Constant expressions (spec §3.3.10 "Constant Expressions"), kept in a small form of
//! their own so instantiation can evaluate them without re-reading bytes.

use crate::error::{Error, Result};
use crate::types::TypeId;

/// One instruction of a constant expression.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ConstOp {
    I32Const(i32),
    I64Const(i64),
    F32Const(u32),
    F64Const(u64),
    V128Const(u128),
    RefNull,
    RefFunc(u32),
    GlobalGet(u32),
    I32Add,
    I32Sub,
    I32Mul,
    I64Add,
    I64Sub,
    I64Mul,
    /// GC allocations and conversions (evaluated by the instantiating store).
    RefI31,
    StructNew(TypeId),
    StructNewDefault(TypeId),
    ArrayNew(TypeId),
    ArrayNewDefault(TypeId),
    ArrayNewFixed(TypeId, u32),
    /// `any.convert_extern` and `extern.convert_any` leave the cell as it is (see `gc`).
    Nop,
}

/// A constant expression: a short program over a stack of cells.
#[derive(Debug, Clone)]
pub(crate) struct ConstExpr(pub Vec<ConstOp>);

impl ConstExpr {
    pub(crate) fn from_wasmparser(
        expr: &wasmparser::ConstExpr<'_>,
        type_ids: &[TypeId],
    ) -> Result<ConstExpr> {
        let ty = |i: u32| {
            type_ids
                .get(i as usize)
                .copied()
                .ok_or_else(|| Error::Unsupported("type index".into()))
        };
        use wasmparser::Operator as O;
        let mut ops = Vec::new();
        let mut reader = expr.get_operators_reader();
        loop {
            let op = reader.read()?;
            ops.push(match op {
                O::I32Const { value } => ConstOp::I32Const(value),
                O::I64Const { value } => ConstOp::I64Const(value),
                O::F32Const { value } => ConstOp::F32Const(value.bits()),
                O::F64Const { value } => ConstOp::F64Const(value.bits()),
                O::V128Const { value } => ConstOp::V128Const(value.i128() as u128),
                O::RefNull { .. } => ConstOp::RefNull,
                O::RefFunc { function_index } => ConstOp::RefFunc(function_index),
                O::GlobalGet { global_index } => ConstOp::GlobalGet(global_index),
                O::I32Add => ConstOp::I32Add,
                O::I32Sub => ConstOp::I32Sub,
                O::I32Mul => ConstOp::I32Mul,
                O::I64Add => ConstOp::I64Add,
                O::I64Sub => ConstOp::I64Sub,
                O::I64Mul => ConstOp::I64Mul,
                O::RefI31 => ConstOp::RefI31,
                O::StructNew { struct_type_index } => ConstOp::StructNew(ty(struct_type_index)?),
                O::StructNewDefault { struct_type_index } => {
                    ConstOp::StructNewDefault(ty(struct_type_index)?)
                }
                O::ArrayNew { array_type_index } => ConstOp::ArrayNew(ty(array_type_index)?),
                O::ArrayNewDefault { array_type_index } => {
                    ConstOp::ArrayNewDefault(ty(array_type_index)?)
                }
                O::ArrayNewFixed {
                    array_type_index,
                    array_size,
                } => ConstOp::ArrayNewFixed(ty(array_type_index)?, array_size),
                O::AnyConvertExtern | O::ExternConvertAny => ConstOp::Nop,
                O::End => break,
                other => {
                    return Err(Error::Unsupported(format!(
                        "constant expression operator {other:?}"
                    )))
                }
            });
        }
        Ok(ConstExpr(ops))
    }

    /// Evaluates the expression to the bits of its value (a cell, or a whole `v128`; see
    /// `Val::to_bits`). `global` reads a global's bits, `func` makes a funcref cell.
    /// Expressions without GC operators (all but the GC proposal's) cannot fail.
    pub(crate) fn eval(&self, global: impl Fn(u32) -> u128, func: impl Fn(u32) -> u64) -> u128 {
        self.eval_gc(global, func, &mut |_, _| Ok(0)).unwrap_or(0)
    }

    /// [`ConstExpr::eval`] for expressions that may allocate: `gc` runs a GC operator on
    /// the evaluation stack and returns its result.
    pub(crate) fn eval_gc(
        &self,
        global: impl Fn(u32) -> u128,
        func: impl Fn(u32) -> u64,
        gc: &mut dyn FnMut(ConstOp, &mut Vec<u128>) -> Result<u128>,
    ) -> Result<u128> {
        let mut stack: Vec<u128> = Vec::with_capacity(2);
        for op in &self.0 {
            let v = match *op {
                ConstOp::Nop => continue,
                op @ (ConstOp::RefI31
                | ConstOp::StructNew(_)
                | ConstOp::StructNewDefault(_)
                | ConstOp::ArrayNew(_)
                | ConstOp::ArrayNewDefault(_)
                | ConstOp::ArrayNewFixed(..)) => gc(op, &mut stack)?,
                ConstOp::I32Const(v) => v as u32 as u128,
                ConstOp::I64Const(v) => v as u64 as u128,
                ConstOp::F32Const(v) => v as u128,
                ConstOp::F64Const(v) => v as u128,
                ConstOp::V128Const(v) => v,
                ConstOp::RefNull => 0,
                ConstOp::RefFunc(f) => func(f) as u128,
                ConstOp::GlobalGet(g) => global(g),
                bin => {
                    // Validation guarantees two operands.
                    let b = stack.pop().unwrap_or(0) as u64;
                    let a = stack.pop().unwrap_or(0) as u64;
                    match bin {
                        ConstOp::I32Add => (a as u32).wrapping_add(b as u32) as u128,
                        ConstOp::I32Sub => (a as u32).wrapping_sub(b as u32) as u128,
                        ConstOp::I32Mul => (a as u32).wrapping_mul(b as u32) as u128,
                        ConstOp::I64Add => a.wrapping_add(b) as u128,
                        ConstOp::I64Sub => a.wrapping_sub(b) as u128,
                        _ => a.wrapping_mul(b) as u128,
                    }
                }
            };
            stack.push(v);
        }
        Ok(stack.pop().unwrap_or(0))
    }
}
