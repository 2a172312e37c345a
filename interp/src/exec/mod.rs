//! The executor: runs IR over one value stack without host recursion for Wasm calls.
//!
//! `invoke` sets up the value stack and drives `run`, which keeps a frame stack of callers
//! and calls `execute` for the current function. `execute` is the tight dispatch loop; it
//! returns to `run` only to call, return or trap, so a Wasm call chain of any depth uses
//! a constant amount of host stack.

mod atomic;
mod exception;
mod gc;
mod mem64;
mod numeric;
mod simd;

use crate::error::{Error, FrameInfo, Result, Trap, TrapKind};
use crate::func::Caller;
use crate::store::{Callee, FuncEntity, MemoryEntity, Store, StoreInner};
use crate::translate::ir::{Instr, MAX_FRAME_SLOTS};
use crate::translate::CompiledFunc;
use crate::value::{cell_to_ref, ref_to_cell, Val};
use crate::{AddrType, Func, Instance};
pub(crate) use gc::{collect_garbage, Collect};
use numeric::*;
use std::sync::Arc;

/// How many host -> Wasm -> host re-entries may nest before the call traps as exhausted.
const MAX_HOST_NESTING: u32 = 64;

thread_local! {
    static NESTING: core::cell::Cell<u32> = const { core::cell::Cell::new(0) };
}

/// An activation: the function running (and its instance), the next instruction it
/// runs and where its frame starts.
///
/// `ip` points into the function's translated code, which never moves or dies while the
/// store lives (it is set once in its module's `OnceLock` and the store's functions keep
/// the module alive).
#[derive(Clone, Copy, Debug)]
struct Frame {
    func: u32,
    instance: u32,
    ip: *const Instr,
    fp: usize,
}

/// Why `execute` stopped.
enum Exit {
    /// The entry function returned; its results are at the bottom of the stack.
    Return,
    /// Call host function `func` with arguments at slot `base` of the current frame (the
    /// current frame's `ip` is already the resume point).
    Host { func: u32, base: u32 },
    /// An exception was caught: `cur` is the handling frame; run on from there.
    Resume,
}

/// Why `execute` failed.
enum Fault {
    Trap(TrapKind),
    Error(Error),
    /// An exception (a store address) that no frame of this call caught.
    Exception(u32),
}

impl From<TrapKind> for Fault {
    #[inline]
    fn from(kind: TrapKind) -> Fault {
        Fault::Trap(kind)
    }
}

/// Calls `func` with `params`, writing `results` (types already checked by the caller).
pub(crate) fn invoke<T>(
    store: &mut Store<T>,
    func: Func,
    params: &[Val],
    results: &mut [Val],
) -> Result<()> {
    let nesting = NESTING.with(|n| n.get());
    if nesting >= MAX_HOST_NESTING {
        return Err(Trap::new(TrapKind::StackExhausted).into());
    }
    NESTING.with(|n| n.set(nesting + 1));
    let r = invoke_inner(store, func, params, results);
    NESTING.with(|n| n.set(nesting));
    r
}

/// Calls Wasm function `func`: `write` puts the arguments into the first stack cells and
/// `read` takes the results from them (for typed calls, which need no `Val`s).
pub(crate) fn invoke_with<T, R>(
    store: &mut Store<T>,
    func: Func,
    write: impl FnOnce(&mut [u64]) -> Result<()>,
    read: impl FnOnce(&[u64]) -> Result<R>,
) -> Result<R> {
    let nesting = NESTING.with(|n| n.get());
    if nesting >= MAX_HOST_NESTING {
        return Err(Trap::new(TrapKind::StackExhausted).into());
    }
    NESTING.with(|n| n.set(nesting + 1));
    let mut stack = take_stack(&mut store.inner);
    let r = write(&mut stack)
        .and_then(|()| run(store, &mut stack, func.0))
        .and_then(|()| read(&stack));
    store.inner.stack_cache.push(stack);
    NESTING.with(|n| n.set(nesting));
    r
}

fn invoke_inner<T>(
    store: &mut Store<T>,
    func: Func,
    params: &[Val],
    results: &mut [Val],
) -> Result<()> {
    match &store.inner.funcs[func.0 as usize] {
        FuncEntity::Host { host, .. } => {
            let f = store.host_funcs[*host as usize].clone();
            f(
                Caller {
                    store,
                    instance: None,
                },
                params,
                results,
            )
        }
        FuncEntity::Wasm { ty, .. } => {
            let ty = ty.clone();
            let mut stack = take_stack(&mut store.inner);
            let mut n = 0;
            for v in params {
                n += v.write_cells(stack.get_mut(n..).unwrap_or_default());
            }
            let r = run(store, &mut stack, func.0);
            if r.is_ok() {
                let mut n = 0;
                for (slot, ty) in results.iter_mut().zip(ty.results()) {
                    *slot = Val::read_cells(*ty, stack.get(n..).unwrap_or_default());
                    n += ty.cells();
                }
                store.inner.root_for_host(results);
            }
            store.inner.stack_cache.push(stack);
            r
        }
    }
}

/// A value stack from the store's pool (one per level of host -> Wasm nesting in use), or a
/// new one. A stack is allocated once at its full size, zeroed lazily by the allocator, so
/// frames never move while Wasm runs; it goes back to the pool when the call ends.
fn take_stack(inner: &mut StoreInner) -> Vec<u64> {
    // The extra `MAX_FRAME_SLOTS` cells let every frame be viewed as a full window.
    let cells = inner.engine.config().max_stack_cells + MAX_FRAME_SLOTS;
    match inner.stack_cache.pop() {
        Some(stack) if stack.len() == cells => stack,
        _ => vec![0; cells],
    }
}

/// The cells of the frame starting at `fp`, as a window of exactly `MAX_FRAME_SLOTS` cells,
/// so that indexing it with a [`Slot`](crate::translate::ir::Slot) needs no bounds check.
/// Frames start at or below `stack.len() - MAX_FRAME_SLOTS` (checked on every call).
#[inline(always)]
fn window(stack: &mut [u64], fp: usize) -> Result<&mut [u64; MAX_FRAME_SLOTS], Fault> {
    stack
        .get_mut(fp..fp + MAX_FRAME_SLOTS)
        .and_then(|w| w.try_into().ok())
        .ok_or_else(|| {
            Fault::Error(Error::Unsupported(
                "internal: frame outside the stack".into(),
            ))
        })
}

/// Zeroes cells `from..to` of the frame window `s`: a function's declared locals. Most
/// functions have a handful: up to four are cleared with four straight stores from
/// `from`, which costs neither a branch on the count nor a call to `memset`. The cells
/// past `to` that this also clears are the function's temporaries or free cells (its
/// frame is the top one), which nothing reads before writing.
#[inline(always)]
fn zero_locals(s: &mut [u64; MAX_FRAME_SLOTS], from: usize, to: usize) {
    if to.wrapping_sub(from) <= 4 && from + 4 <= MAX_FRAME_SLOTS {
        s[from..from + 4].fill(0);
    } else if let Some(cells) = s.get_mut(from..to) {
        cells.fill(0);
    }
}

/// The entry of store function `func` in `callees` (`None` for a host function),
/// translating the function and filling the entry on its first call.
#[cold]
#[inline(never)]
fn resolve_callee<'a>(
    funcs: &[FuncEntity],
    callees: &'a mut Vec<Option<Callee>>,
    func: u32,
) -> Result<Option<&'a Callee>, Error> {
    let FuncEntity::Wasm {
        module,
        def,
        instance,
        ..
    } = &funcs[func as usize]
    else {
        return Ok(None);
    };
    let code = module.compiled(*def)?;
    if callees.len() < funcs.len() {
        callees.resize_with(funcs.len(), || None);
    }
    let e = &mut callees[func as usize];
    Ok(Some(e.insert(Callee {
        code,
        instance: *instance,
    })))
}

/// The code of Wasm function `func`, translating it on first use.
#[inline(always)]
fn code_of(funcs: &[FuncEntity], func: u32) -> Result<(&CompiledFunc, u32), Error> {
    match &funcs[func as usize] {
        FuncEntity::Wasm {
            module,
            def,
            instance,
            ..
        } => Ok((module.compiled_ref(*def)?, *instance)),
        FuncEntity::Host { .. } => Err(Error::Unsupported(
            "internal: host function entered as Wasm".into(),
        )),
    }
}

fn backtrace(inner: &StoreInner, frames: &[Frame], current: u32) -> Vec<FrameInfo> {
    let info = |func: u32| match &inner.funcs[func as usize] {
        FuncEntity::Wasm { module, index, .. } => FrameInfo {
            func_index: *index,
            func_name: module.inner.func_names.get(index).cloned(),
            module_name: module.inner.name.clone(),
        },
        FuncEntity::Host { .. } => FrameInfo {
            func_index: func,
            func_name: Some("<host>".into()),
            module_name: None,
        },
    };
    core::iter::once(current)
        .chain(frames.iter().rev().map(|f| f.func))
        .map(info)
        .collect()
}

fn with_backtrace(err: Error, inner: &StoreInner, frames: &[Frame], current: u32) -> Error {
    match err {
        Error::Trap(t) if t.backtrace().is_empty() => Error::Trap(Trap::with_backtrace(
            t.kind(),
            backtrace(inner, frames, current),
        )),
        other => other,
    }
}

/// Runs Wasm function `entry` whose arguments are at the bottom of `stack`.
fn run<T>(store: &mut Store<T>, stack: &mut [u64], entry: u32) -> Result<()> {
    let mut frames: Vec<Frame> = Vec::new();
    let mut cur = {
        let (code, instance) = code_of(&store.inner.funcs, entry)?;
        if code.frame_size as usize + MAX_FRAME_SLOTS > stack.len() {
            return Err(TrapKind::StackExhausted.into());
        }
        stack[code.num_params as usize..code.num_locals as usize].fill(0);
        Frame {
            func: entry,
            instance,
            ip: code.code.as_ptr(),
            fp: 0,
        }
    };
    // Reused across host calls so a call does not allocate.
    let (mut params, mut results): (Vec<Val>, Vec<Val>) = (Vec::new(), Vec::new());
    // The embedder's host functions, held here so calling one needs no reference count.
    let mut impls = store.host_impls.clone();
    let id = store.inner.id;
    loop {
        match execute(&mut store.inner, stack, &mut frames, &mut cur) {
            Ok(Exit::Return) => return Ok(()),
            Ok(Exit::Resume) => {}
            Ok(Exit::Host { func, base }) => {
                let fp = cur.fp + base as usize;
                let FuncEntity::Host { ty, host, .. } = &store.inner.funcs[func as usize] else {
                    return Err(Error::Unsupported("internal: not a host function".into()));
                };
                let host = *host as usize;
                if host >= impls.len() {
                    impls = store.host_impls.clone();
                }
                let Some(f) = impls.get(host) else {
                    return Err(Error::StoreMismatch("func"));
                };
                // A typed closure of numbers runs on the frame's cells, reading its
                // arguments and writing its results in place: no `Val`s.
                let on_cells = f
                    .cells
                    .as_ref()
                    .map(|g| (g, ty.params().len().max(ty.results().len())));
                if on_cells.is_none() {
                    // References read from cells belong to this store (`Val::in_store`).
                    params.clear();
                    let mut n = fp;
                    for t in ty.params() {
                        let v = Val::read_cells(*t, stack.get(n..).unwrap_or_default());
                        n += t.cells();
                        params.push(v.in_store(id));
                    }
                    results.clear();
                    for t in ty.results() {
                        results.push(Val::default_for(*t));
                    }
                }
                let instance = Instance(instance_of(&store.inner, cur.func), id);
                // While the host runs, Wasm it calls may collect: this stack's frames are
                // roots meanwhile, and references given to the host stay alive. With no
                // GC object in the store there is nothing to root.
                let suspended = store.inner.gc.suspended_roots.len();
                if !store.inner.gc.is_empty() {
                    store.inner.root_for_host(&params);
                    let (code, _) = code_of(&store.inner.funcs, cur.func)?;
                    let top = (cur.fp + code.frame_size as usize).min(stack.len());
                    let live = stack[..top]
                        .iter()
                        .filter(|c| crate::gc::object_index(**c).is_some());
                    store.inner.gc.suspended_roots.extend(live);
                }
                let caller = Caller {
                    store: &mut *store,
                    instance: Some(instance),
                };
                let outcome = match on_cells {
                    Some((g, n)) => match stack.get_mut(fp..fp + n) {
                        Some(cells) => g(caller, cells),
                        None => Err(TrapKind::StackExhausted.into()),
                    },
                    None => (f.dynamic)(caller, &params, &mut results),
                };
                store.inner.gc.suspended_roots.truncate(suspended);
                if let Err(e) = outcome {
                    // A host function that fails with an exception of this store throws it
                    // into its Wasm caller (`cur`, waiting at the call).
                    if let Error::Exception(exn) = e {
                        if exn.1 == id {
                            let inner = &store.inner;
                            match exception::unwind(
                                &inner.funcs,
                                &inner.instances,
                                &inner.exns,
                                stack,
                                &mut frames,
                                &mut cur,
                                exn.0,
                            ) {
                                Ok(()) => continue,
                                Err(Fault::Exception(_)) => return Err(Error::Exception(exn)),
                                Err(Fault::Trap(kind)) => return Err(kind.into()),
                                Err(Fault::Error(e)) => return Err(e),
                            }
                        }
                    }
                    return Err(with_backtrace(e, &store.inner, &frames, cur.func));
                }
                if on_cells.is_some() {
                    continue;
                }
                let FuncEntity::Host { ty, .. } = &store.inner.funcs[func as usize] else {
                    return Err(Error::Unsupported("internal: not a host function".into()));
                };
                // Results of exactly the declared types are the common case; others may
                // still match by reference subtyping (which needs the store mutably).
                if results.iter().zip(ty.results()).any(|(v, t)| v.ty() != *t) {
                    let ty = ty.clone();
                    for (v, t) in results.iter().zip(ty.results()) {
                        if !store.inner.val_matches(v, *t) {
                            return Err(Error::TypeMismatch(format!(
                                "host function returned {} where {t} was expected",
                                v.ty()
                            )));
                        }
                    }
                }
                let FuncEntity::Host { ty, .. } = &store.inner.funcs[func as usize] else {
                    return Err(Error::Unsupported("internal: not a host function".into()));
                };
                let mut n = fp;
                for (v, t) in results.iter().zip(ty.results()) {
                    v.check_store(id)?;
                    match stack.get_mut(n..n + t.cells()) {
                        Some(cells) => n += v.write_cells(cells),
                        None => return Err(TrapKind::StackExhausted.into()),
                    }
                }
            }
            Err(Fault::Trap(kind)) => {
                return Err(Error::Trap(Trap::with_backtrace(
                    kind,
                    backtrace(&store.inner, &frames, cur.func),
                )));
            }
            Err(Fault::Error(e)) => return Err(with_backtrace(e, &store.inner, &frames, cur.func)),
            Err(Fault::Exception(exn)) => {
                return Err(Error::Exception(crate::ExnRef(exn, id)));
            }
        }
    }
}

fn instance_of(inner: &StoreInner, func: u32) -> u32 {
    match &inner.funcs[func as usize] {
        FuncEntity::Wasm { instance, .. } => *instance,
        FuncEntity::Host { .. } => 0,
    }
}

#[inline(always)]
fn f32_of(c: u64) -> f32 {
    f32::from_bits(c as u32)
}
#[inline(always)]
fn f64_of(c: u64) -> f64 {
    f64::from_bits(c)
}
#[inline(always)]
fn from_f32(x: f32) -> u64 {
    x.to_bits() as u64
}
#[inline(always)]
fn from_f64(x: f64) -> u64 {
    x.to_bits()
}

/// Effective address of a memory access: `addr + offset`, bounds-checked for `n` bytes
/// (spec §4.4.7 "Memory Instructions": the access traps unless all of it is in bounds).
#[inline(always)]
fn ea(mem: &[u8], addr: u64, offset: u32, n: usize) -> Result<usize, TrapKind> {
    let start = (addr as u32 as u64) + offset as u64;
    let start = usize::try_from(start).map_err(|_| TrapKind::MemoryOutOfBounds)?;
    match start.checked_add(n) {
        Some(end) if end <= mem.len() => Ok(start),
        _ => Err(TrapKind::MemoryOutOfBounds),
    }
}

#[inline(always)]
fn load<const N: usize>(mem: &[u8], addr: u64, offset: u32) -> Result<[u8; N], TrapKind> {
    let at = ea(mem, addr, offset, N)?;
    let mut bytes = [0u8; N];
    bytes.copy_from_slice(&mem[at..at + N]);
    Ok(bytes)
}

/// A `v128` load: the 16 bytes at `addr + offset` as two cells, low half first. Not
/// `load::<16>`: a `Result<[u8; 16], _>` is returned through memory, with the bytes at an
/// odd offset, and reading them back stalls on store forwarding.
#[inline(always)]
fn load_v128(mem: &[u8], addr: u64, offset: u32) -> Result<[u64; 2], TrapKind> {
    let at = ea(mem, addr, offset, 16)?;
    let (lo, hi) = mem[at..at + 16].split_at(8);
    let cell = |b: &[u8]| b.try_into().map_or(0, u64::from_le_bytes);
    Ok([cell(lo), cell(hi)])
}

#[inline(always)]
fn store_bytes<const N: usize>(
    mem: &mut [u8],
    addr: u64,
    offset: u32,
    bytes: [u8; N],
) -> Result<(), TrapKind> {
    let at = ea(mem, addr, offset, N)?;
    mem[at..at + N].copy_from_slice(&bytes);
    Ok(())
}

fn load_kind(mem: &[u8], kind: u8, addr: u64, offset: u32) -> Result<u64, TrapKind> {
    use crate::translate::ir::LoadKind as K;
    Ok(match kind {
        k if k == K::L32 as u8 => u32::from_le_bytes(load(mem, addr, offset)?) as u64,
        k if k == K::L64 as u8 => u64::from_le_bytes(load(mem, addr, offset)?),
        k if k == K::L8S as u8 => i8::from_le_bytes(load(mem, addr, offset)?) as i64 as u64,
        k if k == K::L8U as u8 => u8::from_le_bytes(load(mem, addr, offset)?) as u64,
        k if k == K::L16S as u8 => i16::from_le_bytes(load(mem, addr, offset)?) as i64 as u64,
        k if k == K::L16U as u8 => u16::from_le_bytes(load(mem, addr, offset)?) as u64,
        _ => i32::from_le_bytes(load(mem, addr, offset)?) as i64 as u64,
    })
}

fn store_kind(mem: &mut [u8], kind: u8, addr: u64, offset: u32, v: u64) -> Result<(), TrapKind> {
    use crate::translate::ir::StoreKind as K;
    match kind {
        k if k == K::S8 as u8 => store_bytes(mem, addr, offset, (v as u8).to_le_bytes()),
        k if k == K::S16 as u8 => store_bytes(mem, addr, offset, (v as u16).to_le_bytes()),
        k if k == K::S32 as u8 => store_bytes(mem, addr, offset, (v as u32).to_le_bytes()),
        _ => store_bytes(mem, addr, offset, v.to_le_bytes()),
    }
}

/// The bytes of store memory `i` (empty when the store has none: code that reaches memory
/// 0 exists only in instances that have one).
#[inline]
fn memory_data(memories: &mut [MemoryEntity], i: usize) -> &mut [u8] {
    match memories.get_mut(i) {
        Some(m) => &mut m.data[..],
        None => &mut [],
    }
}

/// `[start, start + len)` as a range within `size`, or `None` when out of bounds.
fn range(start: u64, len: u64, size: usize) -> Option<core::ops::Range<usize>> {
    let end = start.checked_add(len)?;
    if end > size as u64 {
        return None;
    }
    Some(start as usize..end as usize)
}

/// `p`, unchanged, through an empty piece of assembly, so the optimizer cannot tell how
/// it was computed (on other targets, plain `p`). `execute` steps its instruction pointer
/// through this: without it LLVM folds the step into every field access and keeps the
/// unstepped pointer alive beside the stepped one (one more register and a copy per
/// instruction; about 6% of the machine instructions of the benchmarks).
#[inline(always)]
fn opaque(p: *const Instr) -> *const Instr {
    #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
    {
        let mut p = p;
        // SAFETY: the assembly is empty (a comment naming the register): it reads and
        // writes no memory, leaves flags and the stack alone and the register that holds
        // `p` unchanged, so `p` comes out as it went in
        // (`tests::opaque_returns_its_argument`).
        // `nomem` is exact: the assembly never dereferences the pointer.
        #[allow(unsafe_code, clippy::pointers_in_nomem_asm_block)]
        unsafe {
            core::arch::asm!(
                "/* {0} */",
                inout(reg) p,
                options(pure, nomem, nostack, preserves_flags)
            );
        }
        p
    }
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    p
}

/// `s`, unchanged, through an empty piece of assembly that takes it in a register (on
/// other targets, plain `s`). `execute` passes its frame window through this at every
/// fetch: the window is then a fresh value in a register when each instruction starts,
/// and LLVM keeps it there through the hot arms instead of spilling it across the whole
/// loop, which it did as arms were added (one more load per operand).
#[inline(always)]
fn frame_in_register(s: &mut [u64; MAX_FRAME_SLOTS]) -> &mut [u64; MAX_FRAME_SLOTS] {
    #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
    {
        let mut p: *mut [u64; MAX_FRAME_SLOTS] = s;
        // SAFETY: as in `opaque`, the assembly is empty and leaves the register that
        // holds `p` unchanged, so `p` is `s`: a unique, live reference to the window,
        // which we give back with the same lifetime (`s` is not used after this)
        // (`tests::frame_in_register_returns_its_argument`).
        #[allow(unsafe_code, clippy::pointers_in_nomem_asm_block)]
        unsafe {
            core::arch::asm!(
                "/* {0} */",
                inout(reg) p,
                options(pure, nomem, nostack, preserves_flags)
            );
            &mut *p
        }
    }
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    s
}

/// Bytes of padding after the 64-byte boundary that put the dispatch block at the start
/// of a line with the current code (`benches/dispatch-layout.sh` prints where it is).
#[cfg(target_arch = "x86_64")]
const DISPATCH_PAD: usize = 32;

/// Aligns `execute`'s code to 64 bytes: an alignment directive raises the alignment of
/// the function's section (and pads here, once per entry, before the dispatch loop). The
/// block that fetches and dispatches every instruction is then at the same offset within
/// a 64-byte line in every binary that links Weft, set by `execute`'s own code rather
/// than by where the linker happens to put it. Where it straddled two lines, every
/// workload ran 30-50% slower (no-op padding; on other targets, nothing).
#[inline(always)]
fn align_dispatch() {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: the assembly is an alignment directive: it emits no-op padding, run once on
    // entry, and touches no register, memory, flags or stack.
    #[allow(unsafe_code)]
    unsafe {
        core::arch::asm!(
            ".p2align 6",
            ".nops {pad}",
            pad = const DISPATCH_PAD,
            options(nomem, nostack, preserves_flags)
        );
    }
}

/// `m0`, unchanged, through an empty piece of assembly that takes its address and length
/// in registers (on other targets, plain `m0`): as `frame_in_register`, for the cached
/// memory 0 that every `Load*`/`Store*` bounds-checks against and reads.
#[inline(always)]
fn memory_in_registers(m0: &mut [u8]) -> &mut [u8] {
    #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
    {
        let (mut p, mut len) = (m0.as_mut_ptr(), m0.len());
        // SAFETY: as in `opaque`, the assembly is empty and leaves both registers
        // unchanged, so `p` and `len` are those of `m0`, a unique, live slice, which we
        // rebuild with the same lifetime (`m0` is not used after this)
        // (`tests::memory_in_registers_returns_its_argument`).
        #[allow(unsafe_code, clippy::pointers_in_nomem_asm_block)]
        unsafe {
            core::arch::asm!(
                "/* {0} {1} */",
                inout(reg) p,
                inout(reg) len,
                options(pure, nomem, nostack, preserves_flags)
            );
            core::slice::from_raw_parts_mut(p, len)
        }
    }
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    m0
}

/// The dispatch loop. Wasm calls and returns stay inside it (the callers wait in
/// `frames`); it returns only when the entry function returns, to call a host function,
/// or on a trap.
#[allow(clippy::too_many_lines)]
fn execute(
    st: &mut StoreInner,
    stack: &mut [u64],
    frames: &mut Vec<Frame>,
    cur: &mut Frame,
) -> Result<Exit, Fault> {
    let StoreInner {
        funcs,
        callees,
        tables,
        memories,
        globals,
        instances,
        elems,
        datas,
        fuel,
        engine,
        exns,
        gc: heap,
        types,
        ..
    } = st;
    let max_depth = engine.config().max_call_depth;
    // Frames must end within the first `max_cells` cells (see `window`).
    let max_cells = stack.len().saturating_sub(MAX_FRAME_SLOTS);
    let mut instance = cur.instance;
    let mut inst = &instances[instance as usize];
    let mut mem0 = inst.memories.first().copied().unwrap_or(0) as usize;
    // Memory 0 of the running instance, cached: the `Load*`/`Store*` fast path. Refreshed
    // wherever memories may change (memory instructions, switching instances).
    let mut m0: &mut [u8] = memory_data(memories, mem0);
    let mut fp = cur.fp;
    // The running instruction. A raw pointer so that fetching is one load (see the
    // SAFETY argument at the fetch). While an instruction runs, `ip` points at it (or at
    // the last `Data` operand it has read), and the loop steps past it before the next
    // fetch, so the fields and the fetch are addressed from one register. So an arm
    // that transfers control sets `ip` to one before the next instruction: a branch
    // target is relative to the instruction after the branch
    // (`ir::make_targets_relative`), which is `ip + target` after the step. `cur.ip` and
    // the frames' saved `ip`s are the next instruction to run. `wrapping_*` arithmetic
    // may leave the code (one before its first instruction) as long as the pointer is
    // back inside when it is read.
    let mut ip: *const Instr = cur.ip.wrapping_sub(1);
    macro_rules! jump {
        ($t:expr) => {
            ip = ip.wrapping_offset($t as i32 as isize)
        };
    }
    // The `Data` operand that follows the current instruction.
    macro_rules! data {
        () => {{
            // SAFETY: `ir::check_code` verified that every instruction that takes a
            // trailing `Data` is followed by one, and `ip` points at the current
            // instruction or the `Data` before this one (see the fetch).
            ip = ip.wrapping_add(1);
            #[allow(unsafe_code)]
            let next = unsafe { *ip };
            match next {
                Instr::Data(x) => x,
                _ => return Err(Fault::Error(Error::Unsupported("internal: data".into()))),
            }
        }};
    }
    let mut s = window(stack, fp)?;

    // The `callees` entry of store function `$callee` (`None` for a host function),
    // resolving it on the function's first call.
    macro_rules! callee_entry {
        ($callee:expr) => {
            match callees.get($callee as usize) {
                Some(Some(e)) => Some(e),
                _ => resolve_callee(funcs, callees, $callee).map_err(Fault::Error)?,
            }
        };
    }

    // Enters Wasm function `$callee` (a store function index) whose frame starts at slot
    // `$base`, or leaves to `run` when it is a host function.
    macro_rules! call {
        ($callee:expr, $base:expr, $resume:expr) => {{
            let callee: u32 = $callee;
            let base = $base as usize;
            let resume: *const Instr = $resume;
            match callee_entry!(callee) {
                Some(Callee {
                    code: c,
                    instance: callee_instance,
                }) => {
                    let new_fp = fp + base;
                    if frames.len() >= max_depth || new_fp + c.frame_size as usize > max_cells {
                        return Err(TrapKind::StackExhausted.into());
                    }
                    frames.push(Frame {
                        func: cur.func,
                        instance,
                        ip: resume,
                        fp,
                    });
                    cur.func = callee;
                    fp = new_fp;
                    s = window(stack, fp)?;
                    zero_locals(s, c.num_params as usize, c.num_locals as usize);
                    ip = c.code.as_ptr().wrapping_sub(1);
                    if *callee_instance != instance {
                        instance = *callee_instance;
                        inst = &instances[instance as usize];
                        mem0 = inst.memories.first().copied().unwrap_or(0) as usize;
                        m0 = memory_data(memories, mem0);
                    }
                }
                None => {
                    cur.ip = resume;
                    cur.fp = fp;
                    cur.instance = instance;
                    return Ok(Exit::Host {
                        func: callee,
                        base: base as u32,
                    });
                }
            }
        }};
    }

    // Replaces the running function by `$callee` (`return_call`): a Wasm callee gets the
    // current frame, its arguments moved down from slot `$base` to slot 0, and returns
    // where the running function would have, so tail calls need no frame and no stack.
    // A host callee is called as by `call!`, resuming at the `Return` of its results that
    // follows the tail call (see the translator).
    macro_rules! tail_call {
        ($callee:expr, $base:expr) => {{
            let callee: u32 = $callee;
            let base = $base as usize;
            match callee_entry!(callee) {
                Some(Callee {
                    code: c,
                    instance: callee_instance,
                }) => {
                    if fp + c.frame_size as usize > max_cells {
                        return Err(TrapKind::StackExhausted.into());
                    }
                    let n = c.num_params as usize;
                    s.copy_within(base..base + n, 0);
                    cur.func = callee;
                    zero_locals(s, n, c.num_locals as usize);
                    ip = c.code.as_ptr().wrapping_sub(1);
                    if *callee_instance != instance {
                        instance = *callee_instance;
                        inst = &instances[instance as usize];
                        mem0 = inst.memories.first().copied().unwrap_or(0) as usize;
                        m0 = memory_data(memories, mem0);
                    }
                }
                None => {
                    cur.ip = ip.wrapping_add(1);
                    cur.fp = fp;
                    cur.instance = instance;
                    return Ok(Exit::Host {
                        func: callee,
                        base: base as u32,
                    });
                }
            }
        }};
    }

    macro_rules! un {
        ($dst:expr, $src:expr, |$x:ident| $e:expr) => {{
            let $x = s[$src as usize];
            s[$dst as usize] = $e;
        }};
    }
    macro_rules! bin {
        ($dst:expr, $l:expr, $r:expr, |$a:ident, $b:ident| $e:expr) => {{
            let $a = s[$l as usize];
            let $b = s[$r as usize];
            s[$dst as usize] = $e;
        }};
    }
    // For a pair head (`fuse::pair_with_next`), after its own work: steps to the
    // instruction after it, which the head runs too, and binds that one's fields.
    macro_rules! then {
        ($pat:pat) => {
            ip = ip.wrapping_add(1);
            // SAFETY: `ir::check_code` verified that every pair head is followed by the
            // kind of instruction it pairs with, and `ip` pointed at the head, so it now
            // points at that instruction (whose targets are checked relative to itself,
            // as `jump!` takes them from here).
            #[allow(unsafe_code)]
            let next = unsafe { *ip };
            let $pat = next else {
                return Err(Fault::Error(Error::Unsupported(
                    "internal: instruction pair".into(),
                )));
            };
        };
    }
    // `br_table`: the entries are `Br`s (see the translator) right after the `BrTable`
    // at `ip`; jumps straight to the chosen entry's target.
    macro_rules! br_table {
        ($index:expr, $len:expr) => {{
            let i = (s[$index as usize] as u32).min($len) as usize;
            // SAFETY: `ir::check_code` verified that `len + 1` `Br` entries follow the
            // `BrTable`, and `i <= len`, so `ip + i + 1` is one of them.
            #[allow(unsafe_code)]
            let entry = unsafe { &*ip.wrapping_add(i + 1) };
            match *entry {
                I::Br(t) => ip = ip.wrapping_add(i + 1).wrapping_offset(t as i32 as isize),
                _ => {
                    return Err(Fault::Error(Error::Unsupported(
                        "internal: br_table".into(),
                    )))
                }
            }
        }};
    }
    macro_rules! imm {
        ($dst:expr, $l:expr, $i:expr, |$a:ident, $b:ident| $e:expr) => {{
            let $a = s[$l as usize];
            let $b = $i;
            s[$dst as usize] = $e;
        }};
    }
    macro_rules! br_if {
        ($l:expr, $r:expr, $t:expr, |$a:ident, $b:ident| $cond:expr) => {{
            let $a = s[$l as usize];
            let $b = s[$r as usize];
            if $cond {
                jump!($t);
            }
        }};
    }
    // `dst = lhs + imm` (i32), then branch if `$cond` holds of the sum.
    macro_rules! add_imm_br {
        ($dst:expr, $lhs:expr, $imm:expr, $t:expr, |$sum:ident| $cond:expr) => {{
            let $sum = (s[$lhs as usize] as u32).wrapping_add($imm as i32 as u32);
            s[$dst as usize] = $sum as u64;
            if $cond {
                jump!($t);
            }
        }};
    }
    // `slot += imm` in place (`i32`, or `i64` when `wide`), then branch if `$cond` holds
    // of the sum and `rhs` (read after the add).
    macro_rules! add_imm_cmp_br {
        ($slot:expr, $imm:expr, $rhs:expr, $t:expr, |$x:ident, $y:ident| $cond:expr) => {{
            let sum = (s[$slot as usize] as u32).wrapping_add($imm as i32 as u32);
            s[$slot as usize] = sum as u64;
            let ($x, $y) = (sum as u64, s[$rhs as usize]);
            if $cond {
                jump!($t);
            }
        }};
        (wide $slot:expr, $imm:expr, $rhs:expr, $t:expr, |$x:ident, $y:ident| $cond:expr) => {{
            let sum = s[$slot as usize].wrapping_add($imm as i64 as u64);
            s[$slot as usize] = sum;
            let ($x, $y) = (sum, s[$rhs as usize]);
            if $cond {
                jump!($t);
            }
        }};
    }
    macro_rules! br_if_imm {
        ($l:expr, $imm:expr, $t:expr, |$a:ident, $i:ident| $cond:expr) => {{
            let $a = s[$l as usize];
            let $i = $imm;
            if $cond {
                jump!($t);
            }
        }};
    }
    macro_rules! ldm {
        ($dst:expr, $addr:expr, $off:expr, $n:literal, |$b:ident| $e:expr) => {{
            let $b: [u8; $n] = load(m0, s[$addr as usize], $off)?;
            s[$dst as usize] = $e;
        }};
    }
    // A load from `base + imm + (index << shift)` (wrapping, as `I32AddImmShl`), then
    // `offset`.
    macro_rules! ld_shl {
        ($dst:expr, $base:expr, $imm:expr, $index:expr, $shift:expr, $off:expr, $n:literal, |$b:ident| $e:expr) => {{
            let i = (s[$index as usize] as u32).wrapping_shl($shift as u32);
            let base = (s[$base as usize] as u32).wrapping_add($imm as i32 as u32);
            let $b: [u8; $n] = load(m0, base.wrapping_add(i) as u64, $off as u32)?;
            s[$dst as usize] = $e;
        }};
    }
    // `tee = addr`, then a `Load8U` from `addr + offset` into `dst`.
    macro_rules! ld8u_tee {
        ($dst:expr, $tee:expr, $addr:expr, $off:expr) => {{
            let addr: u32 = $addr;
            s[$tee as usize] = addr as u64;
            let b: [u8; 1] = load(m0, addr as u64, $off as u32)?;
            s[$dst as usize] = b[0] as u64;
        }};
    }
    // A load from `lhs + imm` (wrapping, as `I32AddImm`), then `offset`.
    macro_rules! ld_add_imm {
        ($dst:expr, $lhs:expr, $imm:expr, $off:expr, $n:literal, |$b:ident| $e:expr) => {{
            let addr = (s[$lhs as usize] as u32).wrapping_add($imm as u32);
            let $b: [u8; $n] = load(m0, addr as u64, $off as u32)?;
            s[$dst as usize] = $e;
        }};
    }
    macro_rules! stm {
        ($addr:expr, $src:expr, $off:expr, |$v:ident| $e:expr) => {{
            let $v = s[$src as usize];
            store_bytes(m0, s[$addr as usize], $off, $e)?;
        }};
    }

    // The work of the instruction kinds that pair heads (`fuse::pair_with_next`) run,
    // shared by each kind's own arm and the heads that run it.
    macro_rules! step {
        (Const32 { $dst:ident, $value:ident }) => {
            { s[$dst as usize] = $value as u64 }
        };
        (Load32 { $dst:ident, $addr:ident, $offset:ident }) => {
            ldm!($dst, $addr, $offset, 4, |b| u32::from_le_bytes(b) as u64)
        };
        (Store8ImmAdd { $lhs:ident, $rhs:ident, $value:ident, $offset:ident }) => {
            { let addr = (s[$lhs as usize] as u32).wrapping_add(s[$rhs as usize] as u32); store_bytes(m0, addr as u64, $offset, [$value as u8])? }
        };
        (V128LoadAddImm { $dst:ident, $lhs:ident, $offset:ident, $imm:ident }) => {
            { let addr = (s[$lhs as usize] as u32).wrapping_add($imm as u32); let cells = load_v128(m0, addr as u64, $offset as u32)?; simd::set_cells(s, $dst, cells); }
        };
        (Simd { $op:ident, $dst:ident, $a:ident, $b:ident, $c:ident }) => {
            simd::simd($op, s, $dst, $a, $b, $c)
        };
        (I64Add { $dst:ident, $lhs:ident, $rhs:ident }) => {
            bin!($dst, $lhs, $rhs, |a, b| a.wrapping_add(b))
        };
        (I64MulImm { $dst:ident, $lhs:ident, $imm:ident }) => {
            imm!($dst, $lhs, $imm, |a, i| a.wrapping_mul(i as i64 as u64))
        };
        (BrIfI32NeImm { $lhs:ident, $imm:ident, $target:ident }) => {
            br_if_imm!($lhs, $imm, $target, |a, i| (a as u32) != (i as u32))
        };
        (Load8UAddImm { $dst:ident, $lhs:ident, $offset:ident, $imm:ident }) => {
            ld_add_imm!($dst, $lhs, $imm, $offset, 1, |b| b[0] as u64)
        };
        (Load8UAddTee { $dst:ident, $tee:ident, $lhs:ident, $rhs:ident, $offset:ident }) => {
            { let addr = (s[$lhs as usize] as u32).wrapping_add(s[$rhs as usize] as u32); ld8u_tee!($dst, $tee, addr, $offset) }
        };
        (I32AddImmBrNez { $dst:ident, $lhs:ident, $imm:ident, $target:ident }) => {
            add_imm_br!($dst, $lhs, $imm, $target, |sum| sum != 0)
        };
        (I32AddImmThenBrIfI32LtU { $dst:ident, $lhs:ident, $imm:ident }) => {
            pair!(I32AddImm { $dst, $lhs, $imm } then BrIfI32LtU { lhs, rhs, target })
        };
        (Load64AddImmShlThenStore64 { $dst:ident, $base:ident, $index:ident, $shift:ident, $imm:ident }) => {
            pair!(Load64AddImmShl { $dst, $base, $index, $shift, $imm } then Store64 { addr, src, offset })
        };
        (I32Rotl2Xor { $dst:ident, $x:ident, $y:ident, $kx:ident, $ky:ident }) => {{
            let rx = (s[$x as usize] as u32).rotate_left($kx as u32);
            let ry = (s[$y as usize] as u32).rotate_left($ky as u32);
            s[$dst as usize] = (rx ^ ry) as u64;
        }};
        (I32XorRotlImm { $dst:ident, $lhs:ident, $src:ident, $imm:ident }) => {{
            let r = (s[$src as usize] as u32).rotate_left($imm as u32);
            s[$dst as usize] = (s[$lhs as usize] as u32 ^ r) as u64;
        }};
        (I32AddXor { $dst:ident, $lhs:ident, $a:ident, $b:ident }) => {{
            let x = (s[$a as usize] ^ s[$b as usize]) as u32;
            s[$dst as usize] = (s[$lhs as usize] as u32).wrapping_add(x) as u64;
        }};
        (I32And { $dst:ident, $lhs:ident, $rhs:ident }) => {
            bin!($dst, $lhs, $rhs, |a, b| a & b)
        };
        (I32Xor { $dst:ident, $lhs:ident, $rhs:ident }) => {
            bin!($dst, $lhs, $rhs, |a, b| a ^ b)
        };
        (I32ShrUImm { $dst:ident, $lhs:ident, $imm:ident }) => {
            imm!($dst, $lhs, $imm, |a, i| (a as u32).wrapping_shr(i as u32)
                as u64)
        };
        (I32AddImm { $dst:ident, $lhs:ident, $imm:ident }) => {
            imm!($dst, $lhs, $imm, |a, i| (a as u32).wrapping_add(i as u32)
                as u64)
        };
        (I32AddImmShl { $dst:ident, $lhs:ident, $index:ident, $shift:ident, $imm:ident }) => {{
            let i = (s[$index as usize] as u32).wrapping_shl($shift as u32);
            let base = (s[$lhs as usize] as u32).wrapping_add($imm as i32 as u32);
            s[$dst as usize] = base.wrapping_add(i) as u64;
        }};
        (Load64AddImmShl { $dst:ident, $base:ident, $index:ident, $shift:ident, $imm:ident }) => {
            ld_shl!($dst, $base, $imm, $index, $shift, 0, 8, |b| {
                u64::from_le_bytes(b)
            })
        };
        (Store64 { $addr:ident, $src:ident, $offset:ident }) => {
            stm!($addr, $src, $offset, |v| v.to_le_bytes())
        };
        (Load8U { $dst:ident, $addr:ident, $offset:ident }) => {
            ldm!($dst, $addr, $offset, 1, |b| b[0] as u64)
        };
        (I32AndImm { $dst:ident, $lhs:ident, $imm:ident }) => {
            imm!($dst, $lhs, $imm, |a, i| a & i as u32 as u64)
        };
        (I32Add { $dst:ident, $lhs:ident, $rhs:ident }) => {
            bin!($dst, $lhs, $rhs, |a, b| (a as u32).wrapping_add(b as u32)
                as u64)
        };
        (Load16UShl { $dst:ident, $base:ident, $index:ident, $shift:ident, $offset:ident }) => {
            ld_shl!(
                $dst,
                $base,
                0,
                $index,
                $shift,
                $offset,
                2,
                |b| u16::from_le_bytes(b) as u64
            )
        };
        (I32Sub { $dst:ident, $lhs:ident, $rhs:ident }) => {
            bin!($dst, $lhs, $rhs, |a, b| (a as u32).wrapping_sub(b as u32)
                as u64)
        };
        (I64Or { $dst:ident, $lhs:ident, $rhs:ident }) => {
            bin!($dst, $lhs, $rhs, |a, b| a | b)
        };
        (I64ShlImm { $dst:ident, $lhs:ident, $imm:ident }) => {
            imm!($dst, $lhs, $imm, |a, i| a.wrapping_shl(i as u32))
        };
        (I64Xor { $dst:ident, $lhs:ident, $rhs:ident }) => {
            bin!($dst, $lhs, $rhs, |a, b| a ^ b)
        };
        (Copy { $dst:ident, $src:ident }) => {{
            s[$dst as usize] = s[$src as usize]
        }};
        (Load8UShlTee { $dst:ident, $tee:ident, $base:ident, $index:ident, $shift:ident, $offset:ident }) => {{
            let i = (s[$index as usize] as u32).wrapping_shl($shift as u32);
            ld8u_tee!(
                $dst,
                $tee,
                (s[$base as usize] as u32).wrapping_add(i),
                $offset
            )
        }};
        (BrIfI32LtU { $lhs:ident, $rhs:ident, $target:ident }) => {
            br_if!($lhs, $rhs, $target, |a, b| (a as u32) < (b as u32))
        };
        (BrIfI32LtUImm { $lhs:ident, $imm:ident, $target:ident }) => {
            br_if_imm!($lhs, $imm, $target, |a, i| (a as u32) < (i as u32))
        };
        (BrIfI32GeUImm { $lhs:ident, $imm:ident, $target:ident }) => {
            br_if_imm!($lhs, $imm, $target, |a, i| (a as u32) >= (i as u32))
        };
        (Store32 { $addr:ident, $src:ident, $offset:ident }) => {
            stm!($addr, $src, $offset, |v| (v as u32).to_le_bytes())
        };
        (GlobalSet { $global:ident, $src:ident }) => {{
            globals[inst.globals[$global as usize] as usize].value = s[$src as usize]
        }};
        (Load64 { $dst:ident, $addr:ident, $offset:ident }) => {
            ldm!($dst, $addr, $offset, 8, |b| u64::from_le_bytes(b))
        };
        (BrIfEqz { $cond:ident, $target:ident }) => {{
            if s[$cond as usize] as u32 == 0 {
                jump!($target);
            }
        }};
        (Load16UAddImm { $dst:ident, $lhs:ident, $offset:ident, $imm:ident }) => {
            ld_add_imm!($dst, $lhs, $imm, $offset, 2, |b| u16::from_le_bytes(b)
                as u64)
        };
        (BrIfI32GtU { $lhs:ident, $rhs:ident, $target:ident }) => {
            br_if!($lhs, $rhs, $target, |a, b| (a as u32) > (b as u32))
        };
        (Store8 { $addr:ident, $src:ident, $offset:ident }) => {
            stm!($addr, $src, $offset, |v| (v as u8).to_le_bytes())
        };
        (BrIfI32Ne { $lhs:ident, $rhs:ident, $target:ident }) => {
            br_if!($lhs, $rhs, $target, |a, b| a as u32 != b as u32)
        };
        (BrTable { $index:ident, $len:ident }) => {
            br_table!($index, $len)
        };
        (BrIfI32GeU { $lhs:ident, $rhs:ident, $target:ident }) => {
            br_if!($lhs, $rhs, $target, |a, b| (a as u32) >= (b as u32))
        };
        (Br($t:ident)) => {
            jump!($t)
        };
    }
    // A pair head: `first`'s work, then that of the instruction after it (which must be
    // a `second`: `ir::check_code`), in one dispatch.
    // The pattern of a field of a pair's second instruction: bound, or ignored where it
    // is taken from the first (`g = h`).
    macro_rules! field_pat {
        ($g:ident) => {
            $g
        };
        ($g:ident = $h:ident) => {
            _
        };
    }
    macro_rules! pair {
        ($a:ident { $($f:ident),* } then $b:ident { $($g:ident $(= $h:ident)?),* }) => {{
            step!($a { $($f),* });
            // A field `g = h` of the second is the first's field `h` (the pair was only
            // made where they are equal, see `pair_heads!`): read as the first's, its slot
            // is the one just written, and LLVM hands the value over in a register.
            $($(let $g = $h;)?)*
            then!(I::$b { $($g: field_pat!($g $(= $h)?)),* });
            step!($b { $($g),* })
        }};
        ($a:ident { $($f:ident),* } then Br($t:ident)) => {{
            step!($a { $($f),* });
            then!(I::Br($t));
            jump!($t)
        }};
    }
    align_dispatch();
    loop {
        // Step to the instruction to run: past the previous one (or its last `Data`), or
        // from one before a transfer's target to it (see `jump!`).
        // Opaque so that LLVM addresses the fields from the stepped pointer (left to
        // itself, it keeps the previous one alive too and costs a copy per dispatch).
        ip = opaque(ip.wrapping_add(1));
        s = frame_in_register(s);
        m0 = memory_in_registers(m0);
        // SAFETY: `ip` points at an instruction of the running function's code. That code
        // is alive and unmoved: it is set once in its module's `OnceLock` (`callees` only
        // holds further references to it), and the module is kept alive by the store's
        // functions, which `funcs` borrows for all of `execute`. The code passed `ir::check_code` when it was translated
        // (`translate::translate` refuses code that does not): its last instruction is a
        // `Return`, `Br` or `Unreachable`, every branch target lands inside it, every
        // `br_table` is followed by its entries and every instruction that takes a `Data`
        // operand by that `Data`. After the step, `ip` is only ever the first instruction
        // of a function (code is never empty), a branch target (`jump!`, relative to the
        // instruction after the branch, as `check_code` checked it), the instruction
        // after the previous one or its last `Data` (not past the end, since the last
        // instruction never falls through), the target of a `br_table` entry, the
        // landing pad of a `try_table` handler (`exception::unwind`; `translate` refuses
        // code whose pads are not inside it), or a saved return point: the `ip` of a
        // caller just past its call instruction (and its `Data`), which is likewise not
        // the last instruction. Tests:
        // `ir::tests::check_code_rejects_what_the_executor_cannot_run`; the spec suite
        // translates and runs every function through this path.
        #[allow(unsafe_code)]
        let instr = unsafe { &*ip };
        use Instr as I;
        match *instr {
            I::Unreachable => return Err(TrapKind::Unreachable.into()),
            I::ConsumeFuel(n) => {
                let n = n as u64;
                if *fuel < n {
                    *fuel = 0;
                    return Err(TrapKind::OutOfFuel.into());
                }
                *fuel -= n;
            }
            I::Br(t) => jump!(t),
            I::BrIfNez { cond, target } => {
                if s[cond as usize] as u32 != 0 {
                    jump!(target);
                }
            }
            I::BrIfEqz { cond, target } => step!(BrIfEqz { cond, target }),
            I::BrIfI32Eq { lhs, rhs, target } => {
                br_if!(lhs, rhs, target, |a, b| a as u32 == b as u32)
            }
            I::BrIfI32Ne { lhs, rhs, target } => step!(BrIfI32Ne { lhs, rhs, target }),
            I::BrIfI32LtS { lhs, rhs, target } => {
                br_if!(lhs, rhs, target, |a, b| (a as i32) < (b as i32))
            }
            I::I32AddImmBrNez {
                dst,
                lhs,
                imm,
                target,
            } => step!(I32AddImmBrNez {
                dst,
                lhs,
                imm,
                target
            }),
            I::I32AddImmBrEqz {
                dst,
                lhs,
                imm,
                target,
            } => add_imm_br!(dst, lhs, imm, target, |sum| sum == 0),
            I::I32AddImmBrNe {
                slot,
                imm,
                rhs,
                target,
            } => add_imm_cmp_br!(slot, imm, rhs, target, |x, y| x as u32 != y as u32),
            I::I32AddImmBrEq {
                slot,
                imm,
                rhs,
                target,
            } => add_imm_cmp_br!(slot, imm, rhs, target, |x, y| x as u32 == y as u32),
            I::I32AddImmBrLtU {
                slot,
                imm,
                rhs,
                target,
            } => add_imm_cmp_br!(slot, imm, rhs, target, |x, y| (x as u32) < y as u32),
            I::I32AddImmBrGeU {
                slot,
                imm,
                rhs,
                target,
            } => add_imm_cmp_br!(slot, imm, rhs, target, |x, y| x as u32 >= y as u32),
            I::I64AddImmBrNe {
                slot,
                imm,
                rhs,
                target,
            } => add_imm_cmp_br!(wide slot, imm, rhs, target, |x, y| x != y),
            I::I64AddImmBrEq {
                slot,
                imm,
                rhs,
                target,
            } => add_imm_cmp_br!(wide slot, imm, rhs, target, |x, y| x == y),
            I::BrIfI32AddLtU {
                lhs,
                rhs,
                bound,
                target,
            } => {
                let sum = (s[lhs as usize] as u32).wrapping_add(s[rhs as usize] as u32);
                if sum < s[bound as usize] as u32 {
                    jump!(target);
                }
            }
            I::BrIfI32LtU { lhs, rhs, target } => step!(BrIfI32LtU { lhs, rhs, target }),
            I::BrIfI32GtS { lhs, rhs, target } => {
                br_if!(lhs, rhs, target, |a, b| (a as i32) > (b as i32))
            }
            I::BrIfI32GtU { lhs, rhs, target } => step!(BrIfI32GtU { lhs, rhs, target }),
            I::BrIfI32LeS { lhs, rhs, target } => {
                br_if!(lhs, rhs, target, |a, b| (a as i32) <= (b as i32))
            }
            I::BrIfI32LeU { lhs, rhs, target } => {
                br_if!(lhs, rhs, target, |a, b| (a as u32) <= (b as u32))
            }
            I::BrIfI32GeS { lhs, rhs, target } => {
                br_if!(lhs, rhs, target, |a, b| (a as i32) >= (b as i32))
            }
            I::BrIfI32GeU { lhs, rhs, target } => step!(BrIfI32GeU { lhs, rhs, target }),
            I::BrIfI32GeUThenBrIfI32GeU { lhs, rhs, target } => {
                if s[lhs as usize] as u32 >= s[rhs as usize] as u32 {
                    jump!(target);
                } else {
                    pair!(BrIfI32GeU { lhs, rhs, target } then BrIfI32GeU { lhs, rhs, target })
                }
            }
            I::I32AddImmThenBrIfI32LtU { dst, lhs, imm } => {
                pair!(I32AddImm { dst, lhs, imm } then BrIfI32LtU { lhs, rhs, target })
            }
            I::I32AddImmThenI32AddImm { dst, lhs, imm } => {
                pair!(I32AddImm { dst, lhs, imm } then I32AddImm { dst, lhs, imm })
            }
            I::I32AddImmThenBrIfI32LtUImm { dst, lhs, imm } => {
                pair!(I32AddImm { dst, lhs, imm } then BrIfI32LtUImm { lhs = dst, imm, target })
            }
            I::I32AddImmThenBrIfI32GeUImm { dst, lhs, imm } => {
                pair!(I32AddImm { dst, lhs, imm } then BrIfI32GeUImm { lhs = dst, imm, target })
            }
            I::I32AddImmThenStore32 { dst, lhs, imm } => {
                pair!(I32AddImm { dst, lhs, imm } then Store32 { addr, src, offset })
            }
            I::I32AddImmThenGlobalSet { dst, lhs, imm } => {
                pair!(I32AddImm { dst, lhs, imm } then GlobalSet { global, src = dst })
            }
            I::CopyThenCopy { dst, src } => pair!(Copy { dst, src } then Copy { dst, src }),
            I::CopyThenBrIfI32Ne { dst, src } => {
                pair!(Copy { dst, src } then BrIfI32Ne { lhs, rhs, target })
            }
            I::Load8UShlTeeThenBrTable {
                dst,
                tee,
                base,
                index,
                shift,
                offset,
            } => {
                pair!(Load8UShlTee { dst, tee, base, index, shift, offset } then BrTable { index = dst, len })
            }
            I::I32AddImmShlThenLoad64AddImmShl {
                dst,
                lhs,
                index,
                shift,
                imm,
            } => {
                pair!(I32AddImmShl { dst, lhs, index, shift, imm } then Load64AddImmShl { dst, base, index, shift, imm })
            }
            I::I32AddImmShlThenLoad64 {
                dst,
                lhs,
                index,
                shift,
                imm,
            } => {
                pair!(I32AddImmShl { dst, lhs, index, shift, imm } then Load64 { dst, addr = dst, offset })
            }
            I::Load64AddImmShlThenStore64 {
                dst,
                base,
                index,
                shift,
                imm,
            } => {
                pair!(Load64AddImmShl { dst, base, index, shift, imm } then Store64 { addr, src, offset })
            }
            I::Store64ThenBr { addr, src, offset } => {
                pair!(Store64 { addr, src, offset } then Br(target))
            }
            I::Load8UThenBrIfI32LtUImm { dst, addr, offset } => {
                pair!(Load8U { dst, addr, offset } then BrIfI32LtUImm { lhs = dst, imm, target })
            }
            I::Load8UThenBrIfEqz { dst, addr, offset } => {
                pair!(Load8U { dst, addr, offset } then BrIfEqz { cond, target })
            }
            I::I32AndImmThenI32Add { dst, lhs, imm } => {
                pair!(I32AndImm { dst, lhs, imm } then I32Add { dst, lhs, rhs })
            }
            I::I32AddThenLoad16UAddImm { dst, lhs, rhs } => {
                pair!(I32Add { dst, lhs, rhs } then Load16UAddImm { dst, lhs = dst, offset, imm })
            }
            I::Load16UShlThenBrIfEqz {
                dst,
                base,
                index,
                shift,
                offset,
            } => {
                pair!(Load16UShl { dst, base, index, shift, offset } then BrIfEqz { cond = dst, target })
            }
            I::I32SubThenI32AndImm { dst, lhs, rhs } => {
                pair!(I32Sub { dst, lhs, rhs } then I32AndImm { dst, lhs = dst, imm })
            }
            I::I32AndImmThenBrIfI32GtU { dst, lhs, imm } => {
                pair!(I32AndImm { dst, lhs, imm } then BrIfI32GtU { lhs, rhs, target })
            }
            I::I64OrThenStore64 { dst, lhs, rhs } => {
                pair!(I64Or { dst, lhs, rhs } then Store64 { addr, src = dst, offset })
            }
            I::I64ShlImmThenI64Xor { dst, lhs, imm } => {
                pair!(I64ShlImm { dst, lhs, imm } then I64Xor { dst, lhs, rhs })
            }
            I::I64XorThenStore8 { dst, lhs, rhs } => {
                pair!(I64Xor { dst, lhs, rhs } then Store8 { addr, src = dst, offset })
            }
            I::I32Rotl2XorThenI32XorRotlImm { dst, x, y, kx, ky } => {
                pair!(I32Rotl2Xor { dst, x, y, kx, ky } then I32XorRotlImm { dst, lhs = dst, src, imm })
            }
            I::I32XorThenI32And { dst, lhs, rhs } => {
                pair!(I32Xor { dst, lhs, rhs } then I32And { dst, lhs, rhs = dst })
            }
            I::I32AndThenI32AddXor { dst, lhs, rhs } => {
                pair!(I32And { dst, lhs, rhs } then I32AddXor { dst, lhs, a = dst, b })
            }
            I::I32AddThenI32Rotl2Xor { dst, lhs, rhs } => {
                pair!(I32Add { dst, lhs, rhs } then I32Rotl2Xor { dst, x, y, kx, ky })
            }
            I::I32AddXorThenI32Rotl2Xor { dst, lhs, a, b } => {
                pair!(I32AddXor { dst, lhs, a, b } then I32Rotl2Xor { dst, x, y, kx, ky })
            }
            I::I32ShrUImmThenI32AddXor { dst, lhs, imm } => {
                pair!(I32ShrUImm { dst, lhs, imm } then I32AddXor { dst, lhs, a, b = dst })
            }
            I::I32AddXorThenI32Add { dst, lhs, a, b } => {
                pair!(I32AddXor { dst, lhs, a, b } then I32Add { dst, lhs, rhs })
            }
            I::I32AddThenI32Add { dst, lhs, rhs } => {
                pair!(I32Add { dst, lhs, rhs } then I32Add { dst, lhs, rhs })
            }
            I::I32AddImmThenBrIfI32NeImm { dst, lhs, imm } => {
                pair!(I32AddImm { dst, lhs, imm } then BrIfI32NeImm { lhs = dst, imm, target })
            }
            I::V128LoadAddImmThenSimd {
                dst,
                lhs,
                offset,
                imm,
            } => {
                pair!(V128LoadAddImm { dst, lhs, offset, imm } then Simd { op, dst, a, b = dst, c })
            }
            I::SimdThenSimd { op, dst, a, b, c } => {
                pair!(Simd { op, dst, a, b, c } then Simd { op, dst, a, b, c })
            }
            I::I64AddThenI64MulImm { dst, lhs, rhs } => {
                pair!(I64Add { dst, lhs, rhs } then I64MulImm { dst, lhs = dst, imm })
            }
            I::I64MulImmThenLoad8UAddImm { dst, lhs, imm } => {
                pair!(I64MulImm { dst, lhs, imm } then Load8UAddImm { dst, lhs, offset, imm })
            }
            I::I32AddImmThenLoad8UAddTee { dst, lhs, imm } => {
                pair!(I32AddImm { dst, lhs, imm } then Load8UAddTee { dst, tee, lhs, rhs, offset })
            }
            I::I32AddImmThenI32AddImmBrNez { dst, lhs, imm } => {
                pair!(I32AddImm { dst, lhs, imm } then I32AddImmBrNez { dst, lhs, imm, target })
            }
            I::I32AddImmThenI32AddImmThenBrIfI32LtU { dst, lhs, imm } => {
                pair!(I32AddImm { dst, lhs, imm } then I32AddImmThenBrIfI32LtU { dst, lhs, imm })
            }
            I::I32AddImmShlThenLoad64AddImmShlThenStore64 {
                dst,
                lhs,
                index,
                shift,
                imm,
            } => {
                pair!(I32AddImmShl { dst, lhs, index, shift, imm } then Load64AddImmShlThenStore64 { dst, base, index, shift, imm })
            }
            I::Const32ThenConst32 { dst, value } => {
                pair!(Const32 { dst, value } then Const32 { dst, value })
            }
            I::I32AddThenStore32 { dst, lhs, rhs } => {
                pair!(I32Add { dst, lhs, rhs } then Store32 { addr, src, offset })
            }
            I::Store32ThenStore32 { addr, src, offset } => {
                pair!(Store32 { addr, src, offset } then Store32 { addr, src, offset })
            }
            I::Load32ThenStore8ImmAdd { dst, addr, offset } => {
                pair!(Load32 { dst, addr, offset } then Store8ImmAdd { lhs = dst, rhs, value, offset })
            }
            I::I32AddThenI32AddImm { dst, lhs, rhs } => {
                pair!(I32Add { dst, lhs, rhs } then I32AddImm { dst, lhs = dst, imm })
            }
            I::Load64ThenLoad64 { dst, addr, offset } => {
                pair!(Load64 { dst, addr, offset } then Load64 { dst, addr, offset })
            }
            I::BrIfI32EqImm { lhs, imm, target } => {
                br_if_imm!(lhs, imm, target, |a, i| (a as u32) == (i as u32))
            }
            I::BrIfI32NeImm { lhs, imm, target } => step!(BrIfI32NeImm { lhs, imm, target }),
            I::BrIfI32LtSImm { lhs, imm, target } => {
                br_if_imm!(lhs, imm, target, |a, i| (a as i32) < i)
            }
            I::BrIfI32LtUImm { lhs, imm, target } => step!(BrIfI32LtUImm { lhs, imm, target }),
            I::BrIfI32GtSImm { lhs, imm, target } => {
                br_if_imm!(lhs, imm, target, |a, i| (a as i32) > i)
            }
            I::BrIfI32GtUImm { lhs, imm, target } => {
                br_if_imm!(lhs, imm, target, |a, i| (a as u32) > (i as u32))
            }
            I::BrIfI32LeSImm { lhs, imm, target } => {
                br_if_imm!(lhs, imm, target, |a, i| (a as i32) <= i)
            }
            I::BrIfI32LeUImm { lhs, imm, target } => {
                br_if_imm!(lhs, imm, target, |a, i| (a as u32) <= (i as u32))
            }
            I::BrIfI32GeSImm { lhs, imm, target } => {
                br_if_imm!(lhs, imm, target, |a, i| (a as i32) >= i)
            }
            I::BrIfI32GeUImm { lhs, imm, target } => step!(BrIfI32GeUImm { lhs, imm, target }),
            I::BrIfI64Eq { lhs, rhs, target } => {
                br_if!(lhs, rhs, target, |a, b| a == b)
            }
            I::BrIfI64Ne { lhs, rhs, target } => {
                br_if!(lhs, rhs, target, |a, b| a != b)
            }
            I::BrIfI64LtS { lhs, rhs, target } => {
                br_if!(lhs, rhs, target, |a, b| (a as i64) < (b as i64))
            }
            I::BrIfI64LtU { lhs, rhs, target } => {
                br_if!(lhs, rhs, target, |a, b| a < b)
            }
            I::BrIfI64GtS { lhs, rhs, target } => {
                br_if!(lhs, rhs, target, |a, b| (a as i64) > (b as i64))
            }
            I::BrIfI64GtU { lhs, rhs, target } => {
                br_if!(lhs, rhs, target, |a, b| a > b)
            }
            I::BrIfI64LeS { lhs, rhs, target } => {
                br_if!(lhs, rhs, target, |a, b| (a as i64) <= (b as i64))
            }
            I::BrIfI64LeU { lhs, rhs, target } => {
                br_if!(lhs, rhs, target, |a, b| a <= b)
            }
            I::BrIfI64GeS { lhs, rhs, target } => {
                br_if!(lhs, rhs, target, |a, b| (a as i64) >= (b as i64))
            }
            I::BrIfI64GeU { lhs, rhs, target } => {
                br_if!(lhs, rhs, target, |a, b| a >= b)
            }
            I::BrIfI64EqImm { lhs, imm, target } => {
                br_if_imm!(lhs, imm, target, |a, i| a == (i as i64 as u64))
            }
            I::BrIfI64NeImm { lhs, imm, target } => {
                br_if_imm!(lhs, imm, target, |a, i| a != (i as i64 as u64))
            }
            I::BrIfI64LtSImm { lhs, imm, target } => {
                br_if_imm!(lhs, imm, target, |a, i| (a as i64) < (i as i64))
            }
            I::BrIfI64LtUImm { lhs, imm, target } => {
                br_if_imm!(lhs, imm, target, |a, i| a < (i as i64 as u64))
            }
            I::BrIfI64GtSImm { lhs, imm, target } => {
                br_if_imm!(lhs, imm, target, |a, i| (a as i64) > (i as i64))
            }
            I::BrIfI64GtUImm { lhs, imm, target } => {
                br_if_imm!(lhs, imm, target, |a, i| a > (i as i64 as u64))
            }
            I::BrIfI64LeSImm { lhs, imm, target } => {
                br_if_imm!(lhs, imm, target, |a, i| (a as i64) <= (i as i64))
            }
            I::BrIfI64LeUImm { lhs, imm, target } => {
                br_if_imm!(lhs, imm, target, |a, i| a <= (i as i64 as u64))
            }
            I::BrIfI64GeSImm { lhs, imm, target } => {
                br_if_imm!(lhs, imm, target, |a, i| (a as i64) >= (i as i64))
            }
            I::BrIfI64GeUImm { lhs, imm, target } => {
                br_if_imm!(lhs, imm, target, |a, i| a >= (i as i64 as u64))
            }
            I::BrIfI32AndImmNez { lhs, imm, target } => {
                br_if_imm!(lhs, imm, target, |a, i| a as u32 & i as u32 != 0)
            }
            I::BrIfI32AndImmEqz { lhs, imm, target } => {
                br_if_imm!(lhs, imm, target, |a, i| a as u32 & i as u32 == 0)
            }
            I::BrIfI64Eqz { cond, target } => {
                if s[cond as usize] == 0 {
                    jump!(target);
                }
            }
            I::BrIfI64Nez { cond, target } => {
                if s[cond as usize] != 0 {
                    jump!(target);
                }
            }
            I::BrTable { index, len } => step!(BrTable { index, len }),
            I::Return { src, n } => {
                match n {
                    0 => {}
                    1 => s[0] = s[src as usize],
                    _ => {
                        let (src, n) = (src as usize, n as usize);
                        s.copy_within(src..src + n, 0);
                    }
                }
                let Some(caller) = frames.pop() else {
                    return Ok(Exit::Return);
                };
                cur.func = caller.func;
                fp = caller.fp;
                s = window(stack, fp)?;
                ip = caller.ip.wrapping_sub(1);
                if caller.instance != instance {
                    instance = caller.instance;
                    inst = &instances[instance as usize];
                    mem0 = inst.memories.first().copied().unwrap_or(0) as usize;
                    m0 = memory_data(memories, mem0);
                }
            }
            I::Call { func, base } => call!(inst.funcs[func as usize], base, ip.wrapping_add(1)),
            I::Throw { tag, base } => {
                let tag_addr = inst.tags[tag as usize];
                // The payload's cells (a `v128` takes two).
                let n = inst.module.inner.types[inst.module.inner.tags[tag as usize] as usize]
                    .param_cells() as usize;
                let payload: Box<[u64]> = s[base as usize..base as usize + n].into();
                exns.push(crate::exception::ExnEntity {
                    tag: tag_addr,
                    payload,
                });
                let exn = exns.len() as u32 - 1;
                (cur.ip, cur.fp, cur.instance) = (ip.wrapping_add(1), fp, instance);
                exception::unwind(funcs, instances, exns, stack, frames, cur, exn)?;
                return Ok(Exit::Resume);
            }
            I::ThrowRef { src } => {
                let exn = cell_to_ref(s[src as usize]).ok_or(TrapKind::NullExceptionReference)?;
                (cur.ip, cur.fp, cur.instance) = (ip.wrapping_add(1), fp, instance);
                exception::unwind(funcs, instances, exns, stack, frames, cur, exn)?;
                return Ok(Exit::Resume);
            }
            I::CallIndirect { ty, base, index } => {
                let table = data!();
                let table = &tables[inst.tables[table as usize] as usize];
                let i = s[index as usize] as u32 as usize;
                let cell = *table.elements.get(i).ok_or(TrapKind::UndefinedElement)?;
                let func = cell_to_ref(cell).ok_or(TrapKind::UninitializedElement)?;
                let expected = inst.module.inner.type_ids[ty as usize];
                let actual = funcs[func as usize].type_id();
                if actual != expected && !types.is_subtype(actual, expected) {
                    return Err(TrapKind::IndirectCallTypeMismatch.into());
                }
                call!(func, base, ip.wrapping_add(1))
            }
            I::ReturnCall { func, base } => tail_call!(inst.funcs[func as usize], base),
            I::ReturnCallIndirect { ty, base, index } => {
                let table = data!();
                let table = &tables[inst.tables[table as usize] as usize];
                let i = s[index as usize] as u32 as usize;
                let cell = *table.elements.get(i).ok_or(TrapKind::UndefinedElement)?;
                let func = cell_to_ref(cell).ok_or(TrapKind::UninitializedElement)?;
                let expected = inst.module.inner.type_ids[ty as usize];
                let actual = funcs[func as usize].type_id();
                if actual != expected && !types.is_subtype(actual, expected) {
                    return Err(TrapKind::IndirectCallTypeMismatch.into());
                }
                tail_call!(func, base)
            }
            I::CallRef { base, func } => {
                let f = cell_to_ref(s[func as usize]).ok_or(TrapKind::NullFunctionReference)?;
                call!(f, base, ip.wrapping_add(1))
            }
            I::ReturnCallRef { base, func } => {
                let f = cell_to_ref(s[func as usize]).ok_or(TrapKind::NullFunctionReference)?;
                tail_call!(f, base)
            }
            I::Gc { op, x, y, imm } => {
                let data = data!();
                // An allocation that would pass the heap limit is tried again after a
                // full collection.
                for full in [false, true] {
                    if op.allocates() && (full || heap.wants_step()) {
                        // Roots: every frame up to the end of this one.
                        let (code, _) = code_of(funcs, cur.func).map_err(Fault::Error)?;
                        let top = (fp + code.frame_size as usize).min(stack.len());
                        let live = &stack[..top];
                        gc::step(heap, types, live, globals, tables, elems, exns, full);
                        s = window(stack, fp)?;
                    }
                    let mut cx = gc::GcCtx {
                        heap,
                        types,
                        funcs,
                        datas,
                        elems,
                        inst,
                    };
                    match gc::gc_op(op, s, x, y, imm, data, &mut cx) {
                        Err(TrapKind::AllocationTooLarge) if !full && heap.may_reclaim() => {}
                        r => {
                            r?;
                            break;
                        }
                    }
                }
            }
            I::Data(_) => {}
            I::Copy { dst, src } => step!(Copy { dst, src }),
            I::CopyN { dst, src, n } => {
                let (dst, src, n) = (dst as usize, src as usize, n as usize);
                s.copy_within(src..src + n, dst);
            }
            I::Const32 { dst, value } => step!(Const32 { dst, value }),
            I::Const64 { dst, lo, hi } => s[dst as usize] = lo as u64 | (hi as u64) << 32,
            I::Select { dst, other, cond } => {
                if s[cond as usize] as u32 == 0 {
                    s[dst as usize] = s[other as usize];
                }
            }
            I::GlobalGet { dst, global } => {
                s[dst as usize] = globals[inst.globals[global as usize] as usize].value
            }
            I::GlobalSet { global, src } => step!(GlobalSet { global, src }),
            I::Load32 { dst, addr, offset } => step!(Load32 { dst, addr, offset }),
            I::Load64 { dst, addr, offset } => step!(Load64 { dst, addr, offset }),
            I::Load32Abs { dst, at, offset } => {
                let b: [u8; 4] = load(m0, at as u64, offset)?;
                s[dst as usize] = u32::from_le_bytes(b) as u64;
            }
            I::Load32Pair {
                dst0,
                dst1,
                addr,
                off0,
                off1,
            } => {
                let a = s[addr as usize];
                let b: [u8; 4] = load(m0, a, off0 as u32)?;
                s[dst0 as usize] = u32::from_le_bytes(b) as u64;
                let b: [u8; 4] = load(m0, a, off1 as u32)?;
                s[dst1 as usize] = u32::from_le_bytes(b) as u64;
            }
            I::Load8S { dst, addr, offset } => {
                ldm!(dst, addr, offset, 1, |b| b[0] as i8 as i64 as u64)
            }
            I::Load8U { dst, addr, offset } => step!(Load8U { dst, addr, offset }),
            I::BrIfLoad8UNez {
                addr,
                offset,
                target,
            } => {
                let b: [u8; 1] = load(m0, s[addr as usize], offset)?;
                if b[0] != 0 {
                    jump!(target);
                }
            }
            I::BrIfLoad8UEqz {
                addr,
                offset,
                target,
            } => {
                let b: [u8; 1] = load(m0, s[addr as usize], offset)?;
                if b[0] == 0 {
                    jump!(target);
                }
            }
            I::Load16S { dst, addr, offset } => {
                ldm!(dst, addr, offset, 2, |b| i16::from_le_bytes(b) as i64
                    as u64)
            }
            I::Load16U { dst, addr, offset } => {
                ldm!(dst, addr, offset, 2, |b| u16::from_le_bytes(b) as u64)
            }
            I::Load32S { dst, addr, offset } => {
                ldm!(dst, addr, offset, 4, |b| i32::from_le_bytes(b) as i64
                    as u64)
            }
            I::Store8 { addr, src, offset } => step!(Store8 { addr, src, offset }),
            I::Store16 { addr, src, offset } => {
                stm!(addr, src, offset, |v| (v as u16).to_le_bytes())
            }
            I::Store32 { addr, src, offset } => step!(Store32 { addr, src, offset }),
            I::Store64 { addr, src, offset } => step!(Store64 { addr, src, offset }),
            I::Store8ImmAdd {
                lhs,
                rhs,
                value,
                offset,
            } => step!(Store8ImmAdd {
                lhs,
                rhs,
                value,
                offset
            }),
            I::Store8ImmAddStep {
                base,
                x,
                step,
                value,
                offset,
            } => {
                let i = s[x as usize] as u32;
                let addr = (s[base as usize] as u32).wrapping_add(i);
                store_bytes(m0, addr as u64, offset.into(), [value as u8])?;
                s[x as usize] = i.wrapping_add(s[step as usize] as u32) as u64;
            }
            I::Load8UAdd {
                dst,
                lhs,
                rhs,
                offset,
            } => {
                let addr = (s[lhs as usize] as u32).wrapping_add(s[rhs as usize] as u32);
                let b: [u8; 1] = load(m0, addr as u64, offset)?;
                s[dst as usize] = b[0] as u64;
            }
            I::Load32AddImm {
                dst,
                lhs,
                offset,
                imm,
            } => ld_add_imm!(dst, lhs, imm, offset, 4, |b| u32::from_le_bytes(b) as u64),
            I::Load64AddImm {
                dst,
                lhs,
                offset,
                imm,
            } => ld_add_imm!(dst, lhs, imm, offset, 8, |b| u64::from_le_bytes(b)),
            I::Load8UAddImm {
                dst,
                lhs,
                offset,
                imm,
            } => step!(Load8UAddImm {
                dst,
                lhs,
                offset,
                imm
            }),
            I::Load16UAddImm {
                dst,
                lhs,
                offset,
                imm,
            } => step!(Load16UAddImm {
                dst,
                lhs,
                offset,
                imm
            }),
            I::Load8UAddTee {
                dst,
                tee,
                lhs,
                rhs,
                offset,
            } => step!(Load8UAddTee {
                dst,
                tee,
                lhs,
                rhs,
                offset
            }),
            I::Load8UShlTee {
                dst,
                tee,
                base,
                index,
                shift,
                offset,
            } => step!(Load8UShlTee {
                dst,
                tee,
                base,
                index,
                shift,
                offset
            }),
            I::Load8UShl {
                dst,
                base,
                index,
                shift,
                offset,
            } => ld_shl!(dst, base, 0, index, shift, offset, 1, |b| b[0] as u64),
            I::Load16UShl {
                dst,
                base,
                index,
                shift,
                offset,
            } => step!(Load16UShl {
                dst,
                base,
                index,
                shift,
                offset
            }),
            I::Load32Shl {
                dst,
                base,
                index,
                shift,
                offset,
            } => ld_shl!(
                dst,
                base,
                0,
                index,
                shift,
                offset,
                4,
                |b| u32::from_le_bytes(b) as u64
            ),
            I::Load64Shl {
                dst,
                base,
                index,
                shift,
                offset,
            } => ld_shl!(dst, base, 0, index, shift, offset, 8, |b| {
                u64::from_le_bytes(b)
            }),
            I::Load32AddImmShl {
                dst,
                base,
                index,
                shift,
                imm,
            } => ld_shl!(
                dst,
                base,
                imm,
                index,
                shift,
                0,
                4,
                |bytes| u32::from_le_bytes(bytes) as u64
            ),
            I::Load64AddImmShl {
                dst,
                base,
                index,
                shift,
                imm,
            } => step!(Load64AddImmShl {
                dst,
                base,
                index,
                shift,
                imm
            }),
            I::Store8Imm {
                addr,
                value,
                offset,
            } => store_bytes(m0, s[addr as usize], offset, (value as u8).to_le_bytes())?,
            I::Store16Imm {
                addr,
                value,
                offset,
            } => store_bytes(m0, s[addr as usize], offset, (value as u16).to_le_bytes())?,
            I::Store32Imm {
                addr,
                value,
                offset,
            } => store_bytes(m0, s[addr as usize], offset, (value as u32).to_le_bytes())?,
            I::Store64Imm {
                addr,
                value,
                offset,
            } => store_bytes(m0, s[addr as usize], offset, (value as i64).to_le_bytes())?,
            I::I32AddShl {
                dst,
                lhs,
                index,
                shift,
            } => {
                let i = (s[index as usize] as u32).wrapping_shl(shift as u32);
                s[dst as usize] = (s[lhs as usize] as u32).wrapping_add(i) as u64;
            }
            I::I32AddImmShl {
                dst,
                lhs,
                index,
                shift,
                imm,
            } => step!(I32AddImmShl {
                dst,
                lhs,
                index,
                shift,
                imm
            }),
            I::I32XorRotlImm { dst, lhs, src, imm } => step!(I32XorRotlImm { dst, lhs, src, imm }),
            I::I32Add3 { dst, a, b, c } => {
                let ab = (s[a as usize] as u32).wrapping_add(s[b as usize] as u32);
                s[dst as usize] = ab.wrapping_add(s[c as usize] as u32) as u64;
            }
            I::I32AddXor { dst, lhs, a, b } => step!(I32AddXor { dst, lhs, a, b }),
            I::I32Rotl2Xor { dst, x, y, kx, ky } => step!(I32Rotl2Xor { dst, x, y, kx, ky }),
            I::I32AddImm2 { a, ka, b, kb } => {
                s[a as usize] = (s[a as usize] as u32).wrapping_add(ka as i32 as u32) as u64;
                s[b as usize] = (s[b as usize] as u32).wrapping_add(kb as i32 as u32) as u64;
            }
            I::I32AddAndAddImm { a, b, c, kc } => {
                s[a as usize] = (s[a as usize] as u32).wrapping_add(s[b as usize] as u32) as u64;
                s[c as usize] = (s[c as usize] as u32).wrapping_add(kc as i32 as u32) as u64;
            }
            I::LoadMem {
                dst,
                addr,
                kind_mem,
            } => {
                let offset = data!();
                let mem = &memories[inst.memories[(kind_mem >> 8) as usize] as usize].data;
                s[dst as usize] = load_kind(mem, kind_mem as u8, s[addr as usize], offset)?;
                m0 = memory_data(memories, mem0);
            }
            I::StoreMem {
                addr,
                src,
                kind_mem,
            } => {
                let offset = data!();
                let mem = &mut memories[inst.memories[(kind_mem >> 8) as usize] as usize].data;
                store_kind(
                    mem,
                    kind_mem as u8,
                    s[addr as usize],
                    offset,
                    s[src as usize],
                )?;
                m0 = memory_data(memories, mem0);
            }
            I::Mem64 { op, a, b, mem } => {
                let (lo, hi) = (data!(), data!());
                let m = &mut memories[inst.memories[mem as usize] as usize].data;
                mem64::mem64(op, m, s, a, b, lo as u64 | (hi as u64) << 32)?;
                m0 = memory_data(memories, mem0);
            }
            I::MemorySize { dst, mem } => {
                s[dst as usize] = memories[inst.memories[mem as usize] as usize].pages();
                m0 = memory_data(memories, mem0);
            }
            I::MemoryGrow { dst, delta, mem } => {
                let limit = engine.config().max_memory_pages;
                let m = &mut memories[inst.memories[mem as usize] as usize];
                let at = m.ty.addr_type;
                let delta = at.of_cell(s[delta as usize]);
                s[dst as usize] = m.grow(delta, limit).unwrap_or(at.minus_one());
                m0 = memory_data(memories, mem0);
            }
            I::MemoryFill { mem, base } => {
                let b = base as usize;
                let m = &mut memories[inst.memories[mem as usize] as usize];
                let at = m.ty.addr_type;
                let (d, val, n) = (at.of_cell(s[b]), s[b + 1] as u8, at.of_cell(s[b + 2]));
                let r = range(d, n, m.data.len()).ok_or(TrapKind::MemoryOutOfBounds)?;
                m.data[r].fill(val);
                m0 = memory_data(memories, mem0);
            }
            I::MemoryCopy { dst_mem, base } => {
                let src_mem = data!();
                let b = base as usize;
                let dm = inst.memories[dst_mem as usize] as usize;
                let sm = inst.memories[src_mem as usize] as usize;
                // memory64: `d` has the destination's address type, `src` the source's,
                // `n` the smaller of the two (spec, validation of `memory.copy`).
                let (dt, st) = (memories[dm].ty.addr_type, memories[sm].ty.addr_type);
                let (d, src, n) = (
                    dt.of_cell(s[b]),
                    st.of_cell(s[b + 1]),
                    dt.min(st).of_cell(s[b + 2]),
                );
                if dm == sm {
                    let m = &mut memories[dm].data;
                    let rs = range(src, n, m.len()).ok_or(TrapKind::MemoryOutOfBounds)?;
                    let rd = range(d, n, m.len()).ok_or(TrapKind::MemoryOutOfBounds)?;
                    m.copy_within(rs, rd.start);
                } else {
                    let (src_slice, dst_slice) = if dm < sm {
                        let (a, b) = memories.split_at_mut(sm);
                        (&b[0].data, &mut a[dm].data)
                    } else {
                        let (a, b) = memories.split_at_mut(dm);
                        (&a[sm].data, &mut b[0].data)
                    };
                    let rs = range(src, n, src_slice.len()).ok_or(TrapKind::MemoryOutOfBounds)?;
                    let rd = range(d, n, dst_slice.len()).ok_or(TrapKind::MemoryOutOfBounds)?;
                    dst_slice[rd].copy_from_slice(&src_slice[rs]);
                }
                m0 = memory_data(memories, mem0);
            }
            I::MemoryInit { mem, data, base } => {
                let b = base as usize;
                let m = &mut memories[inst.memories[mem as usize] as usize];
                // `d` has the memory's address type; `src` and `n` are `i32`s.
                let (d, src, n) = (
                    m.ty.addr_type.of_cell(s[b]),
                    s[b + 1] as u32 as u64,
                    s[b + 2] as u32 as u64,
                );
                let bytes = &datas[inst.datas[data as usize] as usize];
                let m = &mut m.data;
                let rs = range(src, n, bytes.len()).ok_or(TrapKind::MemoryOutOfBounds)?;
                let rd = range(d, n, m.len()).ok_or(TrapKind::MemoryOutOfBounds)?;
                m[rd].copy_from_slice(&bytes[rs]);
                m0 = memory_data(memories, mem0);
            }
            I::DataDrop(data) => datas[inst.datas[data as usize] as usize] = Arc::from(&[][..]),

            I::TableIndex64 { dst, src } => {
                s[dst as usize] = s[src as usize].min(u32::MAX as u64);
            }
            I::TableGet { dst, index, table } => {
                let t = &tables[inst.tables[table as usize] as usize];
                s[dst as usize] = *t
                    .elements
                    .get(s[index as usize] as u32 as usize)
                    .ok_or(TrapKind::TableOutOfBounds)?;
            }
            I::TableSet { table, index, src } => {
                let t = &mut tables[inst.tables[table as usize] as usize];
                let v = s[src as usize];
                let e = t
                    .elements
                    .get_mut(s[index as usize] as u32 as usize)
                    .ok_or(TrapKind::TableOutOfBounds)?;
                heap.barrier_cells(&[*e]);
                *e = v;
            }
            I::TableSize { dst, table } => {
                s[dst as usize] = tables[inst.tables[table as usize] as usize].elements.len() as u64
            }
            I::TableGrow { table, base } => {
                let b = base as usize;
                let limit = engine.config().max_table_elements;
                let t = &mut tables[inst.tables[table as usize] as usize];
                let at = t.ty.addr_type;
                let (init, delta) = (s[b], at.of_cell(s[b + 1]));
                s[b] = t.grow(delta, init, limit).unwrap_or(at.minus_one());
            }
            I::TableFill { table, base } => {
                let b = base as usize;
                let t = &mut tables[inst.tables[table as usize] as usize];
                let at = t.ty.addr_type;
                let (i, val, n) = (at.of_cell(s[b]), s[b + 1], at.of_cell(s[b + 2]));
                let t = &mut t.elements;
                let r = range(i, n, t.len()).ok_or(TrapKind::TableOutOfBounds)?;
                heap.barrier_cells(&t[r.clone()]);
                t[r].fill(val);
            }
            I::TableCopy {
                dst_table,
                src_table,
                base,
            } => {
                let b = base as usize;
                let dt = inst.tables[dst_table as usize] as usize;
                let stb = inst.tables[src_table as usize] as usize;
                // memory64: as `memory.copy`, `n` has the smaller address type (spec
                // validation of `table.copy`).
                let (dat, sat) = (tables[dt].ty.addr_type, tables[stb].ty.addr_type);
                let (d, src, n) = (
                    dat.of_cell(s[b]),
                    sat.of_cell(s[b + 1]),
                    dat.min(sat).of_cell(s[b + 2]),
                );
                let rs =
                    range(src, n, tables[stb].elements.len()).ok_or(TrapKind::TableOutOfBounds)?;
                let rd =
                    range(d, n, tables[dt].elements.len()).ok_or(TrapKind::TableOutOfBounds)?;
                heap.barrier_cells(&tables[dt].elements[rd.clone()]);
                if dt == stb {
                    tables[dt].elements.copy_within(rs, rd.start);
                } else {
                    let tmp: Vec<u64> = tables[stb].elements[rs].to_vec();
                    tables[dt].elements[rd].copy_from_slice(&tmp);
                }
            }
            I::TableInit { table, elem, base } => {
                let b = base as usize;
                let t = &mut tables[inst.tables[table as usize] as usize];
                // `d` has the table's address type; `src` and `n` are `i32`s.
                let (d, src, n) = (
                    t.ty.addr_type.of_cell(s[b]),
                    s[b + 1] as u32 as u64,
                    s[b + 2] as u32 as u64,
                );
                let seg = &elems[inst.elems[elem as usize] as usize];
                let t = &mut t.elements;
                let rs = range(src, n, seg.len()).ok_or(TrapKind::TableOutOfBounds)?;
                let rd = range(d, n, t.len()).ok_or(TrapKind::TableOutOfBounds)?;
                heap.barrier_cells(&t[rd.clone()]);
                t[rd].copy_from_slice(&seg[rs]);
            }
            I::ElemDrop(elem) => heap.drop_segment(std::mem::take(
                &mut elems[inst.elems[elem as usize] as usize],
            )),
            I::RefFunc { dst, func } => {
                s[dst as usize] = ref_to_cell(Some(inst.funcs[func as usize]))
            }

            I::I32Eqz { dst, src } => un!(dst, src, |x| (x as u32 == 0) as u64),
            I::I64Eqz { dst, src } => un!(dst, src, |x| (x == 0) as u64),
            I::I32Clz { dst, src } => un!(dst, src, |x| (x as u32).leading_zeros() as u64),
            I::I32Ctz { dst, src } => un!(dst, src, |x| (x as u32).trailing_zeros() as u64),
            I::I32Popcnt { dst, src } => un!(dst, src, |x| (x as u32).count_ones() as u64),
            I::I64Clz { dst, src } => un!(dst, src, |x| x.leading_zeros() as u64),
            I::I64Ctz { dst, src } => un!(dst, src, |x| x.trailing_zeros() as u64),
            I::I64Popcnt { dst, src } => un!(dst, src, |x| x.count_ones() as u64),
            I::F32Abs { dst, src } => un!(dst, src, |x| x & 0x7fff_ffff),
            I::F32Neg { dst, src } => un!(dst, src, |x| (x as u32 ^ 0x8000_0000) as u64),
            I::F32Ceil { dst, src } => un!(dst, src, |x| from_f32(ceil32(f32_of(x)))),
            I::F32Floor { dst, src } => un!(dst, src, |x| from_f32(floor32(f32_of(x)))),
            I::F32Trunc { dst, src } => un!(dst, src, |x| from_f32(trunc32(f32_of(x)))),
            I::F32Nearest { dst, src } => un!(dst, src, |x| from_f32(nearest32(f32_of(x)))),
            I::F32Sqrt { dst, src } => un!(dst, src, |x| from_f32(sqrt32(f32_of(x)))),
            I::F64Abs { dst, src } => un!(dst, src, |x| x & 0x7fff_ffff_ffff_ffff),
            I::F64Neg { dst, src } => un!(dst, src, |x| x ^ 0x8000_0000_0000_0000),
            I::F64Ceil { dst, src } => un!(dst, src, |x| from_f64(ceil64(f64_of(x)))),
            I::F64Floor { dst, src } => un!(dst, src, |x| from_f64(floor64(f64_of(x)))),
            I::F64Trunc { dst, src } => un!(dst, src, |x| from_f64(trunc64(f64_of(x)))),
            I::F64Nearest { dst, src } => un!(dst, src, |x| from_f64(nearest64(f64_of(x)))),
            I::F64Sqrt { dst, src } => un!(dst, src, |x| from_f64(sqrt64(f64_of(x)))),
            I::I32TruncF32S { dst, src } => un!(dst, src, |x| i32_trunc_s(f32_of(x) as f64)?),
            I::I32TruncF32U { dst, src } => un!(dst, src, |x| i32_trunc_u(f32_of(x) as f64)?),
            I::I32TruncF64S { dst, src } => un!(dst, src, |x| i32_trunc_s(f64_of(x))?),
            I::I32TruncF64U { dst, src } => un!(dst, src, |x| i32_trunc_u(f64_of(x))?),
            I::I64ExtendI32S { dst, src } => un!(dst, src, |x| x as i32 as i64 as u64),
            I::I64ExtendI32U { dst, src } => un!(dst, src, |x| x as u32 as u64),
            I::I64TruncF32S { dst, src } => un!(dst, src, |x| i64_trunc_s(f32_of(x) as f64)?),
            I::I64TruncF32U { dst, src } => un!(dst, src, |x| i64_trunc_u(f32_of(x) as f64)?),
            I::I64TruncF64S { dst, src } => un!(dst, src, |x| i64_trunc_s(f64_of(x))?),
            I::I64TruncF64U { dst, src } => un!(dst, src, |x| i64_trunc_u(f64_of(x))?),
            I::F32ConvertI32S { dst, src } => un!(dst, src, |x| from_f32(x as i32 as f32)),
            I::F32ConvertI32U { dst, src } => un!(dst, src, |x| from_f32(x as u32 as f32)),
            I::F32ConvertI64S { dst, src } => un!(dst, src, |x| from_f32(x as i64 as f32)),
            I::F32ConvertI64U { dst, src } => un!(dst, src, |x| from_f32(x as f32)),
            I::F32DemoteF64 { dst, src } => un!(dst, src, |x| from_f32(f64_of(x) as f32)),
            I::F64ConvertI32S { dst, src } => un!(dst, src, |x| from_f64(x as i32 as f64)),
            I::F64ConvertI32U { dst, src } => un!(dst, src, |x| from_f64(x as u32 as f64)),
            I::F64ConvertI64S { dst, src } => un!(dst, src, |x| from_f64(x as i64 as f64)),
            I::F64ConvertI64U { dst, src } => un!(dst, src, |x| from_f64(x as f64)),
            I::F64PromoteF32 { dst, src } => un!(dst, src, |x| from_f64(f32_of(x) as f64)),
            I::I32Extend8S { dst, src } => un!(dst, src, |x| x as i8 as i32 as u32 as u64),
            I::I32Extend16S { dst, src } => un!(dst, src, |x| x as i16 as i32 as u32 as u64),
            I::I64Extend8S { dst, src } => un!(dst, src, |x| x as i8 as i64 as u64),
            I::I64Extend16S { dst, src } => un!(dst, src, |x| x as i16 as i64 as u64),
            I::I64Extend32S { dst, src } => un!(dst, src, |x| x as i32 as i64 as u64),
            // Rust's float-to-int `as` saturates and maps NaN to 0: exactly `trunc_sat`.
            I::I32TruncSatF32S { dst, src } => un!(dst, src, |x| f32_of(x) as i32 as u32 as u64),
            I::I32TruncSatF32U { dst, src } => un!(dst, src, |x| f32_of(x) as u32 as u64),
            I::I32TruncSatF64S { dst, src } => un!(dst, src, |x| f64_of(x) as i32 as u32 as u64),
            I::I32TruncSatF64U { dst, src } => un!(dst, src, |x| f64_of(x) as u32 as u64),
            I::I64TruncSatF32S { dst, src } => un!(dst, src, |x| f32_of(x) as i64 as u64),
            I::I64TruncSatF32U { dst, src } => un!(dst, src, |x| f32_of(x) as u64),
            I::I64TruncSatF64S { dst, src } => un!(dst, src, |x| f64_of(x) as i64 as u64),
            I::I64TruncSatF64U { dst, src } => un!(dst, src, |x| f64_of(x) as u64),

            I::I32Eq { dst, lhs, rhs } => bin!(dst, lhs, rhs, |a, b| (a as u32 == b as u32) as u64),
            I::I32Ne { dst, lhs, rhs } => bin!(dst, lhs, rhs, |a, b| (a as u32 != b as u32) as u64),
            I::I32LtS { dst, lhs, rhs } => {
                bin!(dst, lhs, rhs, |a, b| ((a as i32) < (b as i32)) as u64)
            }
            I::I32LtU { dst, lhs, rhs } => {
                bin!(dst, lhs, rhs, |a, b| ((a as u32) < (b as u32)) as u64)
            }
            I::I32GtS { dst, lhs, rhs } => {
                bin!(dst, lhs, rhs, |a, b| ((a as i32) > (b as i32)) as u64)
            }
            I::I32GtU { dst, lhs, rhs } => {
                bin!(dst, lhs, rhs, |a, b| ((a as u32) > (b as u32)) as u64)
            }
            I::I32LeS { dst, lhs, rhs } => {
                bin!(dst, lhs, rhs, |a, b| ((a as i32) <= (b as i32)) as u64)
            }
            I::I32LeU { dst, lhs, rhs } => {
                bin!(dst, lhs, rhs, |a, b| ((a as u32) <= (b as u32)) as u64)
            }
            I::I32GeS { dst, lhs, rhs } => {
                bin!(dst, lhs, rhs, |a, b| ((a as i32) >= (b as i32)) as u64)
            }
            I::I32GeU { dst, lhs, rhs } => {
                bin!(dst, lhs, rhs, |a, b| ((a as u32) >= (b as u32)) as u64)
            }
            I::I64Eq { dst, lhs, rhs } => bin!(dst, lhs, rhs, |a, b| (a == b) as u64),
            I::I64Ne { dst, lhs, rhs } => bin!(dst, lhs, rhs, |a, b| (a != b) as u64),
            I::I64LtS { dst, lhs, rhs } => {
                bin!(dst, lhs, rhs, |a, b| ((a as i64) < (b as i64)) as u64)
            }
            I::I64LtU { dst, lhs, rhs } => bin!(dst, lhs, rhs, |a, b| (a < b) as u64),
            I::I64GtS { dst, lhs, rhs } => {
                bin!(dst, lhs, rhs, |a, b| ((a as i64) > (b as i64)) as u64)
            }
            I::I64GtU { dst, lhs, rhs } => bin!(dst, lhs, rhs, |a, b| (a > b) as u64),
            I::I64LeS { dst, lhs, rhs } => {
                bin!(dst, lhs, rhs, |a, b| ((a as i64) <= (b as i64)) as u64)
            }
            I::I64LeU { dst, lhs, rhs } => bin!(dst, lhs, rhs, |a, b| (a <= b) as u64),
            I::I64GeS { dst, lhs, rhs } => {
                bin!(dst, lhs, rhs, |a, b| ((a as i64) >= (b as i64)) as u64)
            }
            I::I64GeU { dst, lhs, rhs } => bin!(dst, lhs, rhs, |a, b| (a >= b) as u64),
            I::F32Eq { dst, lhs, rhs } => {
                bin!(dst, lhs, rhs, |a, b| (f32_of(a) == f32_of(b)) as u64)
            }
            I::F32Ne { dst, lhs, rhs } => {
                bin!(dst, lhs, rhs, |a, b| (f32_of(a) != f32_of(b)) as u64)
            }
            I::F32Lt { dst, lhs, rhs } => {
                bin!(dst, lhs, rhs, |a, b| (f32_of(a) < f32_of(b)) as u64)
            }
            I::F32Gt { dst, lhs, rhs } => {
                bin!(dst, lhs, rhs, |a, b| (f32_of(a) > f32_of(b)) as u64)
            }
            I::F32Le { dst, lhs, rhs } => {
                bin!(dst, lhs, rhs, |a, b| (f32_of(a) <= f32_of(b)) as u64)
            }
            I::F32Ge { dst, lhs, rhs } => {
                bin!(dst, lhs, rhs, |a, b| (f32_of(a) >= f32_of(b)) as u64)
            }
            I::F64Eq { dst, lhs, rhs } => {
                bin!(dst, lhs, rhs, |a, b| (f64_of(a) == f64_of(b)) as u64)
            }
            I::F64Ne { dst, lhs, rhs } => {
                bin!(dst, lhs, rhs, |a, b| (f64_of(a) != f64_of(b)) as u64)
            }
            I::F64Lt { dst, lhs, rhs } => {
                bin!(dst, lhs, rhs, |a, b| (f64_of(a) < f64_of(b)) as u64)
            }
            I::F64Gt { dst, lhs, rhs } => {
                bin!(dst, lhs, rhs, |a, b| (f64_of(a) > f64_of(b)) as u64)
            }
            I::F64Le { dst, lhs, rhs } => {
                bin!(dst, lhs, rhs, |a, b| (f64_of(a) <= f64_of(b)) as u64)
            }
            I::F64Ge { dst, lhs, rhs } => {
                bin!(dst, lhs, rhs, |a, b| (f64_of(a) >= f64_of(b)) as u64)
            }
            I::I32Add { dst, lhs, rhs } => step!(I32Add { dst, lhs, rhs }),
            I::I32Sub { dst, lhs, rhs } => step!(I32Sub { dst, lhs, rhs }),
            I::I32Mul { dst, lhs, rhs } => bin!(dst, lhs, rhs, |a, b| (a as u32)
                .wrapping_mul(b as u32)
                as u64),
            I::I32DivS { dst, lhs, rhs } => {
                bin!(dst, lhs, rhs, |a, b| i32_div_s(a as i32, b as i32)? as u32
                    as u64)
            }
            I::I32DivU { dst, lhs, rhs } => {
                bin!(dst, lhs, rhs, |a, b| i32_div_u(a as u32, b as u32)? as u64)
            }
            I::I32RemS { dst, lhs, rhs } => {
                bin!(dst, lhs, rhs, |a, b| i32_rem_s(a as i32, b as i32)? as u32
                    as u64)
            }
            I::I32RemU { dst, lhs, rhs } => {
                bin!(dst, lhs, rhs, |a, b| i32_rem_u(a as u32, b as u32)? as u64)
            }
            I::I32And { dst, lhs, rhs } => step!(I32And { dst, lhs, rhs }),
            I::I32Or { dst, lhs, rhs } => bin!(dst, lhs, rhs, |a, b| a | b),
            I::I32Xor { dst, lhs, rhs } => step!(I32Xor { dst, lhs, rhs }),
            I::I32Shl { dst, lhs, rhs } => bin!(dst, lhs, rhs, |a, b| (a as u32)
                .wrapping_shl(b as u32)
                as u64),
            I::I32ShrS { dst, lhs, rhs } => bin!(dst, lhs, rhs, |a, b| (a as i32)
                .wrapping_shr(b as u32)
                as u32
                as u64),
            I::I32ShrU { dst, lhs, rhs } => bin!(dst, lhs, rhs, |a, b| (a as u32)
                .wrapping_shr(b as u32)
                as u64),
            I::I32Rotl { dst, lhs, rhs } => bin!(dst, lhs, rhs, |a, b| (a as u32)
                .rotate_left(b as u32 & 31)
                as u64),
            I::I32Rotr { dst, lhs, rhs } => bin!(dst, lhs, rhs, |a, b| (a as u32)
                .rotate_right(b as u32 & 31)
                as u64),
            I::I64Add { dst, lhs, rhs } => step!(I64Add { dst, lhs, rhs }),
            I::I64AddExtendI32S { dst, lhs, src } => {
                bin!(dst, lhs, src, |a, b| a.wrapping_add(b as i32 as i64 as u64))
            }
            I::I64Sub { dst, lhs, rhs } => bin!(dst, lhs, rhs, |a, b| a.wrapping_sub(b)),
            I::I64Mul { dst, lhs, rhs } => bin!(dst, lhs, rhs, |a, b| a.wrapping_mul(b)),
            I::I64DivS { dst, lhs, rhs } => {
                bin!(dst, lhs, rhs, |a, b| i64_div_s(a as i64, b as i64)? as u64)
            }
            I::I64DivU { dst, lhs, rhs } => bin!(dst, lhs, rhs, |a, b| i64_div_u(a, b)?),
            I::I64RemS { dst, lhs, rhs } => {
                bin!(dst, lhs, rhs, |a, b| i64_rem_s(a as i64, b as i64)? as u64)
            }
            I::I64RemU { dst, lhs, rhs } => bin!(dst, lhs, rhs, |a, b| i64_rem_u(a, b)?),
            I::I64And { dst, lhs, rhs } => bin!(dst, lhs, rhs, |a, b| a & b),
            I::I64Or { dst, lhs, rhs } => step!(I64Or { dst, lhs, rhs }),
            I::I64Xor { dst, lhs, rhs } => step!(I64Xor { dst, lhs, rhs }),
            I::I64Shl { dst, lhs, rhs } => bin!(dst, lhs, rhs, |a, b| a.wrapping_shl(b as u32)),
            I::I64ShrS { dst, lhs, rhs } => bin!(dst, lhs, rhs, |a, b| (a as i64)
                .wrapping_shr(b as u32)
                as u64),
            I::I64ShrU { dst, lhs, rhs } => bin!(dst, lhs, rhs, |a, b| a.wrapping_shr(b as u32)),
            I::I64Rotl { dst, lhs, rhs } => {
                bin!(dst, lhs, rhs, |a, b| a.rotate_left((b & 63) as u32))
            }
            I::I64Rotr { dst, lhs, rhs } => {
                bin!(dst, lhs, rhs, |a, b| a.rotate_right((b & 63) as u32))
            }
            I::F32Add { dst, lhs, rhs } => {
                bin!(dst, lhs, rhs, |a, b| from_f32(f32_of(a) + f32_of(b)))
            }
            I::F32Sub { dst, lhs, rhs } => {
                bin!(dst, lhs, rhs, |a, b| from_f32(f32_of(a) - f32_of(b)))
            }
            I::F32Mul { dst, lhs, rhs } => {
                bin!(dst, lhs, rhs, |a, b| from_f32(f32_of(a) * f32_of(b)))
            }
            I::F32Div { dst, lhs, rhs } => {
                bin!(dst, lhs, rhs, |a, b| from_f32(f32_of(a) / f32_of(b)))
            }
            I::F32Min { dst, lhs, rhs } => {
                bin!(dst, lhs, rhs, |a, b| from_f32(fmin32(f32_of(a), f32_of(b))))
            }
            I::F32Max { dst, lhs, rhs } => {
                bin!(dst, lhs, rhs, |a, b| from_f32(fmax32(f32_of(a), f32_of(b))))
            }
            I::F32Copysign { dst, lhs, rhs } => bin!(dst, lhs, rhs, |a, b| ((a as u32
                & 0x7fff_ffff)
                | (b as u32 & 0x8000_0000))
                as u64),
            I::F64MulAdd { dst, acc, lhs, rhs } => {
                let product = f64_of(s[lhs as usize]) * f64_of(s[rhs as usize]);
                s[dst as usize] = from_f64(f64_of(s[acc as usize]) + product);
            }
            I::F64MulAddStore {
                addr,
                acc,
                lhs,
                rhs,
                offset,
            } => {
                let product = f64_of(s[lhs as usize]) * f64_of(s[rhs as usize]);
                let v = from_f64(f64_of(s[acc as usize]) + product);
                store_bytes(m0, s[addr as usize], offset.into(), v.to_le_bytes())?
            }
            I::F64Add { dst, lhs, rhs } => {
                bin!(dst, lhs, rhs, |a, b| from_f64(f64_of(a) + f64_of(b)))
            }
            I::F64Sub { dst, lhs, rhs } => {
                bin!(dst, lhs, rhs, |a, b| from_f64(f64_of(a) - f64_of(b)))
            }
            I::F64Mul { dst, lhs, rhs } => {
                bin!(dst, lhs, rhs, |a, b| from_f64(f64_of(a) * f64_of(b)))
            }
            I::F64Div { dst, lhs, rhs } => {
                bin!(dst, lhs, rhs, |a, b| from_f64(f64_of(a) / f64_of(b)))
            }
            I::F64Min { dst, lhs, rhs } => {
                bin!(dst, lhs, rhs, |a, b| from_f64(fmin64(f64_of(a), f64_of(b))))
            }
            I::Wide { op, base } => wide_arith(op, &mut s[base as usize..]),
            I::Simd { op, dst, a, b, c } => step!(Simd { op, dst, a, b, c }),
            I::V128Load { dst, addr, offset } => {
                let cells = load_v128(m0, s[addr as usize], offset)?;
                simd::set_cells(s, dst, cells);
            }
            I::V128LoadAddImm {
                dst,
                lhs,
                offset,
                imm,
            } => step!(V128LoadAddImm {
                dst,
                lhs,
                offset,
                imm
            }),
            I::V128Store { addr, src, offset } => {
                store_bytes(m0, s[addr as usize], offset, simd::get_v(s, src))?;
            }
            I::SimdShuffle { dst, a, b } => {
                let lanes = [data!(), data!(), data!(), data!()];
                simd::shuffle(s, dst, a, b, lanes);
            }
            I::SimdMem {
                op,
                lane,
                val,
                addr,
                src,
            }
            | I::SimdMem64 {
                op,
                lane,
                val,
                addr,
                src,
            } => {
                // A 64-bit memory's offset takes two `Data`, low half first.
                let (offset, addr_type) = if matches!(*instr, I::SimdMem64 { .. }) {
                    let (lo, hi) = (data!(), data!());
                    (lo as u64 | (hi as u64) << 32, AddrType::I64)
                } else {
                    (data!() as u64, AddrType::I32)
                };
                let mem = data!();
                let mem = &mut memories[inst.memories[mem as usize] as usize].data;
                let slots = (val, addr, src, lane);
                simd::simd_mem(op, mem, s, slots, offset, addr_type)?;
                m0 = memory_data(memories, mem0);
            }
            I::Atomic {
                op,
                width,
                dst,
                addr,
                a,
                b,
            } => {
                let offset = data!();
                let mem = data!();
                let mem = &mut memories[inst.memories[mem as usize] as usize];
                atomic::atomic(op, width, mem, s, (dst, addr, a, b), offset)?;
                m0 = memory_data(memories, mem0);
            }
            I::GlobalGetV128 { dst, global } => {
                let g = &globals[inst.globals[global as usize] as usize];
                simd::set_v128(s, dst, g.bits());
            }
            I::GlobalSetV128 { global, src } => {
                globals[inst.globals[global as usize] as usize].set_bits(simd::get_v128(s, src));
            }
            I::F64Max { dst, lhs, rhs } => {
                bin!(dst, lhs, rhs, |a, b| from_f64(fmax64(f64_of(a), f64_of(b))))
            }
            I::F64Copysign { dst, lhs, rhs } => bin!(dst, lhs, rhs, |a, b| (a
                & 0x7fff_ffff_ffff_ffff)
                | (b & 0x8000_0000_0000_0000)),

            I::I32AddImm { dst, lhs, imm } => step!(I32AddImm { dst, lhs, imm }),
            I::I32MulImm { dst, lhs, imm } => imm!(dst, lhs, imm, |a, i| (a as u32)
                .wrapping_mul(i as u32)
                as u64),
            I::I32AndImm { dst, lhs, imm } => step!(I32AndImm { dst, lhs, imm }),
            I::I32OrImm { dst, lhs, imm } => imm!(dst, lhs, imm, |a, i| a | i as u32 as u64),
            I::I32XorImm { dst, lhs, imm } => imm!(dst, lhs, imm, |a, i| a ^ i as u32 as u64),
            // Rotations take their count modulo the width, as `rotate_*` does.
            I::I32RotlImm { dst, lhs, imm } => {
                imm!(dst, lhs, imm, |a, i| (a as u32).rotate_left(i as u32)
                    as u64)
            }
            I::I32RotrImm { dst, lhs, imm } => {
                imm!(dst, lhs, imm, |a, i| (a as u32).rotate_right(i as u32)
                    as u64)
            }
            I::I64RotlImm { dst, lhs, imm } => imm!(dst, lhs, imm, |a, i| a.rotate_left(i as u32)),
            I::I64RotrImm { dst, lhs, imm } => imm!(dst, lhs, imm, |a, i| a.rotate_right(i as u32)),
            I::I32ShlImm { dst, lhs, imm } => imm!(dst, lhs, imm, |a, i| (a as u32)
                .wrapping_shl(i as u32)
                as u64),
            I::I32ShrSImm { dst, lhs, imm } => imm!(dst, lhs, imm, |a, i| (a as i32)
                .wrapping_shr(i as u32)
                as u32
                as u64),
            I::I32ShrUImm { dst, lhs, imm } => step!(I32ShrUImm { dst, lhs, imm }),
            I::I32EqImm { dst, lhs, imm } => {
                imm!(dst, lhs, imm, |a, i| (a as u32 == i as u32) as u64)
            }
            I::I32NeImm { dst, lhs, imm } => {
                imm!(dst, lhs, imm, |a, i| (a as u32 != i as u32) as u64)
            }
            I::I32LtSImm { dst, lhs, imm } => imm!(dst, lhs, imm, |a, i| ((a as i32) < i) as u64),
            I::I32LtUImm { dst, lhs, imm } => {
                imm!(dst, lhs, imm, |a, i| ((a as u32) < i as u32) as u64)
            }
            I::I32GtSImm { dst, lhs, imm } => imm!(dst, lhs, imm, |a, i| ((a as i32) > i) as u64),
            I::I32GtUImm { dst, lhs, imm } => {
                imm!(dst, lhs, imm, |a, i| ((a as u32) > i as u32) as u64)
            }
            I::I32LeSImm { dst, lhs, imm } => imm!(dst, lhs, imm, |a, i| ((a as i32) <= i) as u64),
            I::I32LeUImm { dst, lhs, imm } => {
                imm!(dst, lhs, imm, |a, i| ((a as u32) <= i as u32) as u64)
            }
            I::I32GeSImm { dst, lhs, imm } => imm!(dst, lhs, imm, |a, i| ((a as i32) >= i) as u64),
            I::I32GeUImm { dst, lhs, imm } => {
                imm!(dst, lhs, imm, |a, i| ((a as u32) >= i as u32) as u64)
            }
            I::I64AddImm { dst, lhs, imm } => {
                imm!(dst, lhs, imm, |a, i| a.wrapping_add(i as i64 as u64))
            }
            I::I64MulImm { dst, lhs, imm } => step!(I64MulImm { dst, lhs, imm }),
            I::I64AndImm { dst, lhs, imm } => imm!(dst, lhs, imm, |a, i| a & i as i64 as u64),
            I::I64OrImm { dst, lhs, imm } => imm!(dst, lhs, imm, |a, i| a | i as i64 as u64),
            I::I64XorImm { dst, lhs, imm } => imm!(dst, lhs, imm, |a, i| a ^ i as i64 as u64),
            I::I64ShlImm { dst, lhs, imm } => step!(I64ShlImm { dst, lhs, imm }),
            I::I64ShrSImm { dst, lhs, imm } => imm!(dst, lhs, imm, |a, i| (a as i64)
                .wrapping_shr(i as u32)
                as u64),
            I::I64ShrUImm { dst, lhs, imm } => imm!(dst, lhs, imm, |a, i| a.wrapping_shr(i as u32)),
            I::I64EqImm { dst, lhs, imm } => {
                imm!(dst, lhs, imm, |a, i| (a == i as i64 as u64) as u64)
            }
            I::I64NeImm { dst, lhs, imm } => {
                imm!(dst, lhs, imm, |a, i| (a != i as i64 as u64) as u64)
            }
            I::I64LtSImm { dst, lhs, imm } => {
                imm!(dst, lhs, imm, |a, i| ((a as i64) < i as i64) as u64)
            }
            I::I64LtUImm { dst, lhs, imm } => {
                imm!(dst, lhs, imm, |a, i| (a < i as i64 as u64) as u64)
            }
            I::I64GtSImm { dst, lhs, imm } => {
                imm!(dst, lhs, imm, |a, i| ((a as i64) > i as i64) as u64)
            }
            I::I64GtUImm { dst, lhs, imm } => {
                imm!(dst, lhs, imm, |a, i| (a > i as i64 as u64) as u64)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fields a pair head's arm takes from its first instruction (`pair!(A { .. } then
    /// B { g = h, .. })`), read from this file's source, agree with `ir::pair_heads!`,
    /// which only pairs instructions where those fields are equal.
    #[test]
    fn pair_arms_forward_what_the_table_pairs_on() {
        let source = include_str!("mod.rs");
        let mut arms = 0;
        for &(head, table) in crate::translate::ir::FORWARDED_FIELDS {
            let Some(arm) = source.split("I::").find(|arm| {
                arm.strip_prefix(head)
                    .is_some_and(|rest| rest.starts_with(" {") && rest.contains("pair!("))
            }) else {
                assert!(table.is_empty(), "{head} forwards but has no `pair!` arm");
                continue;
            };
            arms += 1;
            let second = arm.split(" then ").nth(1).expect("pair! has a second");
            let fields = second.split('{').nth(1).and_then(|f| f.split('}').next());
            let forwarded: Vec<(&str, &str)> = fields
                .into_iter()
                .flat_map(|f| f.split(','))
                .filter_map(|field| field.split_once('='))
                .map(|(g, h)| (g.trim(), h.trim()))
                .collect();
            assert_eq!(forwarded, table, "{head}");
        }
        assert!(arms > 40, "found only {arms} pair arms");
    }

    #[test]
    fn opaque_returns_its_argument() {
        let code = [Instr::Br(0), Instr::Return { src: 0, n: 0 }];
        let first = code.as_ptr();
        assert_eq!(opaque(first), first);
        assert_eq!(opaque(first.wrapping_add(1)), first.wrapping_add(1));
        // One before the code, as a transfer of control leaves it before the step.
        let before = first.wrapping_sub(1);
        assert_eq!(opaque(before).wrapping_add(1), first);
        assert_eq!(opaque(core::ptr::null()), core::ptr::null());
    }

    /// The alignment directive in `align_dispatch` raises the alignment of `execute`'s
    /// section to 64 bytes.
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn execute_starts_on_a_64_byte_line() {
        let f = execute as fn(_, _, _, _) -> _;
        assert_eq!(f as usize % 64, 0);
    }

    #[test]
    fn memory_in_registers_returns_its_argument() {
        let mut bytes = vec![1u8, 2, 3, 4, 5];
        let at = bytes.as_ptr().wrapping_add(1);
        let m = memory_in_registers(&mut bytes[1..4]);
        assert_eq!((m.as_ptr(), m.len()), (at, 3));
        assert_eq!(m, [2, 3, 4]);
        m[2] = 9;
        let empty = memory_in_registers(&mut []);
        assert!(empty.is_empty());
        assert_eq!(bytes, [1, 2, 3, 9, 5], "nothing outside");
    }

    #[test]
    fn frame_in_register_returns_its_argument() {
        let mut cells = vec![0u64; MAX_FRAME_SLOTS + 2];
        let at = cells.as_ptr().wrapping_add(1);
        let window: &mut [u64; MAX_FRAME_SLOTS] =
            (&mut cells[1..=MAX_FRAME_SLOTS]).try_into().unwrap();
        window[0] = 7;
        let window = frame_in_register(window);
        assert_eq!(window.as_ptr(), at, "the same window");
        assert_eq!(window[0], 7);
        window[MAX_FRAME_SLOTS - 1] = 9;
        let window = frame_in_register(window);
        window[1] = 8;
        assert_eq!(cells[1..4], [7, 8, 0]);
        assert_eq!(cells[MAX_FRAME_SLOTS], 9);
        assert_eq!(
            (cells[0], cells[MAX_FRAME_SLOTS + 1]),
            (0, 0),
            "nothing outside"
        );
    }
}
