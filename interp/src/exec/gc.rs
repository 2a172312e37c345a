//! The out-of-line handler of `Instr::Gc` (typed references and the GC proposal's
//! aggregate instructions, spec §4.4.6-7), casts, and garbage collection roots.

use crate::error::TrapKind;
use crate::exception::ExnEntity;
use crate::gc::{
    array_cells, array_element, i31_cell, i31_value, is_gc_cell, pack, storage_cells, struct_field,
    struct_fields, traced, Heap, RootSet,
};
use crate::store::{FuncEntity, GlobalEntity, InstanceEntity, StoreInner, TableEntity};
use crate::translate::gc::{decode_heap, GcOp};
use crate::translate::ir::{Slot, MAX_FRAME_SLOTS};
use crate::type_registry::{StorageType, TypeCache};
use crate::types::{HeapType, Hierarchy, TypeId, ValType};
use std::sync::Arc;

/// What GC instructions reach besides the frame.
pub(super) struct GcCtx<'a> {
    pub heap: &'a mut Heap,
    pub types: &'a mut TypeCache,
    pub funcs: &'a [FuncEntity],
    pub datas: &'a [Arc<[u8]>],
    pub elems: &'a [Vec<u64>],
    pub inst: &'a InstanceEntity,
}

/// Every root of the heap but the host's: the live part of the value stack and the
/// reference cells of globals, tables, element segments and exceptions.
pub(super) struct Roots<'a> {
    pub stack: &'a [u64],
    pub globals: &'a [GlobalEntity],
    pub tables: &'a [TableEntity],
    pub elems: &'a [Vec<u64>],
    pub exns: &'a [ExnEntity],
}

impl RootSet for Roots<'_> {
    fn snapshot(&self, f: &mut dyn FnMut(u64)) {
        self.stack.iter().for_each(|&c| f(c));
        self.globals
            .iter()
            .filter(|g| g.ty.content.is_ref())
            .for_each(|g| f(g.value));
    }

    fn array(&self, kind: usize, i: usize) -> Option<&[u64]> {
        match kind {
            0 => self.tables.get(i).map(|t| &t.elements[..]),
            1 => self.elems.get(i).map(|e| &e[..]),
            2 => self.exns.get(i).map(|e| &e.payload[..]),
            _ => None,
        }
    }
}

/// An incremental collector step (see [`Heap`]), or a full collection if `full`,
/// `stack` being the live cells of the running value stack.
#[allow(clippy::too_many_arguments)]
pub(super) fn step(
    heap: &mut Heap,
    types: &mut TypeCache,
    stack: &[u64],
    globals: &[GlobalEntity],
    tables: &[TableEntity],
    elems: &[Vec<u64>],
    exns: &[ExnEntity],
    full: bool,
) {
    let roots = Roots {
        stack,
        globals,
        tables,
        elems,
        exns,
    };
    if full {
        heap.collect(types, &roots);
    } else {
        heap.step(types, &roots);
    }
}

/// What a host-side collector request does ([`collect_garbage`]).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Collect {
    /// A full collection at once (`Store::gc`).
    Full,
    /// Begins a cycle without tracing (tests of the barrier).
    Begin,
    /// Advances the cycle in progress by this much work.
    Advance(usize),
}

/// A collection requested by the host (no Wasm frame runs but those suspended); returns
/// whether a cycle is in progress after it.
pub(crate) fn collect_garbage(inner: &mut StoreInner, what: Collect) -> bool {
    let roots = Roots {
        stack: &[],
        globals: &inner.globals,
        tables: &inner.tables,
        elems: &inner.elems,
        exns: &inner.exns,
    };
    let heap = &mut inner.gc;
    match what {
        Collect::Full => heap.collect(&mut inner.types, &roots),
        Collect::Begin => heap.begin_cycle(&roots),
        Collect::Advance(work) => return heap.advance(&mut inner.types, &roots, work),
    }
    heap.stats().in_cycle
}

/// Whether the non-null reference `cell` is of heap type `target` (spec §4.4.6
/// `ref.test`). Validation guarantees that the value's static type is in the target's
/// hierarchy, which tells what an untagged cell is.
fn is_of(cx: &mut GcCtx<'_>, cell: u64, target: HeapType) -> bool {
    use HeapType as H;
    match target {
        H::Any | H::Func | H::Extern | H::Exn => true,
        H::None | H::NoFunc | H::NoExtern | H::NoExn => false,
        H::Eq => is_gc_cell(cell),
        H::I31 => i31_value(cell).is_some(),
        H::Struct | H::Array => {
            cx.heap
                .get(cell)
                .and_then(|o| cx.types.get(o.ty).map(|t| t.kind()))
                == Some(target)
        }
        H::Concrete(t) => {
            let actual = if cx.types.hierarchy(target) == Hierarchy::Func {
                match cx.funcs.get((cell as usize).wrapping_sub(1)) {
                    Some(f) => f.type_id(),
                    None => return false,
                }
            } else {
                match cx.heap.get(cell) {
                    Some(o) => o.ty,
                    None => return false,
                }
            };
            cx.types.is_subtype(actual, t)
        }
    }
}

/// Reads an element of storage `st` from little-endian `bytes`.
fn read_storage(st: StorageType, bytes: &[u8]) -> u128 {
    let mut b = [0u8; 16];
    b[..bytes.len()].copy_from_slice(bytes);
    let v = u128::from_le_bytes(b);
    match st {
        StorageType::Val(ValType::V128) => v,
        _ => v as u64 as u128,
    }
}

/// Bytes of an element of storage `st` in a data segment.
fn storage_bytes(st: StorageType) -> usize {
    match st {
        StorageType::I8 => 1,
        StorageType::I16 => 2,
        StorageType::Val(ValType::I32 | ValType::F32) => 4,
        StorageType::Val(ValType::V128) => 16,
        StorageType::Val(_) => 8,
    }
}

/// Writes element value `v` (two cells for a `v128`) at element `i` of `cells`.
#[inline]
fn put(cells: &mut [u64], st: StorageType, i: usize, v: u128) {
    if storage_cells(st) == 2 {
        cells[2 * i] = v as u64;
        cells[2 * i + 1] = (v >> 64) as u64;
    } else {
        cells[i] = pack(st, v as u64);
    }
}

/// A value of storage `st` read from cell(s) `at` as a field or element, extended as
/// `op` says, into the slots from `dst`.
#[inline]
fn get_into(
    s: &mut [u64; MAX_FRAME_SLOTS],
    dst: Slot,
    st: StorageType,
    cells: &[u64],
    signed: bool,
) {
    let d = dst as usize;
    match st {
        StorageType::I8 if signed => s[d] = cells[0] as u8 as i8 as i32 as u32 as u64,
        StorageType::I16 if signed => s[d] = cells[0] as u16 as i16 as i32 as u32 as u64,
        StorageType::Val(ValType::V128) => {
            s[d] = cells[0];
            s[d + 1] = cells[1];
        }
        _ => s[d] = cells[0],
    }
}

/// The value in the slots from `src` as a 128-bit element (`v128`s take two slots).
#[inline]
fn value_at(s: &[u64; MAX_FRAME_SLOTS], src: Slot, st: StorageType) -> u128 {
    let lo = s[src as usize] as u128;
    if storage_cells(st) == 2 {
        lo | (s[src as usize + 1] as u128) << 64
    } else {
        lo
    }
}

/// Field `index` of the struct `cell` names (storage, first cell), from its own type.
fn field_of(cx: &mut GcCtx<'_>, cell: u64, index: u32) -> Result<(StorageType, usize), TrapKind> {
    let ty = cx.heap.get(cell).ok_or(TrapKind::NullStructReference)?.ty;
    struct_field(cx.types, ty, index as usize).ok_or(TrapKind::NullStructReference)
}

/// The element storage type of the array `cell` names.
fn element_of(cx: &mut GcCtx<'_>, cell: u64) -> Result<StorageType, TrapKind> {
    let ty = cx.heap.get(cell).ok_or(TrapKind::NullArrayReference)?.ty;
    array_element(cx.types, ty).ok_or(TrapKind::NullArrayReference)
}

/// The bytes of data segment `data` of the running instance (empty once dropped).
fn data_segment<'a>(cx: &GcCtx<'a>, data: u32) -> &'a [u8] {
    cx.inst
        .datas
        .get(data as usize)
        .and_then(|&d| cx.datas.get(d as usize))
        .map_or(&[][..], |d| &d[..])
}

/// The cells of element segment `elem` of the running instance (empty once dropped).
fn elem_segment<'a>(cx: &GcCtx<'a>, elem: u32) -> &'a [u64] {
    cx.inst
        .elems
        .get(elem as usize)
        .and_then(|&e| cx.elems.get(e as usize))
        .map_or(&[][..], |e| &e[..])
}

/// Runs GC operation `op` (see [`GcOp`] for the operands).
#[allow(clippy::too_many_arguments)]
pub(super) fn gc_op(
    op: GcOp,
    s: &mut [u64; MAX_FRAME_SLOTS],
    x: Slot,
    y: Slot,
    imm: u32,
    data: u32,
    cx: &mut GcCtx<'_>,
) -> Result<(), TrapKind> {
    use GcOp as G;
    let (x, y) = (x as usize, y as usize);
    match op {
        G::StructNew | G::StructNewDefault => {
            let ty = TypeId(imm);
            let fields = struct_fields(cx.types, ty).unwrap_or_default();
            let n = fields.last().map_or(0, |(st, at)| at + storage_cells(*st));
            let mut cells = vec![0u64; n];
            if op == G::StructNew {
                for (st, at) in &fields {
                    cells[*at] = pack(*st, s[y + at]);
                    if storage_cells(*st) == 2 {
                        cells[at + 1] = s[y + at + 1];
                    }
                }
            }
            s[x] = cx.heap.alloc(ty, cells.into())?;
        }
        G::StructGet | G::StructGetS | G::StructGetU => {
            let (st, at) = field_of(cx, s[y], imm)?;
            let obj = cx.heap.get(s[y]).ok_or(TrapKind::NullStructReference)?;
            let cells = obj.cells.get(at..).ok_or(TrapKind::NullStructReference)?;
            get_into(s, x as Slot, st, cells, op == G::StructGetS);
        }
        G::StructSet => {
            let (st, at) = field_of(cx, s[y], imm)?;
            let v = value_at(s, x as Slot, st);
            if traced(st) {
                cx.heap.barrier(s[y], at..at + 1);
            }
            let obj = cx.heap.get_mut(s[y]).ok_or(TrapKind::NullStructReference)?;
            let cells = obj
                .cells
                .get_mut(at..)
                .ok_or(TrapKind::NullStructReference)?;
            put(cells, st, 0, v);
        }
        G::ArrayNew | G::ArrayNewDefault => {
            let ty = TypeId(imm);
            let st = array_element(cx.types, ty).unwrap_or(StorageType::I8);
            let (init, len) = if op == G::ArrayNew {
                (value_at(s, y as Slot, st), s[data as usize] as u32)
            } else {
                (0, s[y] as u32)
            };
            let cells = array_cells(st, len, init)?;
            s[x] = cx.heap.alloc(ty, cells)?;
        }
        G::ArrayNewFixed => {
            let ty = TypeId(imm);
            let st = array_element(cx.types, ty).unwrap_or(StorageType::I8);
            let per = storage_cells(st);
            let mut cells = vec![0u64; data as usize * per];
            for i in 0..data as usize {
                put(&mut cells, st, i, value_at(s, (y + i * per) as Slot, st));
            }
            s[x] = cx.heap.alloc(ty, cells.into())?;
        }
        G::ArrayNewData => {
            let ty = TypeId(imm);
            let st = array_element(cx.types, ty).unwrap_or(StorageType::I8);
            let bytes = data_segment(cx, data);
            let (offset, len) = (s[y] as u32 as usize, s[y + 1] as u32 as usize);
            let size = storage_bytes(st);
            let src = len
                .checked_mul(size)
                .and_then(|n| offset.checked_add(n))
                .and_then(|end| bytes.get(offset..end))
                .ok_or(TrapKind::MemoryOutOfBounds)?;
            let mut cells = array_cells(st, len as u32, 0)?;
            for (i, chunk) in src.chunks_exact(size).enumerate() {
                put(&mut cells, st, i, read_storage(st, chunk));
            }
            s[x] = cx.heap.alloc(ty, cells)?;
        }
        G::ArrayNewElem => {
            let seg = elem_segment(cx, data);
            let (offset, len) = (s[y] as u32 as usize, s[y + 1] as u32 as usize);
            let src = offset
                .checked_add(len)
                .and_then(|end| seg.get(offset..end))
                .ok_or(TrapKind::TableOutOfBounds)?;
            s[x] = cx.heap.alloc(TypeId(imm), src.into())?;
        }
        G::ArrayGet | G::ArrayGetS | G::ArrayGetU => {
            let st = element_of(cx, s[y])?;
            let obj = cx.heap.get(s[y]).ok_or(TrapKind::NullArrayReference)?;
            let per = storage_cells(st);
            let at = s[imm as usize] as u32 as usize * per;
            let cells = obj
                .cells
                .get(at..at + per)
                .ok_or(TrapKind::ArrayOutOfBounds)?;
            get_into(s, x as Slot, st, cells, op == G::ArrayGetS);
        }
        G::ArraySet => {
            let st = element_of(cx, s[y])?;
            let v = value_at(s, x as Slot, st);
            let i = s[imm as usize] as u32 as usize;
            if traced(st) {
                cx.heap.barrier(s[y], i..i + 1);
            }
            let obj = cx.heap.get_mut(s[y]).ok_or(TrapKind::NullArrayReference)?;
            if i >= obj.cells.len() / storage_cells(st) {
                return Err(TrapKind::ArrayOutOfBounds);
            }
            put(&mut obj.cells, st, i, v);
        }
        G::ArrayLen => {
            let st = element_of(cx, s[y])?;
            let obj = cx.heap.get(s[y]).ok_or(TrapKind::NullArrayReference)?;
            s[x] = (obj.cells.len() / storage_cells(st)) as u64;
        }
        G::ArrayFill => {
            let st = element_of(cx, s[y])?;
            let per = storage_cells(st);
            let (offset, v, n) = (
                s[y + 1] as u32 as usize,
                value_at(s, (y + 2) as Slot, st),
                s[y + 2 + per] as u32 as usize,
            );
            let obj = cx.heap.get(s[y]).ok_or(TrapKind::NullArrayReference)?;
            let len = obj.cells.len() / per;
            if offset.checked_add(n).is_none_or(|end| end > len) {
                return Err(TrapKind::ArrayOutOfBounds);
            }
            if traced(st) {
                cx.heap.barrier(s[y], offset..offset + n);
            }
            let obj = cx.heap.get_mut(s[y]).ok_or(TrapKind::NullArrayReference)?;
            for i in offset..offset + n {
                put(&mut obj.cells, st, i, v);
            }
        }
        G::ArrayCopy => {
            let (dst, d, src, so, n) = (
                s[y],
                s[y + 1] as u32 as usize,
                s[y + 2],
                s[y + 3] as u32 as usize,
                s[y + 4] as u32 as usize,
            );
            let st = element_of(cx, dst)?;
            element_of(cx, src)?;
            let per = storage_cells(st);
            let in_bounds = |len: usize, at: usize| at.checked_add(n).is_some_and(|e| e <= len);
            if traced(st) {
                let dlen = cx.heap.get(dst).map_or(0, |o| o.cells.len());
                if in_bounds(dlen, d) {
                    cx.heap.barrier(dst, d..d + n);
                }
            }
            if dst == src {
                let obj = cx.heap.get_mut(dst).ok_or(TrapKind::NullArrayReference)?;
                let len = obj.cells.len() / per;
                if !in_bounds(len, d) || !in_bounds(len, so) {
                    return Err(TrapKind::ArrayOutOfBounds);
                }
                obj.cells.copy_within(so * per..(so + n) * per, d * per);
            } else {
                let (dobj, sobj) = cx
                    .heap
                    .get_pair(dst, src)
                    .ok_or(TrapKind::NullArrayReference)?;
                if !in_bounds(dobj.cells.len() / per, d) || !in_bounds(sobj.cells.len() / per, so) {
                    return Err(TrapKind::ArrayOutOfBounds);
                }
                dobj.cells[d * per..(d + n) * per]
                    .copy_from_slice(&sobj.cells[so * per..(so + n) * per]);
            }
        }
        G::ArrayInitData => {
            let (r, d, so, n) = (
                s[y],
                s[y + 1] as u32 as usize,
                s[y + 2] as u32 as usize,
                s[y + 3] as u32 as usize,
            );
            let st = element_of(cx, r)?;
            let bytes = data_segment(cx, data);
            let obj = cx.heap.get_mut(r).ok_or(TrapKind::NullArrayReference)?;
            if d.checked_add(n)
                .is_none_or(|e| e > obj.cells.len() / storage_cells(st))
            {
                return Err(TrapKind::ArrayOutOfBounds);
            }
            let size = storage_bytes(st);
            let src = n
                .checked_mul(size)
                .and_then(|k| so.checked_add(k))
                .and_then(|end| bytes.get(so..end))
                .ok_or(TrapKind::MemoryOutOfBounds)?;
            for (i, chunk) in src.chunks_exact(size).enumerate() {
                put(&mut obj.cells, st, d + i, read_storage(st, chunk));
            }
        }
        G::ArrayInitElem => {
            let (r, d, so, n) = (
                s[y],
                s[y + 1] as u32 as usize,
                s[y + 2] as u32 as usize,
                s[y + 3] as u32 as usize,
            );
            let seg = elem_segment(cx, data);
            let len = cx
                .heap
                .get(r)
                .ok_or(TrapKind::NullArrayReference)?
                .cells
                .len();
            if d.checked_add(n).is_none_or(|e| e > len) {
                return Err(TrapKind::ArrayOutOfBounds);
            }
            let src = so
                .checked_add(n)
                .and_then(|end| seg.get(so..end))
                .ok_or(TrapKind::TableOutOfBounds)?;
            // Validation makes the element type a reference type.
            cx.heap.barrier(r, d..d + n);
            let obj = cx.heap.get_mut(r).ok_or(TrapKind::NullArrayReference)?;
            obj.cells[d..d + n].copy_from_slice(src);
        }
        G::RefI31 => s[x] = i31_cell(s[y] as i32),
        G::I31GetS | G::I31GetU => {
            let v = i31_value(s[y]).ok_or(TrapKind::NullI31Reference)?;
            s[x] = if op == G::I31GetS {
                v as u32 as u64
            } else {
                (v as u32 & 0x7fff_ffff) as u64
            };
        }
        G::RefTest | G::RefCast => {
            let cell = s[y];
            let matched = if cell == 0 {
                data & 1 != 0
            } else {
                is_of(cx, cell, decode_heap(imm))
            };
            if op == G::RefCast {
                if !matched {
                    return Err(TrapKind::CastFailure);
                }
            } else {
                s[x] = (matched != (data & 2 != 0)) as u64;
            }
        }
        G::AsNonNull => {
            if s[y] == 0 {
                return Err(TrapKind::NullReference);
            }
        }
        G::IsNonNull => s[x] = (s[y] != 0) as u64,
    }
    Ok(())
}
