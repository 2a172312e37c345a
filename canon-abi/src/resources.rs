//! Resources (CanonicalABI.md: "Resource State", "canon resource.new/drop/rep"): runtime
//! resource types, the per-instance handle table with a free list, own/borrow handles and the
//! borrow scope of a call.

use crate::error::{trap_if, trap_if_with, Error, Result};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// A fresh identifier for a runtime object (resource type, instance, call).
pub(crate) fn fresh_id() -> u64 {
    NEXT_ID.fetch_add(1, Ordering::Relaxed)
}

/// A runtime resource type (the spec's `ResourceType`): generative, so two types are the same
/// only if they come from the same definition in the same instance (compared by identity).
#[derive(Clone)]
pub struct ResourceType(Arc<ResourceTypeInner>);

struct ResourceTypeInner {
    id: u64,
    name: String,
    /// The instance that defined it (`rt.impl`), by id and by a weak reference (a strong one
    /// would make a cycle through the instance's handle table); `None` for host types.
    impl_instance: Option<(u64, Weak<Mutex<ComponentInstanceState>>)>,
    /// `rt.dtor`, called with the `rep` when an owned handle is dropped.
    dtor: Option<Dtor>,
}

impl ResourceType {
    /// A resource type defined by the host, without a destructor.
    pub fn host(name: &str) -> ResourceType {
        ResourceType::new(name, None, None)
    }

    /// A resource type defined by the host whose destructor `dtor` runs with the `rep` when
    /// a component drops an owned handle (or the host calls
    /// [`ResourceAny::resource_drop`](crate::ResourceAny::resource_drop)).
    pub fn host_with_dtor(name: &str, dtor: impl Fn(u32) + Send + Sync + 'static) -> ResourceType {
        ResourceType::new(name, None, Some(Dtor::Host(Arc::new(dtor))))
    }

    /// A resource type defined by the host whose destructor gets the store as well as the
    /// `rep`, so host state kept in the store's data (e.g. a WASI table) can be released.
    /// The destructor runs only with a `Store<T>` of this `T`; with any other store, dropping
    /// an owned handle fails with [`Error::TypeMismatch`](crate::Error::TypeMismatch).
    pub fn host_with_store_dtor<T: 'static>(
        name: &str,
        dtor: impl Fn(&mut weft_interp::Store<T>, u32) -> Result<()> + Send + Sync + 'static,
    ) -> ResourceType {
        let f: StoreDtor<T> = Arc::new(dtor);
        ResourceType::new(name, None, Some(Dtor::HostStore(Arc::new(f))))
    }

    pub(crate) fn new(
        name: &str,
        impl_instance: Option<&InstanceRef>,
        dtor: Option<Dtor>,
    ) -> ResourceType {
        let impl_instance = impl_instance.map(|i| (i.id(), Arc::downgrade(&i.0)));
        ResourceType(Arc::new(ResourceTypeInner {
            id: fresh_id(),
            name: name.to_string(),
            impl_instance,
            dtor,
        }))
    }

    /// The name it was defined or imported under (for messages).
    pub fn name(&self) -> &str {
        &self.0.name
    }

    pub(crate) fn impl_instance(&self) -> Option<u64> {
        self.0.impl_instance.as_ref().map(|(id, _)| *id)
    }

    /// The defining instance's state, while it exists.
    pub(crate) fn impl_ref(&self) -> Option<InstanceRef> {
        self.0
            .impl_instance
            .as_ref()
            .and_then(|(_, w)| w.upgrade())
            .map(InstanceRef)
    }

    pub(crate) fn dtor(&self) -> Option<&Dtor> {
        self.0.dtor.as_ref()
    }
}

/// A resource destructor: a core function of the defining instance, or host code.
#[derive(Clone)]
pub(crate) enum Dtor {
    Core(weft_interp::Func),
    Host(Arc<dyn Fn(u32) + Send + Sync>),
    /// A [`StoreDtor<T>`], type-erased so that `ResourceType` needs no type parameter.
    HostStore(Arc<dyn std::any::Any + Send + Sync>),
}

/// A host destructor that gets the store (see [`ResourceType::host_with_store_dtor`]).
pub(crate) type StoreDtor<T> =
    Arc<dyn Fn(&mut weft_interp::Store<T>, u32) -> Result<()> + Send + Sync>;

impl PartialEq for ResourceType {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}
impl Eq for ResourceType {}

impl core::fmt::Debug for ResourceType {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "resource {}#{}", self.0.name, self.0.id)
    }
}

/// A resource value as it crosses a component boundary: its type, its representation
/// (`rep`) and whether it is owned (`own<R>`) or borrowed (`borrow<R>`).
///
/// The host is not a component and has no handle table, so an owned value is *moved* the
/// way a handle would be: passing it to Wasm as an `own` (or dropping it with
/// [`resource_drop`](ResourceAny::resource_drop)) uses it up, and so does every clone of
/// it, since clones share one liveness flag. Using it again is an error, not a dangling
/// `rep` in the guest.
#[derive(Debug, Clone)]
pub struct ResourceAny {
    /// The resource's type.
    pub ty: ResourceType,
    /// The representation the defining instance chose (`resource.new`'s argument).
    pub rep: u32,
    /// `own` (true) or `borrow` (false).
    pub own: bool,
    /// Cleared when the value is moved into Wasm or dropped; shared by clones.
    live: Arc<AtomicBool>,
}

impl ResourceAny {
    /// An owned resource of type `ty` with representation `rep` (what a host constructor
    /// returns for a host resource type).
    ///
    /// ```
    /// use weft_canon_abi::{ResourceAny, ResourceType};
    /// let file = ResourceType::host("file");
    /// let r = ResourceAny::new_own(file, 7);
    /// assert!(r.own && r.rep == 7 && r.is_live());
    /// ```
    pub fn new_own(ty: ResourceType, rep: u32) -> ResourceAny {
        ResourceAny::new(ty, rep, true)
    }

    /// A borrow of the resource of type `ty` with representation `rep`.
    pub fn new_borrow(ty: ResourceType, rep: u32) -> ResourceAny {
        ResourceAny::new(ty, rep, false)
    }

    fn new(ty: ResourceType, rep: u32, own: bool) -> ResourceAny {
        ResourceAny {
            ty,
            rep,
            own,
            live: Arc::new(AtomicBool::new(true)),
        }
    }

    /// Whether the value may still be used: false once it (or a clone) was moved into
    /// Wasm as an `own` or dropped.
    pub fn is_live(&self) -> bool {
        self.live.load(Ordering::Acquire)
    }

    /// Fails unless the value is still live.
    pub(crate) fn check_live(&self) -> Result<()> {
        if self.is_live() {
            Ok(())
        } else {
            Err(self.moved())
        }
    }

    /// Uses the value up (a move); fails if it was used up before.
    pub(crate) fn take(&self) -> Result<()> {
        if self.live.swap(false, Ordering::AcqRel) {
            Ok(())
        } else {
            Err(self.moved())
        }
    }

    fn moved(&self) -> Error {
        Error::ResourceMoved(format!("{} (rep {})", self.ty.name(), self.rep))
    }
}

/// Two values are equal when they name the same resource the same way (liveness aside).
impl PartialEq for ResourceAny {
    fn eq(&self, other: &ResourceAny) -> bool {
        self.ty == other.ty && self.rep == other.rep && self.own == other.own
    }
}

impl Eq for ResourceAny {}

/// CanonicalABI.md: `ResourceHandle` — an element of a handle table.
#[derive(Debug, Clone)]
pub(crate) struct ResourceHandle {
    /// The handle's resource type (`h.rt`), checked on every use.
    pub rt: ResourceType,
    pub rep: u32,
    pub own: bool,
    /// For borrows: the call (borrow scope) whose `borrow_count` this handle holds.
    pub borrow_scope: Option<u64>,
    /// For owns: how many calls have lent it out (`num_lends`).
    pub num_lends: u32,
}

/// CanonicalABI.md: `Table` — a vector with a free list; index 0 is reserved so that 0 is
/// never a valid handle.
#[derive(Debug)]
pub(crate) struct ResourceTable {
    array: Vec<Option<ResourceHandle>>,
    free: Vec<u32>,
}

impl ResourceTable {
    /// CanonicalABI.md: `Table.MAX_LENGTH`.
    pub const MAX_LENGTH: usize = (1 << 28) - 1;

    fn new() -> ResourceTable {
        ResourceTable {
            array: vec![None],
            free: Vec::new(),
        }
    }

    /// CanonicalABI.md: `Table.get`.
    pub fn get(&mut self, i: u32) -> Result<&mut ResourceHandle> {
        trap_if_with(i as usize >= self.array.len(), || {
            format!("unknown handle index {i}")
        })?;
        match &mut self.array[i as usize] {
            Some(h) => Ok(h),
            None => crate::error::trap(format!("unknown handle index {i}")),
        }
    }

    /// CanonicalABI.md: `Table.add`.
    pub fn add(&mut self, h: ResourceHandle) -> Result<u32> {
        if let Some(i) = self.free.pop() {
            self.array[i as usize] = Some(h);
            Ok(i)
        } else {
            let i = self.array.len();
            trap_if(i > Self::MAX_LENGTH, "handle table full")?;
            self.array.push(Some(h));
            Ok(i as u32)
        }
    }

    /// CanonicalABI.md: `Table.remove`.
    pub fn remove(&mut self, i: u32) -> Result<ResourceHandle> {
        self.get(i)?;
        let h = self.array[i as usize].take();
        self.free.push(i);
        h.ok_or_else(|| crate::Error::Trap(format!("unknown handle index {i}")))
    }
}

/// The runtime state of a component instance (CanonicalABI.md: `ComponentInstance`): the
/// `may_leave` / `may_enter` flags and one handle table per resource type.
#[derive(Debug)]
pub struct ComponentInstanceState {
    pub(crate) id: u64,
    pub(crate) may_leave: bool,
    pub(crate) may_enter: bool,
    /// Set when a call into the instance trapped: it may never be entered again.
    pub(crate) poisoned: bool,
    /// CanonicalABI.md: `inst.table` — one table for every handle of the instance.
    table: ResourceTable,
    /// `borrow_count` of each live borrow scope (lifted call), by call id.
    borrow_counts: HashMap<u64, u32>,
}

/// A shared reference to an instance's runtime state. It is locked only for short,
/// non-reentrant sections (never across a call into Wasm).
#[derive(Debug, Clone)]
pub struct InstanceRef(Arc<Mutex<ComponentInstanceState>>);

impl Default for InstanceRef {
    fn default() -> Self {
        InstanceRef::new()
    }
}

impl InstanceRef {
    /// The state of a fresh component instance.
    pub fn new() -> InstanceRef {
        InstanceRef(Arc::new(Mutex::new(ComponentInstanceState {
            id: fresh_id(),
            may_leave: true,
            may_enter: true,
            poisoned: false,
            table: ResourceTable::new(),
            borrow_counts: HashMap::new(),
        })))
    }

    /// Locks the state (a poisoned lock is recovered: the state stays consistent because
    /// no code path panics while holding it).
    pub(crate) fn lock(&self) -> MutexGuard<'_, ComponentInstanceState> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The instance's identity (compared with `rt.impl`).
    pub fn id(&self) -> u64 {
        self.lock().id
    }

    /// How many handles of type `rt` are live in this instance's table (for tests and
    /// leak checks).
    pub fn live_handles(&self, rt: &ResourceType) -> usize {
        let st = self.lock();
        st.table
            .array
            .iter()
            .filter(|h| h.as_ref().is_some_and(|h| h.rt == *rt))
            .count()
    }
}

impl ComponentInstanceState {
    /// CanonicalABI.md: `inst.table.get(i)` followed by `trap_if(h.rt is not rt)`.
    pub(crate) fn get(&mut self, rt: &ResourceType, i: u32) -> Result<&mut ResourceHandle> {
        let h = self.table.get(i)?;
        trap_if_with(h.rt != *rt, || {
            format!("handle index {i} used with the wrong type")
        })?;
        Ok(h)
    }

    /// CanonicalABI.md: `inst.table.add(h)`.
    pub(crate) fn add(&mut self, h: ResourceHandle) -> Result<u32> {
        self.table.add(h)
    }

    /// CanonicalABI.md: `inst.table.remove(i)`, after the type check of [`Self::get`].
    pub(crate) fn remove(&mut self, rt: &ResourceType, i: u32) -> Result<ResourceHandle> {
        self.get(rt, i)?;
        self.table.remove(i)
    }

    pub(crate) fn enter_scope(&mut self, scope: u64) {
        self.borrow_counts.insert(scope, 0);
    }

    pub(crate) fn borrow_count_mut(&mut self, scope: u64) -> Option<&mut u32> {
        self.borrow_counts.get_mut(&scope)
    }

    /// Ends a borrow scope and returns its final `borrow_count`.
    pub(crate) fn exit_scope(&mut self, scope: u64) -> u32 {
        self.borrow_counts.remove(&scope).unwrap_or(0)
    }
}

/// CanonicalABI.md: `CallContext` — the per-call state for borrows: the owned handles this
/// call lent out (`lenders`, in the lowering instance) and the borrow scope id whose
/// `borrow_count` is kept in the lifting instance's state.
#[derive(Debug)]
pub struct CallContext {
    pub(crate) lenders: Vec<(ResourceType, u32)>,
    pub(crate) scope: u64,
    /// The encodings and lengths of the strings lifted in this call, in order, so that
    /// lowering them into another component can size its `realloc`s as the spec does for
    /// that source encoding (CanonicalABI.md: `store_string_into_range`).
    pub(crate) strings: std::collections::VecDeque<crate::abi::string::StringSource>,
}

impl Default for CallContext {
    fn default() -> Self {
        CallContext::new()
    }
}

impl CallContext {
    /// A fresh call context.
    pub fn new() -> CallContext {
        CallContext {
            lenders: Vec::new(),
            scope: fresh_id(),
            strings: Default::default(),
        }
    }

    /// CanonicalABI.md: `track_owning_lend`.
    pub(crate) fn track_owning_lend(&mut self, rt: &ResourceType, i: u32, h: &mut ResourceHandle) {
        h.num_lends += 1;
        self.lenders.push((rt.clone(), i));
    }

    /// CanonicalABI.md: `exit_call` for the lowering side: every lent handle is returned.
    pub(crate) fn release_lends(&mut self, inst: &InstanceRef) {
        let mut st = inst.lock();
        for (rt, i) in self.lenders.drain(..) {
            if let Ok(h) = st.get(&rt, i) {
                h.num_lends = h.num_lends.saturating_sub(1);
            }
        }
    }
}

/// CanonicalABI.md: `canon resource.new` — a new owned handle for `rep`.
pub fn canon_resource_new(inst: &InstanceRef, rt: &ResourceType, rep: u32) -> Result<u32> {
    let mut st = inst.lock();
    trap_if(!st.may_leave, "cannot leave component instance")?;
    st.add(ResourceHandle {
        rt: rt.clone(),
        rep,
        own: true,
        borrow_scope: None,
        num_lends: 0,
    })
}

/// CanonicalABI.md: `canon resource.rep`.
pub fn canon_resource_rep(inst: &InstanceRef, rt: &ResourceType, i: u32) -> Result<u32> {
    let mut st = inst.lock();
    Ok(st.get(rt, i)?.rep)
}

/// CanonicalABI.md: `canon resource.drop` — removes handle `i`; for an owned handle returns
/// its `rep`, whose destruction (see [`ResourceType`]'s `dtor`) the caller runs outside
/// the lock.
pub fn canon_resource_drop(inst: &InstanceRef, rt: &ResourceType, i: u32) -> Result<Option<u32>> {
    let mut st = inst.lock();
    trap_if(!st.may_leave, "cannot leave component instance")?;
    let h = st.get(rt, i)?.clone();
    if h.own {
        // CanonicalABI.md: `trap_if(h.num_lends != 0)` — the handle is lent to a call.
        trap_if(
            h.num_lends != 0,
            "cannot remove owned resource while borrowed",
        )?;
        st.remove(rt, i)?;
        Ok(Some(h.rep))
    } else {
        st.remove(rt, i)?;
        if let Some(n) = h.borrow_scope.and_then(|s| st.borrow_count_mut(s)) {
            *n -= 1;
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_zero_is_reserved_and_free_list_reuses() {
        let inst = InstanceRef::new();
        let rt = ResourceType::host("r");
        let a = canon_resource_new(&inst, &rt, 10).unwrap();
        let b = canon_resource_new(&inst, &rt, 20).unwrap();
        assert_eq!((a, b), (1, 2));
        assert_eq!(canon_resource_rep(&inst, &rt, b).unwrap(), 20);
        assert_eq!(canon_resource_drop(&inst, &rt, a).unwrap(), Some(10));
        assert!(canon_resource_rep(&inst, &rt, a).is_err());
        assert_eq!(canon_resource_new(&inst, &rt, 30).unwrap(), 1);
        assert!(canon_resource_rep(&inst, &rt, 0).is_err());
        assert!(canon_resource_drop(&inst, &rt, 7).is_err());
        assert_eq!(inst.live_handles(&rt), 2);
    }

    #[test]
    fn handles_are_checked_against_their_type() {
        let inst = InstanceRef::new();
        let (r1, r2) = (ResourceType::host("a"), ResourceType::host("b"));
        let h = canon_resource_new(&inst, &r1, 5).unwrap();
        assert!(canon_resource_rep(&inst, &r2, h).is_err());
        assert_ne!(r1, r2);
    }

    #[test]
    fn dropping_a_lent_handle_traps() {
        let inst = InstanceRef::new();
        let rt = ResourceType::host("r");
        let i = canon_resource_new(&inst, &rt, 1).unwrap();
        let mut cx = CallContext::new();
        {
            let mut st = inst.lock();
            let h = st.get(&rt, i).unwrap();
            let mut tmp = h.clone();
            cx.track_owning_lend(&rt, i, &mut tmp);
            *h = tmp;
        }
        let e = canon_resource_drop(&inst, &rt, i).unwrap_err();
        assert!(e.to_string().contains("borrowed"), "{e}");
        cx.release_lends(&inst);
        assert!(canon_resource_drop(&inst, &rt, i).is_ok());
    }
}
