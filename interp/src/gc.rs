//! The GC heap (spec §4.2.14 "Structure Instances", §4.2.15 "Array Instances") and its
//! collector.
//!
//! Reference cells of the `any` hierarchy are tagged in their top bits:
//! - `0` is null;
//! - below 2^32, a host reference (`externref` index + 1) made internal by
//!   `any.convert_extern` (conversions between `any` and `extern` keep the cell as it is);
//! - `I31_TAG | v` is the `i31` of the 31 bits `v`;
//! - `OBJ_TAG | i` is heap object `i`, a struct or an array.
//!
//! Function references stay store function index + 1 (never tagged), so a cell's tag
//! tells a GC object from any other reference.
//!
//! The collector is a non-moving mark-sweep, run when the cells allocated since the last
//! collection exceed the cells live after it (at least [`MIN_THRESHOLD_CELLS`]), so its
//! cost is amortized over allocation. Its roots are conservative: every tagged cell of
//! the live part of the value stack, and the reference cells of globals, tables, element
//! segments, exceptions and of references handed to the host. A cell that only looks
//! like a reference can keep garbage alive but never frees a live object, because
//! objects are found by index and Wasm typing keeps every real reference valid. Objects
//! are traced through the types of their fields, with a work list (no recursion).

use crate::type_registry::{CompositeType, StorageType, TypeCache};
use crate::types::{TypeId, ValType};

/// Tag of `i31` cells.
pub(crate) const I31_TAG: u64 = 1 << 62;
/// Tag of heap object cells.
pub(crate) const OBJ_TAG: u64 = 1 << 63;
const TAGS: u64 = I31_TAG | OBJ_TAG;

/// Cells allocated before the first collection.
pub(crate) const MIN_THRESHOLD_CELLS: usize = 1 << 20;
/// The most cells the heap may hold (1 GiB of cells); allocations beyond trap.
pub(crate) const MAX_HEAP_CELLS: usize = 1 << 27;

/// The `i31` cell of the low 31 bits of `v` (`ref.i31`).
#[inline]
pub(crate) fn i31_cell(v: i32) -> u64 {
    I31_TAG | (v as u32 & 0x7fff_ffff) as u64
}

/// The value of an `i31` cell, sign-extended from 31 bits.
#[inline]
pub(crate) fn i31_value(cell: u64) -> Option<i32> {
    (cell & TAGS == I31_TAG).then_some(((cell as u32) << 1) as i32 >> 1)
}

/// Whether `cell` is an `i31` or a heap object.
#[inline]
pub(crate) fn is_gc_cell(cell: u64) -> bool {
    cell & TAGS != 0
}

/// The heap object a cell names, if it is one.
#[inline]
pub(crate) fn object_index(cell: u64) -> Option<u32> {
    (cell & TAGS == OBJ_TAG).then_some(cell as u32)
}

/// A struct or array: its type and its cells (one per field or element, two for a
/// `v128`; packed `i8`/`i16` values are kept zero-extended in a cell).
#[derive(Debug)]
pub(crate) struct GcObject {
    pub ty: TypeId,
    pub cells: Box<[u64]>,
}

/// Cells a value of storage type `s` takes in an object.
#[inline]
pub(crate) fn storage_cells(s: StorageType) -> usize {
    match s {
        StorageType::Val(ValType::V128) => 2,
        _ => 1,
    }
}

/// Whether values of storage type `s` are references the collector must trace.
fn traced(s: StorageType) -> bool {
    matches!(s, StorageType::Val(t) if t.is_ref())
}

/// The store's heap of GC objects.
#[derive(Debug, Default)]
pub(crate) struct Heap {
    objects: Vec<Option<GcObject>>,
    free: Vec<u32>,
    /// Cells allocated since the last collection, and the threshold that triggers one.
    allocated: usize,
    threshold: usize,
    /// Cells held by live objects (after the last collection, plus allocations since).
    live_cells: usize,
    /// References handed to the host (roots until released).
    pub host_roots: Vec<u64>,
    /// Extra roots: the live cells of value stacks suspended under a host call.
    pub suspended_roots: Vec<u64>,
    /// How many collections ran (for tests and statistics).
    pub collections: u64,
}

impl Heap {
    /// Whether the next allocation of `cells` cells should collect first.
    #[inline]
    pub(crate) fn wants_collection(&self, cells: usize) -> bool {
        self.allocated + cells > self.threshold.max(MIN_THRESHOLD_CELLS)
    }

    /// Whether the heap holds any object (if not, nothing needs rooting).
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.objects.len() == self.free.len()
    }

    /// Number of live objects (after the last collection, plus allocations since).
    pub(crate) fn len(&self) -> usize {
        self.objects.len() - self.free.len()
    }

    /// Allocates an object; the caller collected first if [`Heap::wants_collection`].
    pub(crate) fn alloc(&mut self, ty: TypeId, cells: Box<[u64]>) -> Result<u64, crate::TrapKind> {
        if self.live_cells + cells.len() > MAX_HEAP_CELLS {
            return Err(crate::TrapKind::AllocationTooLarge);
        }
        self.allocated += cells.len() + 1;
        self.live_cells += cells.len() + 1;
        let obj = GcObject { ty, cells };
        let index = match self.free.pop() {
            Some(i) => {
                self.objects[i as usize] = Some(obj);
                i
            }
            None => {
                if self.objects.len() >= (u32::MAX >> 1) as usize {
                    return Err(crate::TrapKind::AllocationTooLarge);
                }
                self.objects.push(Some(obj));
                self.objects.len() as u32 - 1
            }
        };
        Ok(OBJ_TAG | index as u64)
    }

    /// The object a cell names (`None` for null, `i31` and host references).
    #[inline]
    pub(crate) fn get(&self, cell: u64) -> Option<&GcObject> {
        self.objects.get(object_index(cell)? as usize)?.as_ref()
    }

    /// The object a cell names, mutably.
    #[inline]
    pub(crate) fn get_mut(&mut self, cell: u64) -> Option<&mut GcObject> {
        self.objects.get_mut(object_index(cell)? as usize)?.as_mut()
    }

    /// Two distinct objects, mutably and shared (for `array.copy` between arrays).
    pub(crate) fn get_pair(&mut self, dst: u64, src: u64) -> Option<(&mut GcObject, &GcObject)> {
        let (d, s) = (object_index(dst)? as usize, object_index(src)? as usize);
        if d == s || d >= self.objects.len() || s >= self.objects.len() {
            return None;
        }
        let (lo, hi) = self.objects.split_at_mut(d.max(s));
        let (d_obj, s_obj) = if d < s {
            (&mut lo[d], &hi[0])
        } else {
            (&mut hi[0], &lo[s])
        };
        Some((d_obj.as_mut()?, s_obj.as_ref()?))
    }

    /// Mark-sweep from `roots` (every cell of them that names an object) plus the host
    /// and suspended roots.
    pub(crate) fn collect<'a>(
        &mut self,
        types: &mut TypeCache,
        roots: impl IntoIterator<Item = &'a u64>,
    ) {
        let mut marks = vec![false; self.objects.len()];
        let mut work: Vec<u32> = Vec::new();
        let objects = &self.objects;
        let mark = |cell: u64, marks: &mut Vec<bool>, work: &mut Vec<u32>| {
            if let Some(i) = object_index(cell) {
                if let Some(m) = marks.get_mut(i as usize) {
                    if !*m && objects[i as usize].is_some() {
                        *m = true;
                        work.push(i);
                    }
                }
            }
        };
        for &cell in roots {
            mark(cell, &mut marks, &mut work);
        }
        for &cell in self.host_roots.iter().chain(&self.suspended_roots) {
            mark(cell, &mut marks, &mut work);
        }
        while let Some(i) = work.pop() {
            let Some(obj) = &objects[i as usize] else {
                continue;
            };
            let Some(def) = types.get(obj.ty) else {
                continue;
            };
            match &def.sub.composite {
                CompositeType::Struct(fields) => {
                    let mut at = 0;
                    for f in fields.iter() {
                        if traced(f.storage) {
                            if let Some(&c) = obj.cells.get(at) {
                                mark(c, &mut marks, &mut work);
                            }
                        }
                        at += storage_cells(f.storage);
                    }
                }
                CompositeType::Array(f) if traced(f.storage) => {
                    for &c in obj.cells.iter() {
                        mark(c, &mut marks, &mut work);
                    }
                }
                _ => {}
            }
        }
        let mut live = 0;
        for (i, slot) in self.objects.iter_mut().enumerate() {
            match slot {
                Some(obj) if marks[i] => live += obj.cells.len() + 1,
                Some(_) => {
                    *slot = None;
                    self.free.push(i as u32);
                }
                None => {}
            }
        }
        // Trailing free slots shrink the table so a burst of garbage does not pin memory.
        while matches!(self.objects.last(), Some(None)) {
            self.objects.pop();
        }
        let len = self.objects.len() as u32;
        self.free.retain(|&i| i < len);
        self.live_cells = live;
        self.allocated = 0;
        self.threshold = live;
        self.collections += 1;
    }
}

/// The layout of a struct type: each field's storage type and first cell.
pub(crate) fn struct_fields(
    types: &mut TypeCache,
    ty: TypeId,
) -> Option<Vec<(StorageType, usize)>> {
    let CompositeType::Struct(fields) = &types.get(ty)?.sub.composite else {
        return None;
    };
    let mut at = 0;
    Some(
        fields
            .iter()
            .map(|f| {
                let here = at;
                at += storage_cells(f.storage);
                (f.storage, here)
            })
            .collect(),
    )
}

/// The element storage type of an array type.
pub(crate) fn array_element(types: &mut TypeCache, ty: TypeId) -> Option<StorageType> {
    match &types.get(ty)?.sub.composite {
        CompositeType::Array(f) => Some(f.storage),
        _ => None,
    }
}

/// A value as a field of storage type `s` keeps it: packed values truncated.
#[inline]
pub(crate) fn pack(s: StorageType, v: u64) -> u64 {
    match s {
        StorageType::I8 => v & 0xff,
        StorageType::I16 => v & 0xffff,
        StorageType::Val(ValType::I32 | ValType::F32) => v & 0xffff_ffff,
        StorageType::Val(_) => v,
    }
}

/// Cells of `len` elements of storage `s` each holding `init` (`init` is 128 bits so a
/// `v128` fills two cells), or an allocation error when too large.
pub(crate) fn array_cells(
    s: StorageType,
    len: u32,
    init: u128,
) -> Result<Box<[u64]>, crate::TrapKind> {
    let per = storage_cells(s);
    let n = (len as usize)
        .checked_mul(per)
        .filter(|n| *n <= MAX_HEAP_CELLS)
        .ok_or(crate::TrapKind::AllocationTooLarge)?;
    let mut cells = Vec::new();
    cells
        .try_reserve_exact(n)
        .map_err(|_| crate::TrapKind::AllocationTooLarge)?;
    if per == 2 {
        for _ in 0..len {
            cells.push(init as u64);
            cells.push((init >> 64) as u64);
        }
    } else {
        cells.resize(n, pack(s, init as u64));
    }
    Ok(cells.into_boxed_slice())
}

/// Evaluates a GC operator of a constant expression (spec §3.3.10: `ref.i31`,
/// `struct.new`, `struct.new_default`, `array.new`, `array.new_default`,
/// `array.new_fixed`) on the evaluation stack.
pub(crate) fn const_op(
    heap: &mut Heap,
    types: &mut TypeCache,
    op: crate::module::ConstOp,
    stack: &mut Vec<u128>,
) -> crate::Result<u128> {
    use crate::module::ConstOp as C;
    let mut pop = || stack.pop().unwrap_or(0);
    let cell = match op {
        C::RefI31 => i31_cell(pop() as i32),
        C::StructNew(ty) | C::StructNewDefault(ty) => {
            let fields = struct_fields(types, ty).unwrap_or_default();
            let n = fields.last().map_or(0, |(s, at)| at + storage_cells(*s));
            let mut cells = vec![0u64; n];
            if matches!(op, C::StructNew(_)) {
                for (s, at) in fields.iter().rev() {
                    let v = pop();
                    cells[*at] = pack(*s, v as u64);
                    if storage_cells(*s) == 2 {
                        cells[at + 1] = (v >> 64) as u64;
                    }
                }
            }
            heap.alloc(ty, cells.into())?
        }
        C::ArrayNew(ty) | C::ArrayNewDefault(ty) => {
            let s = array_element(types, ty).unwrap_or(StorageType::I8);
            let len = pop() as u32;
            let init = if matches!(op, C::ArrayNew(_)) {
                pop()
            } else {
                0
            };
            heap.alloc(ty, array_cells(s, len, init)?)?
        }
        C::ArrayNewFixed(ty, n) => {
            let s = array_element(types, ty).unwrap_or(StorageType::I8);
            let at = stack.len().saturating_sub(n as usize);
            let values: Vec<u128> = stack.drain(at..).collect();
            let mut cells = Vec::with_capacity(values.len() * storage_cells(s));
            for v in values {
                cells.push(pack(s, v as u64));
                if storage_cells(s) == 2 {
                    cells.push((v >> 64) as u64);
                }
            }
            heap.alloc(ty, cells.into())?
        }
        _ => 0,
    };
    Ok(cell as u128)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn i31_cells_round_trip_31_bits() {
        assert_eq!(i31_value(i31_cell(-1)), Some(-1));
        assert_eq!(i31_value(i31_cell(0x4000_0000)), Some(-0x4000_0000));
        assert_eq!(i31_value(i31_cell(0x7fff_ffff)), Some(-1));
        assert_eq!(i31_value(i31_cell(5)), Some(5));
        assert_eq!(i31_value(OBJ_TAG | 3), None);
        assert_eq!(object_index(OBJ_TAG | 3), Some(3));
        assert!(!is_gc_cell(7));
    }
}
