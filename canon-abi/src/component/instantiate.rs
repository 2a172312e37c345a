//! Instantiation: runs a component's plan, definition by definition, keeping every index
//! space (Explainer.md: "Index spaces") as runtime objects.

use super::func::{check_gc_signature, Func, Lifted, Lowered, RuntimeOpts};
use super::plan::{CanonOpts, ComponentDef, CoreSort, Init, Sort};
use super::{Definition, Exports};
use crate::abi::{CoreType, ResourceMap};
use crate::error::{to_core, Error, Result};
use crate::resources::{
    canon_resource_drop, canon_resource_new, canon_resource_rep, Dtor, InstanceRef, ResourceType,
};
use crate::types::ResourceId;
use std::collections::HashMap;
use std::sync::Arc;
use weft_interp::{
    AsContextMut, Extern, FuncType as CoreFuncType, Module, Store, Val as Core, ValType,
};

enum CoreInstance {
    Instance(weft_interp::Instance),
    Exports(HashMap<String, Extern>),
}

/// The module and component index spaces of an enclosing component instance, for outer
/// aliases resolved at run time.
#[derive(Default)]
pub(crate) struct Scope {
    modules: Vec<Module>,
    components: Vec<ComponentClosure>,
}

/// A component value: its definition and the scopes of the instances it was defined in,
/// which its outer aliases refer to (Explainer.md: components are closures).
#[derive(Clone)]
pub(crate) struct ComponentClosure {
    pub def: Arc<ComponentDef>,
    pub scopes: Vec<Arc<Scope>>,
}

/// The index spaces of one component instance being built.
struct Frame<'d> {
    def: &'d ComponentDef,
    /// The enclosing instances' scopes, innermost first (`count` 1 is `scopes[0]`).
    scopes: Vec<Arc<Scope>>,
    inst: InstanceRef,
    resources: ResourceMap,
    core_funcs: Vec<weft_interp::Func>,
    core_memories: Vec<weft_interp::Memory>,
    core_tables: Vec<weft_interp::Table>,
    core_globals: Vec<weft_interp::Global>,
    core_tags: Vec<weft_interp::Tag>,
    core_instances: Vec<CoreInstance>,
    modules: Vec<Module>,
    funcs: Vec<Func>,
    types: Vec<Option<ResourceType>>,
    instances: Vec<Arc<Exports>>,
    components: Vec<ComponentClosure>,
    exports: Exports,
}

fn missing(what: &str, index: u32) -> Error {
    Error::Unsupported(format!("{what} index {index} is not defined"))
}

/// Instantiates `def` with `imports`; returns its exports and its runtime state. `outer`
/// are the resource bindings of the enclosing instance (reachable by outer aliases).
pub(crate) fn instantiate<T: 'static>(
    store: &mut Store<T>,
    def: &ComponentDef,
    imports: &Exports,
    outer: &ResourceMap,
    scopes: Vec<Arc<Scope>>,
) -> Result<(Exports, InstanceRef)> {
    let mut f = Frame {
        def,
        scopes,
        inst: InstanceRef::new(),
        resources: outer.clone(),
        core_funcs: Vec::new(),
        core_memories: Vec::new(),
        core_tables: Vec::new(),
        core_globals: Vec::new(),
        core_tags: Vec::new(),
        core_instances: Vec::new(),
        modules: Vec::new(),
        funcs: Vec::new(),
        types: Vec::new(),
        instances: Vec::new(),
        components: Vec::new(),
        exports: Exports::new(),
    };
    // An instance cannot be entered while it is being instantiated (a core start function
    // calling back into one of its own lifted exports traps).
    f.inst.lock().may_enter = false;
    for init in &def.inits {
        f.run(store, init, imports)?;
    }
    f.inst.lock().may_enter = true;
    Ok((f.exports, f.inst))
}

impl Frame<'_> {
    fn run<T: 'static>(
        &mut self,
        store: &mut Store<T>,
        init: &Init,
        imports: &Exports,
    ) -> Result<()> {
        match init {
            Init::Module(m) => self.modules.push(m.clone()),
            Init::CoreInstantiate { module, args } => {
                let module = self
                    .modules
                    .get(*module as usize)
                    .ok_or_else(|| missing("module", *module))?
                    .clone();
                let mut externs = Vec::new();
                for import in module.imports() {
                    let (_, inst) =
                        args.iter()
                            .find(|(n, _)| *n == import.module)
                            .ok_or_else(|| {
                                Error::UnknownImport(format!("{}::{}", import.module, import.name))
                            })?;
                    let ext = self
                        .core_export(store, *inst, &import.name)?
                        .ok_or_else(|| {
                            Error::UnknownImport(format!("{}::{}", import.module, import.name))
                        })?;
                    externs.push(ext);
                }
                let instance = weft_interp::Instance::new(store, &module, &externs)?;
                self.core_instances.push(CoreInstance::Instance(instance));
            }
            Init::CoreFromExports(items) => {
                let mut map = HashMap::new();
                for (name, sort, index) in items {
                    map.insert(name.clone(), self.core_item(*sort, *index)?);
                }
                self.core_instances.push(CoreInstance::Exports(map));
            }
            Init::CoreAlias {
                sort,
                instance,
                name,
            } => {
                let ext = self.core_export(store, *instance, name)?.ok_or_else(|| {
                    Error::ExportNotFound {
                        kind: "core item",
                        name: name.clone(),
                    }
                })?;
                match (sort, ext) {
                    (CoreSort::Func, Extern::Func(x)) => self.core_funcs.push(x),
                    (CoreSort::Memory, Extern::Memory(x)) => self.core_memories.push(x),
                    (CoreSort::Table, Extern::Table(x)) => self.core_tables.push(x),
                    (CoreSort::Global, Extern::Global(x)) => self.core_globals.push(x),
                    (CoreSort::Tag, Extern::Tag(x)) => self.core_tags.push(x),
                    _ => {
                        return Err(Error::TypeMismatch(format!(
                            "core export `{name}` has another sort"
                        )))
                    }
                }
            }
            Init::Component(def) => {
                let mut scopes = vec![Arc::new(Scope {
                    modules: self.modules.clone(),
                    components: self.components.clone(),
                })];
                scopes.extend(self.scopes.iter().cloned());
                self.components.push(ComponentClosure {
                    def: def.clone(),
                    scopes,
                });
            }
            Init::Instantiate { component, args } => {
                let child = self
                    .components
                    .get(*component as usize)
                    .ok_or_else(|| missing("component", *component))?
                    .clone();
                let mut child_imports = Exports::new();
                for (name, sort, index) in args {
                    child_imports.insert(name.clone(), self.item(*sort, *index)?);
                }
                let (exports, _) = instantiate(
                    store,
                    &child.def,
                    &child_imports,
                    &self.resources,
                    child.scopes.clone(),
                )?;
                self.push(Definition::Instance(Arc::new(exports)))?;
            }
            Init::OuterAlias { sort, count, index } => {
                // `count` 0 is this component itself, 1 its parent, ...
                let (modules, components) = match (*count as usize).checked_sub(1) {
                    None => (&self.modules, &self.components),
                    Some(i) => {
                        let scope = self
                            .scopes
                            .get(i)
                            .ok_or_else(|| missing("outer scope", *count))?;
                        (&scope.modules, &scope.components)
                    }
                };
                let d = match sort {
                    Sort::Module => modules
                        .get(*index as usize)
                        .cloned()
                        .map(Definition::Module),
                    _ => components
                        .get(*index as usize)
                        .cloned()
                        .map(Definition::Component),
                };
                self.push(d.ok_or_else(|| missing(sort.name(), *index))?)?;
            }
            Init::FromExports(items) => {
                let mut map = Exports::new();
                for (name, sort, index) in items {
                    map.insert(name.clone(), self.item(*sort, *index)?);
                }
                self.push(Definition::Instance(Arc::new(map)))?;
            }
            Init::Alias {
                sort,
                instance,
                name,
            } => {
                let exports = self
                    .instances
                    .get(*instance as usize)
                    .ok_or_else(|| missing("instance", *instance))?;
                let d = match exports.get(name) {
                    Some(d) => d.clone(),
                    // A type that is not a resource has no runtime identity, so a host
                    // instance need not define it (validation already checked that the
                    // import's type has it); a resource type must be there.
                    None if *sort == Sort::Type
                        && !matches!(
                            self.def.type_resources.get(self.types.len()),
                            Some(Some(_))
                        ) =>
                    {
                        Definition::Type(None)
                    }
                    None => {
                        return Err(Error::ExportNotFound {
                            kind: sort.name(),
                            name: name.clone(),
                        })
                    }
                };
                self.push(d)?;
            }
            Init::Type { resource_def } => {
                let index = self.types.len();
                let rid = self.def.type_resources.get(index).copied().flatten();
                let rt = match (resource_def, rid) {
                    (Some(dtor), _) => {
                        let dtor = match dtor {
                            Some(i) => Some(Dtor::Core(
                                *self
                                    .core_funcs
                                    .get(*i as usize)
                                    .ok_or_else(|| missing("core func", *i))?,
                            )),
                            None => None,
                        };
                        Some(ResourceType::new(
                            &format!("resource{index}"),
                            Some(&self.inst),
                            dtor,
                        ))
                    }
                    (None, Some(rid)) => self.resources.get(&rid).cloned(),
                    (None, None) => None,
                };
                self.push(Definition::Type(rt))?;
            }
            Init::Lift {
                core_func,
                func_index,
                opts,
            } => {
                let ty = self.func_type(*func_index)?;
                if opts.gc {
                    check_gc_signature(&ty)?;
                }
                let callee = *self
                    .core_funcs
                    .get(*core_func as usize)
                    .ok_or_else(|| missing("core func", *core_func))?;
                let lifted = Lifted {
                    param_types: ty.param_types(),
                    ty,
                    callee,
                    opts: self.opts(store, opts)?,
                    inst: self.inst.clone(),
                    resources: Arc::new(self.resources.clone()),
                };
                self.push(Definition::Func(Func::lifted(lifted)))?;
            }
            Init::Lower { func, opts } => {
                if opts.gc {
                    check_gc_signature(&*self.func_type(*func)?)?;
                }
                let lowered = Lowered {
                    callee: self
                        .funcs
                        .get(*func as usize)
                        .ok_or_else(|| missing("func", *func))?
                        .clone(),
                    param_types: self.func_type(*func)?.param_types(),
                    ty: self.func_type(*func)?,
                    opts: self.opts(store, opts)?,
                    inst: self.inst.clone(),
                    resources: Arc::new(self.resources.clone()),
                };
                self.core_funcs.push(lowered.into_core(store));
            }
            Init::ResourceNew { ty } => {
                let (rt, inst) = (self.resource_type(*ty)?, self.inst.clone());
                let f = resource_builtin(store, true, move |_, i| {
                    canon_resource_new(&inst, &rt, i).map(Some)
                });
                self.core_funcs.push(f);
            }
            Init::ResourceRep { ty } => {
                let (rt, inst) = (self.resource_type(*ty)?, self.inst.clone());
                let f = resource_builtin(store, true, move |_, i| {
                    canon_resource_rep(&inst, &rt, i).map(Some)
                });
                self.core_funcs.push(f);
            }
            Init::ResourceDrop { ty } => {
                let (rt, inst) = (self.resource_type(*ty)?, self.inst.clone());
                let f = resource_builtin(store, false, move |store, i| {
                    if let Some(rep) = canon_resource_drop(&inst, &rt, i)? {
                        destroy(store, Some(inst.id()), &rt, rep)?;
                    }
                    Ok(None)
                });
                self.core_funcs.push(f);
            }
            Init::Import { name, sort } => {
                let d = match imports.get(name) {
                    Some(d) => d.clone(),
                    // A type import bounded by `eq` needs no definition: it is the type
                    // it equals. Resource type imports (`sub resource`) do.
                    None if *sort == Sort::Type
                        && self.def.type_resources.get(self.types.len()) == Some(&None) =>
                    {
                        Definition::Type(None)
                    }
                    // Neither does an instance whose type promises nothing to define but
                    // (possibly nested) empty instances.
                    None if *sort == Sort::Instance => {
                        let promised = self.def.instance_exports.get(self.instances.len());
                        match promised.and_then(|p| empty_instances(p)) {
                            Some(exports) => Definition::Instance(Arc::new(exports)),
                            None => return Err(Error::UnknownImport(name.clone())),
                        }
                    }
                    None => return Err(Error::UnknownImport(name.clone())),
                };
                if d.sort() != *sort {
                    return Err(Error::IncompatibleImport {
                        name: name.clone(),
                        reason: format!("expected a {}, found a {}", sort.name(), d.sort().name()),
                    });
                }
                match &d {
                    Definition::Instance(exports) => self.check_instance_import(name, exports)?,
                    Definition::Func(f) => {
                        let expected = self.func_type(self.funcs.len() as u32).ok();
                        check_func(f, expected.as_deref()).map_err(|reason| {
                            Error::IncompatibleImport {
                                name: name.clone(),
                                reason,
                            }
                        })?;
                    }
                    Definition::Component(c) => {
                        if let Some(sig) = self.def.component_sigs.get(self.components.len()) {
                            sig.check(&c.def)
                                .map_err(|reason| Error::IncompatibleImport {
                                    name: name.clone(),
                                    reason,
                                })?;
                        }
                    }
                    Definition::Module(m) => {
                        if let Some(sig) = self.def.module_sigs.get(self.modules.len()) {
                            sig.check(m).map_err(|reason| Error::IncompatibleImport {
                                name: name.clone(),
                                reason,
                            })?;
                        }
                    }
                    _ => {}
                }
                let before = self.resources.clone();
                self.push(d)?;
                // Two imports that the types say are one resource type must be one.
                for (rid, rt) in &self.resources {
                    if before.get(rid).is_some_and(|old| old != rt) {
                        return Err(Error::IncompatibleImport {
                            name: name.clone(),
                            reason: "mismatched resource types".into(),
                        });
                    }
                }
            }
            Init::Export { name, sort, index } => {
                let d = self.item(*sort, *index)?;
                self.exports.insert(name.clone(), d.clone());
                self.push(d)?;
            }
        }
        Ok(())
    }

    /// Adds `d` to its index space, binding the static resource types it carries.
    fn push(&mut self, d: Definition) -> Result<()> {
        match d {
            Definition::Func(f) => {
                // A host function takes the type its place in the index space has (from an
                // import or an alias of an imported instance's export).
                let f = match self.func_type(self.funcs.len() as u32) {
                    Ok(ty) => f.as_import_of(&ty),
                    Err(_) => f,
                };
                self.funcs.push(f)
            }
            Definition::Module(m) => self.modules.push(m),
            Definition::Component(c) => self.components.push(c),
            Definition::Type(rt) => {
                if let (Some(Some(rid)), Some(rt)) =
                    (self.def.type_resources.get(self.types.len()), &rt)
                {
                    self.resources.insert(*rid, rt.clone());
                }
                self.types.push(rt);
            }
            Definition::Instance(exports) => {
                if let Some(paths) = self.def.instance_resources.get(self.instances.len()) {
                    let mut bound: HashMap<ResourceId, ResourceType> = HashMap::new();
                    for (path, rid) in paths {
                        if let Some(rt) = resolve_type(&exports, path) {
                            // Exports the type says are one resource type must be one.
                            if bound.get(rid).is_some_and(|b| *b != rt) {
                                return Err(Error::IncompatibleImport {
                                    name: path.join("#"),
                                    reason: "mismatched resource types".into(),
                                });
                            }
                            bound.insert(*rid, rt.clone());
                            self.resources.insert(*rid, rt);
                        }
                    }
                }
                self.instances.push(exports);
            }
        }
        Ok(())
    }

    /// Every export the imported instance's type promises must be there, of its sort.
    fn check_instance_import(&self, name: &str, exports: &Exports) -> Result<()> {
        let Some(promised) = self.def.instance_exports.get(self.instances.len()) else {
            return Ok(());
        };
        for p in promised {
            let path = p.path.join("#");
            let reason = match lookup(exports, &p.path) {
                None => format!("`{path}` was not found"),
                Some(d) if d.sort() != p.sort => format!(
                    "`{path}` is a {}, expected a {}",
                    d.sort().name(),
                    p.sort.name()
                ),
                Some(Definition::Module(m)) => match p.module.as_ref().map(|sig| sig.check(m)) {
                    Some(Err(e)) => e,
                    _ => continue,
                },
                Some(Definition::Func(f)) => match check_func(f, p.func.as_deref()) {
                    Err(e) => format!("`{path}`: {e}"),
                    Ok(()) => continue,
                },
                Some(_) => continue,
            };
            return Err(Error::IncompatibleImport {
                name: name.to_string(),
                reason,
            });
        }
        Ok(())
    }

    fn item(&self, sort: Sort, index: u32) -> Result<Definition> {
        let i = index as usize;
        let d = match sort {
            Sort::Func => self.funcs.get(i).cloned().map(Definition::Func),
            Sort::Type => self.types.get(i).cloned().map(Definition::Type),
            Sort::Instance => self.instances.get(i).cloned().map(Definition::Instance),
            Sort::Module => self.modules.get(i).cloned().map(Definition::Module),
            Sort::Component => self.components.get(i).cloned().map(Definition::Component),
            Sort::Value => return Err(Error::Unsupported("component values".into())),
        };
        d.ok_or_else(|| missing(sort.name(), index))
    }

    fn core_item(&self, sort: CoreSort, index: u32) -> Result<Extern> {
        let i = index as usize;
        let e = match sort {
            CoreSort::Func => self.core_funcs.get(i).map(|x| Extern::Func(*x)),
            CoreSort::Memory => self.core_memories.get(i).map(|x| Extern::Memory(*x)),
            CoreSort::Table => self.core_tables.get(i).map(|x| Extern::Table(*x)),
            CoreSort::Global => self.core_globals.get(i).map(|x| Extern::Global(*x)),
            CoreSort::Tag => self.core_tags.get(i).map(|x| Extern::Tag(*x)),
        };
        e.ok_or_else(|| missing("core item", index))
    }

    fn core_export<T>(
        &self,
        store: &Store<T>,
        instance: u32,
        name: &str,
    ) -> Result<Option<Extern>> {
        Ok(
            match self
                .core_instances
                .get(instance as usize)
                .ok_or_else(|| missing("core instance", instance))?
            {
                CoreInstance::Instance(i) => i.get_export(store, name),
                CoreInstance::Exports(map) => map.get(name).copied(),
            },
        )
    }

    fn func_type(&self, index: u32) -> Result<Arc<crate::types::FuncType>> {
        match self.def.func_types.get(index as usize) {
            Some(Ok(t)) => Ok(t.clone()),
            Some(Err(e)) => Err(Error::Unsupported(e.clone())),
            None => Err(missing("func", index)),
        }
    }

    fn resource_type(&self, index: u32) -> Result<ResourceType> {
        self.types
            .get(index as usize)
            .cloned()
            .flatten()
            .ok_or_else(|| Error::Unsupported(format!("type {index} is not a bound resource type")))
    }

    fn opts<T>(&self, store: &Store<T>, o: &CanonOpts) -> Result<RuntimeOpts> {
        let core_func = |i: u32| {
            self.core_funcs
                .get(i as usize)
                .copied()
                .ok_or_else(|| missing("core func", i))
        };
        let memory = match o.memory {
            Some(m) => Some(
                *self
                    .core_memories
                    .get(m as usize)
                    .ok_or_else(|| missing("core memory", m))?,
            ),
            None => None,
        };
        // CanonicalABI.md: `ptr_type` — a 64-bit memory (🐘) has 64-bit pointers.
        let ptr_type = match memory.map(|m| m.ty(store).addr_type) {
            Some(weft_interp::AddrType::I64) => CoreType::I64,
            _ => CoreType::I32,
        };
        Ok(RuntimeOpts {
            memory,
            ptr_type,
            realloc: o.realloc.map(core_func).transpose()?,
            post_return: o.post_return.map(core_func).transpose()?,
            string_encoding: o.string_encoding,
            gc: o.gc,
        })
    }
}

/// The instance a type promising only (nested) instances describes, if that is all it
/// promises.
fn empty_instances(promised: &[super::plan::PromisedExport]) -> Option<Exports> {
    fn insert(map: &mut Exports, path: &[String]) {
        if let Some((first, rest)) = path.split_first() {
            let entry = map
                .entry(first.clone())
                .or_insert_with(|| Definition::Instance(Arc::new(Exports::new())));
            if let Definition::Instance(inner) = entry {
                insert(Arc::make_mut(inner), rest);
            }
        }
    }
    let mut root = Exports::new();
    for p in promised {
        if p.sort != Sort::Instance {
            return None;
        }
        insert(&mut root, &p.path);
    }
    Some(root)
}

/// A function satisfies an import of type `expected` (see [`Func::accepts`]).
fn check_func(f: &Func, expected: Option<&crate::types::FuncType>) -> Result<(), String> {
    expected.map_or(Ok(()), |t| f.accepts(t))
}

fn lookup<'e>(exports: &'e Exports, path: &[String]) -> Option<&'e Definition> {
    let (first, rest) = path.split_first()?;
    match (exports.get(first)?, rest.is_empty()) {
        (d, true) => Some(d),
        (Definition::Instance(inner), false) => lookup(inner, rest),
        _ => None,
    }
}

fn resolve_type(exports: &Exports, path: &[String]) -> Option<ResourceType> {
    let (first, rest) = path.split_first()?;
    match (exports.get(first)?, rest.is_empty()) {
        (Definition::Type(rt), true) => rt.clone(),
        (Definition::Instance(inner), false) => resolve_type(inner, rest),
        _ => None,
    }
}

/// A `resource.new/rep/drop` built-in: `(i32) -> (i32)`, or `(i32) -> ()` for drop.
fn resource_builtin<T: 'static>(
    store: &mut Store<T>,
    has_result: bool,
    f: impl Fn(&mut Store<T>, u32) -> Result<Option<u32>> + Send + Sync + 'static,
) -> weft_interp::Func {
    let results: &[ValType] = if has_result { &[ValType::I32] } else { &[] };
    let ty = CoreFuncType::new([ValType::I32], results.iter().copied());
    weft_interp::Func::new(store, ty, move |mut caller, args, results| {
        let i = args.first().and_then(|v| v.i32()).unwrap_or(0) as u32;
        let r = f(caller.as_context_mut(), i).map_err(to_core)?;
        if let (Some(r), Some(slot)) = (r, results.first_mut()) {
            *slot = Core::I32(r as i32);
        }
        Ok(())
    })
}

/// CanonicalABI.md: `canon resource.drop` of an owned handle, once removed from the
/// table of instance `dropping` (`None`: the host). The defining instance runs `rt.dtor`
/// itself; anyone else enters it as `canon_lift` would, so it traps if that instance may
/// not be entered (and a destructor that traps poisons it).
pub(crate) fn destroy<T: 'static>(
    store: &mut Store<T>,
    dropping: Option<u64>,
    rt: &ResourceType,
    rep: u32,
) -> Result<()> {
    let Some(imp) = rt.impl_ref().filter(|_| rt.impl_instance() != dropping) else {
        return run_dtor(store, rt, rep);
    };
    {
        let mut st = imp.lock();
        crate::error::trap_if(
            st.poisoned || !st.may_enter,
            "cannot enter component instance",
        )?;
        if rt.dtor().is_none() {
            return Ok(());
        }
        st.may_enter = false;
    }
    let r = run_dtor(store, rt, rep);
    let mut st = imp.lock();
    match r {
        Ok(()) => st.may_enter = true,
        Err(_) => st.poisoned = true,
    }
    r
}

/// Runs a resource's destructor (`rt.dtor(rep)`).
fn run_dtor<T: 'static>(store: &mut Store<T>, rt: &ResourceType, rep: u32) -> Result<()> {
    match rt.dtor() {
        Some(Dtor::Core(f)) => f.call(store, &[Core::I32(rep as i32)], &mut [])?,
        Some(Dtor::Host(f)) => f(rep),
        Some(Dtor::HostStore(f)) => {
            let f = f
                .downcast_ref::<crate::resources::StoreDtor<T>>()
                .ok_or_else(|| {
                    Error::TypeMismatch(format!(
                        "the destructor of {rt:?} used with a store of another type"
                    ))
                })?;
            f(store, rep)?
        }
        None => {}
    }
    Ok(())
}
