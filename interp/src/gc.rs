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
//! The collector is an incremental, non-moving mark-sweep (see [`Heap`]): a cycle begins
//! when the cells allocated since the last one exceed the cells live after it (at least
//! [`MIN_THRESHOLD_CELLS`]), then marks and sweeps in bounded steps paced by allocation.
//! Its roots are conservative: every tagged cell of the live part of the value stack,
//! and the reference cells of globals, tables, element segments, exceptions and of
//! references handed to the host. A cell that only looks like a reference can keep
//! garbage alive but never frees a live object, because objects are found by index and
//! Wasm typing keeps every real reference valid. Objects are traced through the types of
//! their fields, with a work list (no recursion).

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
#[inline]
pub(crate) fn traced(s: StorageType) -> bool {
    matches!(s, StorageType::Val(t) if t.is_ref())
}

/// Work units (cells traced, root cells scanned, slots swept) an incremental step may do
/// per cell allocated during a cycle. With a cycle starting once the heap has doubled
/// (the threshold is the live size), a rate of 8 finishes marking and sweeping before
/// the heap grows by another eighth of its size.
pub(crate) const DEFAULT_RATE: usize = 8;
/// Work owed before an allocating instruction takes a step, so steps are not too small
/// to be worth finding the roots for.
pub(crate) const STEP_QUANTUM: usize = 4096;
/// The most work one step does; work owed beyond it (after a large allocation) is
/// paid by the steps of the next allocating instructions.
pub(crate) const MAX_STEP: usize = 16 * STEP_QUANTUM;

/// Where the collector is in a cycle.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Phase {
    /// No cycle: allocation counts towards the threshold.
    #[default]
    Idle,
    /// Marking from the snapshot of the roots taken when the cycle began.
    Mark,
    /// Sweeping the slots from `sweep_at` up.
    Sweep,
}

/// The roots of a collection, as the store holds them.
pub(crate) trait RootSet {
    /// Calls `f` with every cell of the roots scanned when a cycle begins (the
    /// snapshot): the live value stack, the reference-typed globals.
    fn snapshot(&self, f: &mut dyn FnMut(u64));
    /// Root array `i` of kind `kind` (0 tables, 1 element segments, 2 exception
    /// payloads), scanned incrementally; `None` past the last of a kind (or kind 3).
    fn array(&self, kind: usize, i: usize) -> Option<&[u64]>;
}

/// Statistics of the garbage collector (see `Store::gc_stats`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GcStats {
    /// Collection cycles completed, incremental ones and `Store::gc` alike.
    pub collections: u64,
    /// Incremental steps taken by allocating instructions.
    pub steps: u64,
    /// The most work one incremental step did, in cells: root cells scanned, object
    /// cells traced, heap slots swept. This is the longest pause a guest saw, in a unit
    /// that does not depend on the machine. Full collections (`Store::gc`) do not count.
    pub max_step_work: usize,
    /// Whether a cycle is in progress (marking or sweeping).
    pub in_cycle: bool,
}

/// The store's heap of GC objects and its incremental collector.
///
/// The collector is a non-moving mark-sweep that runs in bounded steps interleaved with
/// the guest (Dijkstra et al., "On-the-fly garbage collection"; Yuasa, "Real-time garbage
/// collection on general-purpose machines"):
///
/// - A cycle begins when the cells allocated since the last one exceed the cells live
///   after it. It shades the roots of the snapshot at once (value stack, globals, host
///   and suspended roots: their size does not depend on the heap) and records the
///   larger root arrays (tables, element segments, exception payloads) to scan later.
/// - Marking then advances by `rate` work units per cell allocated, in steps of at
///   least [`STEP_QUANTUM`] and at most [`MAX_STEP`] units; arrays are traced in
///   chunks, so a step never exceeds its budget by more than one struct's fields. A
///   step's pause is thus bounded by a constant, whatever the size of the heap.
///   Objects allocated while marking are black.
/// - Correctness is snapshot-at-the-beginning: every object reachable when the cycle
///   began gets marked, and every object allocated since is marked, so nothing live at
///   the end is freed. The mutator can break a path from the snapshot only by
///   overwriting a reference cell of a heap object or of a root array not yet scanned;
///   the deletion barrier ([`Heap::barrier`], [`Heap::barrier_cells`],
///   [`Heap::drop_segment`]) shades the old value first. Locals, the operand stack and
///   globals need no barrier: they were scanned in the snapshot, and whatever the
///   guest loads into them later was reachable at the snapshot (so it is marked through
///   the path it was loaded from, which the barrier keeps) or allocated black. The same
///   holds for host roots and stacks suspended under host calls; additions to the host
///   roots are shaded anyway, as they cost nothing.
/// - Once no grey object nor root array is left, marking ends (no rescan is needed) and
///   sweeping frees unmarked objects in steps of the same pace. Objects allocated while
///   sweeping are marked if the sweep has not passed their slot yet; the sweep clears
///   the marks it keeps, so every mark is clear when the next cycle begins.
#[derive(Debug)]
pub(crate) struct Heap {
    objects: Vec<Option<GcObject>>,
    /// Mark bits, one per slot of `objects`.
    marks: Vec<bool>,
    free: Vec<u32>,
    phase: Phase,
    /// Grey objects: marked, with the cells from the second number on still to trace.
    grey: Vec<(u32, u32)>,
    /// The next root array to scan: (kind, index, first cell) (see [`RootSet::array`]).
    roots_at: (usize, usize, usize),
    /// Element segments dropped while marking (roots until scanned).
    dropped: Vec<Vec<u64>>,
    /// The next slot to sweep.
    sweep_at: usize,
    /// Work owed by allocations during the cycle.
    credit: usize,
    /// Work units per allocated cell (see [`DEFAULT_RATE`]; 0 stops automatic steps).
    pub rate: usize,
    /// Cells allocated since the last cycle ended, and the threshold that begins one.
    allocated: usize,
    threshold: usize,
    /// Cells held by the objects in the heap (live ones, and garbage not swept yet).
    live_cells: usize,
    /// References handed to the host (roots until released).
    pub host_roots: Vec<u64>,
    /// Extra roots: the live cells of value stacks suspended under a host call.
    pub suspended_roots: Vec<u64>,
    stats: GcStats,
}

impl Default for Heap {
    fn default() -> Heap {
        Heap {
            objects: Vec::new(),
            marks: Vec::new(),
            free: Vec::new(),
            phase: Phase::Idle,
            grey: Vec::new(),
            roots_at: (0, 0, 0),
            dropped: Vec::new(),
            sweep_at: 0,
            credit: 0,
            rate: DEFAULT_RATE,
            allocated: 0,
            threshold: 0,
            live_cells: 0,
            host_roots: Vec::new(),
            suspended_roots: Vec::new(),
            stats: GcStats::default(),
        }
    }
}

/// Shades `cell`: marks the object it names, if unmarked, and makes it grey.
#[inline]
fn shade(objects: &[Option<GcObject>], marks: &mut [bool], grey: &mut Vec<(u32, u32)>, cell: u64) {
    if let Some(i) = object_index(cell) {
        if let Some(m) = marks.get_mut(i as usize) {
            if !*m && objects[i as usize].is_some() {
                *m = true;
                grey.push((i, 0));
            }
        }
    }
}

impl Heap {
    /// Whether the next allocating instruction should take a collector step first
    /// ([`Heap::step`]).
    #[inline]
    pub(crate) fn wants_step(&self) -> bool {
        match self.phase {
            Phase::Idle => self.allocated > self.threshold.max(MIN_THRESHOLD_CELLS),
            _ => self.credit >= STEP_QUANTUM,
        }
    }

    /// The collector's statistics.
    pub(crate) fn stats(&self) -> GcStats {
        GcStats {
            in_cycle: self.phase != Phase::Idle,
            ..self.stats
        }
    }

    /// Whether a full collection could free something: a cycle is in progress or objects
    /// were allocated since the last one ended.
    #[inline]
    pub(crate) fn may_reclaim(&self) -> bool {
        self.phase != Phase::Idle || self.allocated > 0
    }

    /// Whether the heap holds any object (if not, nothing needs rooting).
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.objects.len() == self.free.len()
    }

    /// Number of objects in the heap: the live ones and the garbage not swept yet.
    pub(crate) fn len(&self) -> usize {
        self.objects.len() - self.free.len()
    }

    /// Allocates an object; the caller took a step first if [`Heap::wants_step`].
    pub(crate) fn alloc(&mut self, ty: TypeId, cells: Box<[u64]>) -> Result<u64, crate::TrapKind> {
        if self.live_cells + cells.len() > MAX_HEAP_CELLS {
            return Err(crate::TrapKind::AllocationTooLarge);
        }
        let size = cells.len() + 1;
        let obj = GcObject { ty, cells };
        let index = loop {
            match self.free.pop() {
                Some(i) if self.objects.get(i as usize).is_some_and(|o| o.is_none()) => {
                    self.objects[i as usize] = Some(obj);
                    break i;
                }
                // A slot past the end (the table shrank at a full collection).
                Some(_) => {}
                None => {
                    if self.objects.len() >= (u32::MAX >> 1) as usize {
                        return Err(crate::TrapKind::AllocationTooLarge);
                    }
                    self.objects.push(Some(obj));
                    self.marks.push(false);
                    break self.objects.len() as u32 - 1;
                }
            }
        };
        // Black while marking; while sweeping, marked if the sweep has yet to reach it.
        self.marks[index as usize] = match self.phase {
            Phase::Idle => false,
            Phase::Mark => true,
            Phase::Sweep => index as usize >= self.sweep_at,
        };
        self.allocated += size;
        self.live_cells += size;
        if self.phase != Phase::Idle {
            self.credit = self.credit.saturating_add(self.rate.saturating_mul(size));
        }
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

    /// The deletion barrier for a heap object: while marking, shades the references in
    /// cells `range` of the object `obj` names before they are overwritten (the caller
    /// knows they hold references; out-of-range cells are ignored).
    #[inline]
    pub(crate) fn barrier(&mut self, obj: u64, range: core::ops::Range<usize>) {
        if self.phase != Phase::Mark {
            return;
        }
        let Heap {
            objects,
            marks,
            grey,
            ..
        } = self;
        let Some(Some(o)) = object_index(obj).and_then(|i| objects.get(i as usize)) else {
            return;
        };
        for &c in o.cells.get(range).unwrap_or_default() {
            shade(objects, marks, grey, c);
        }
    }

    /// The deletion barrier for root cells (of a table) about to be overwritten.
    #[inline]
    pub(crate) fn barrier_cells(&mut self, cells: &[u64]) {
        if self.phase == Phase::Mark {
            for &c in cells {
                shade(&self.objects, &mut self.marks, &mut self.grey, c);
            }
        }
    }

    /// Takes an element segment being dropped (`elem.drop`, or after instantiation):
    /// while marking, it stays a root until scanned.
    pub(crate) fn drop_segment(&mut self, seg: Vec<u64>) {
        if self.phase == Phase::Mark && !seg.is_empty() {
            self.dropped.push(seg);
        }
    }

    /// Roots `cell` for the host (see `Store::release_host_refs`).
    pub(crate) fn root_for_host(&mut self, cell: u64) {
        self.barrier_cells(&[cell]);
        self.host_roots.push(cell);
    }

    /// Begins a cycle: shades the snapshot roots; returns the work done.
    fn begin(&mut self, roots: &dyn RootSet) -> usize {
        debug_assert_eq!(self.phase, Phase::Idle);
        self.phase = Phase::Mark;
        self.roots_at = (0, 0, 0);
        self.allocated = 0;
        self.credit = 0;
        let Heap {
            objects,
            marks,
            grey,
            host_roots,
            suspended_roots,
            ..
        } = self;
        let mut work = 0;
        roots.snapshot(&mut |c| {
            work += 1;
            shade(objects, marks, grey, c);
        });
        for &c in host_roots.iter().chain(suspended_roots.iter()) {
            work += 1;
            shade(objects, marks, grey, c);
        }
        work
    }

    /// Traces grey objects and scans root arrays for about `budget` work units; returns
    /// the work done (at most `budget` plus one struct's fields).
    fn mark(&mut self, types: &mut TypeCache, roots: &dyn RootSet, budget: usize) -> usize {
        let Heap {
            objects,
            marks,
            grey,
            roots_at,
            dropped,
            ..
        } = self;
        let mut work = 0;
        while work < budget {
            if let Some((i, from)) = grey.pop() {
                work += 1;
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
                                    shade(objects, marks, grey, c);
                                }
                            }
                            at += storage_cells(f.storage);
                        }
                        work += at;
                    }
                    CompositeType::Array(f) if traced(f.storage) => {
                        let from = from as usize;
                        let n = (budget.saturating_sub(work)).max(1);
                        let end = from.saturating_add(n).min(obj.cells.len());
                        for &c in obj.cells.get(from..end).unwrap_or_default() {
                            shade(objects, marks, grey, c);
                        }
                        work += end.saturating_sub(from);
                        if end < obj.cells.len() {
                            grey.push((i, end as u32));
                        }
                    }
                    _ => {}
                }
            } else if let Some(seg) = dropped.last_mut() {
                let n = (budget - work).min(seg.len());
                for c in seg.drain(seg.len() - n..) {
                    shade(objects, marks, grey, c);
                }
                work += n + 1;
                if seg.is_empty() {
                    dropped.pop();
                }
            } else if roots_at.0 < 3 {
                let (kind, i, at) = *roots_at;
                match roots.array(kind, i) {
                    None => *roots_at = (kind + 1, 0, 0),
                    Some(cells) => {
                        let end = at.saturating_add(budget - work).min(cells.len());
                        for &c in cells.get(at..end).unwrap_or_default() {
                            shade(objects, marks, grey, c);
                        }
                        work += end.saturating_sub(at) + 1;
                        *roots_at = if end < cells.len() {
                            (kind, i, end)
                        } else {
                            (kind, i + 1, 0)
                        };
                    }
                }
            } else {
                // Nothing grey and every root scanned: marking is complete.
                self.phase = Phase::Sweep;
                self.sweep_at = 0;
                break;
            }
        }
        work
    }

    /// Sweeps about `budget` slots; returns the work done.
    fn sweep(&mut self, budget: usize) -> usize {
        let end = self.sweep_at.saturating_add(budget).min(self.objects.len());
        for i in self.sweep_at..end {
            if self.marks[i] {
                self.marks[i] = false;
            } else if let Some(obj) = self.objects[i].take() {
                self.live_cells -= obj.cells.len() + 1;
                self.free.push(i as u32);
            }
        }
        let work = end - self.sweep_at;
        self.sweep_at = end;
        if end == self.objects.len() {
            self.phase = Phase::Idle;
            self.threshold = self.live_cells;
            self.allocated = 0;
            self.credit = 0;
            self.stats.collections += 1;
        }
        work
    }

    /// Advances the cycle by about `budget` work units (beginning one if none is in
    /// progress, and ending in the middle of none); returns the work done.
    fn run(&mut self, types: &mut TypeCache, roots: &dyn RootSet, budget: usize) -> usize {
        let mut work = 0;
        if self.phase == Phase::Idle {
            work += self.begin(roots);
        }
        while work < budget {
            work += match self.phase {
                Phase::Idle => break,
                Phase::Mark => self.mark(types, roots, budget - work),
                Phase::Sweep => self.sweep(budget - work),
            };
        }
        work
    }

    /// An incremental step: pays the work allocation owes (beginning a cycle first if
    /// the threshold was crossed).
    pub(crate) fn step(&mut self, types: &mut TypeCache, roots: &dyn RootSet) {
        let budget = self.credit.clamp(STEP_QUANTUM, MAX_STEP);
        self.credit -= self.credit.min(budget);
        let work = self.run(types, roots, budget);
        self.stats.steps += 1;
        self.stats.max_step_work = self.stats.max_step_work.max(work);
    }

    /// Begins a cycle without tracing anything (for tests of the barrier).
    pub(crate) fn begin_cycle(&mut self, roots: &dyn RootSet) {
        if self.phase == Phase::Idle {
            self.begin(roots);
        }
    }

    /// Advances a cycle in progress by `budget` work units; whether one still is.
    pub(crate) fn advance(
        &mut self,
        types: &mut TypeCache,
        roots: &dyn RootSet,
        budget: usize,
    ) -> bool {
        if self.phase != Phase::Idle {
            self.run(types, roots, budget);
        }
        self.phase != Phase::Idle
    }

    /// A full collection at once: ends the cycle in progress, then runs a whole new one
    /// (so garbage made during the first is freed too) and gives back trailing slots.
    pub(crate) fn collect(&mut self, types: &mut TypeCache, roots: &dyn RootSet) {
        if self.phase != Phase::Idle {
            self.run(types, roots, usize::MAX);
        }
        self.run(types, roots, usize::MAX);
        // Trailing free slots shrink the table so a burst of garbage does not pin memory.
        while matches!(self.objects.last(), Some(None)) {
            self.objects.pop();
            self.marks.pop();
        }
        let len = self.objects.len() as u32;
        self.free.retain(|&i| i < len);
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

/// Field `index` of struct type `ty`: its storage type and first cell, found without
/// building the whole layout (struct accesses are hot in GC code).
pub(crate) fn struct_field(
    types: &mut TypeCache,
    ty: TypeId,
    index: usize,
) -> Option<(StorageType, usize)> {
    let CompositeType::Struct(fields) = &types.get(ty)?.sub.composite else {
        return None;
    };
    let at = fields
        .get(..index)?
        .iter()
        .map(|f| storage_cells(f.storage))
        .sum();
    Some((fields.get(index)?.storage, at))
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

    /// Snapshot cells and one root array (a table).
    struct Fake(Vec<u64>, Vec<u64>);

    impl RootSet for Fake {
        fn snapshot(&self, f: &mut dyn FnMut(u64)) {
            self.0.iter().for_each(|&c| f(c));
        }
        fn array(&self, kind: usize, i: usize) -> Option<&[u64]> {
            (kind == 0 && i == 0).then_some(&self.1[..])
        }
    }

    #[test]
    fn objects_allocated_during_a_cycle_survive_it_and_garbage_does_not() {
        // Objects of an unknown type have no traced fields: leaves.
        let mut types = TypeCache::new(Default::default());
        let mut heap = Heap::default();
        let new = |h: &mut Heap| h.alloc(TypeId(u32::MAX), Box::new([])).unwrap();
        let (a, b, c) = (new(&mut heap), new(&mut heap), new(&mut heap));
        let roots = Fake(vec![a, 5, I31_TAG | 2], vec![0, b]);
        heap.begin_cycle(&roots);
        let d = new(&mut heap);
        while heap.phase == Phase::Mark {
            heap.advance(&mut types, &roots, 1);
        }
        // Sweep slots 0 and 1, then allocate past the cursor: marked, so kept.
        while heap.sweep_at < 2 {
            heap.advance(&mut types, &roots, 1);
        }
        assert_eq!((heap.phase, heap.sweep_at), (Phase::Sweep, 2));
        let e = new(&mut heap);
        while heap.advance(&mut types, &roots, 1) {}
        for x in [a, b, d, e] {
            assert!(heap.get(x).is_some());
        }
        assert!(heap.get(c).is_none());
        assert_eq!(heap.len(), 4);
        assert!(heap.marks.iter().all(|m| !m));
        assert_eq!(heap.stats().collections, 1);
        // Below the cursor of the next sweep, a new object starts unmarked.
        let f = new(&mut heap);
        assert_eq!(object_index(f), object_index(c));
        assert!(!heap.marks[object_index(f).unwrap() as usize]);
    }
}
