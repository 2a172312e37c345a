//! Parsing: the component's bytes are validated by `wasmparser` (with the component-model
//! feature) and turned into a [`ComponentDef`] per component, nested ones included.

use super::plan::{
    CanonOpts, ComponentDef, ComponentSig, CoreSort, Init, ModuleSig, PromisedExport, Sort,
};
use crate::abi::StringEncoding;
use crate::error::{Error, Result};
use crate::types::{FuncType, ResourceId};
use std::sync::Arc;
use wasmparser::component_types::{
    ComponentAnyTypeId, ComponentCoreModuleTypeId, ComponentEntityType, ComponentInstanceTypeId,
};
use wasmparser::types::TypesRef;
use wasmparser::{
    CanonicalFunction, CanonicalOption, ComponentAlias, ComponentExternalKind,
    ComponentOuterAliasKind, ComponentType, ComponentTypeRef, ExternalKind, Instance, Parser,
    Payload, ValidPayload, Validator, WasmFeatures,
};
use weft_interp::{Engine, Module};

/// A component being parsed: its plan so far and the static index spaces outer aliases
/// can reach (modules and components).
#[derive(Default)]
struct Frame {
    def: ComponentDef,
    modules: Vec<Option<Module>>,
    components: Vec<Option<Arc<ComponentDef>>>,
}

fn unsupported<T>(what: &str) -> Result<T> {
    Err(Error::Unsupported(what.to_string()))
}

fn sort_of(kind: ComponentExternalKind) -> Sort {
    match kind {
        ComponentExternalKind::Module => Sort::Module,
        ComponentExternalKind::Func => Sort::Func,
        ComponentExternalKind::Value => Sort::Value,
        ComponentExternalKind::Type => Sort::Type,
        ComponentExternalKind::Instance => Sort::Instance,
        ComponentExternalKind::Component => Sort::Component,
    }
}

fn core_sort_of(kind: ExternalKind) -> Result<CoreSort> {
    Ok(match kind {
        ExternalKind::Func | ExternalKind::FuncExact => CoreSort::Func,
        ExternalKind::Table => CoreSort::Table,
        ExternalKind::Memory => CoreSort::Memory,
        ExternalKind::Global => CoreSort::Global,
        ExternalKind::Tag => CoreSort::Tag,
    })
}

fn sort_of_typeref(ty: &ComponentTypeRef) -> Sort {
    match ty {
        ComponentTypeRef::Module(_) => Sort::Module,
        ComponentTypeRef::Func(_) => Sort::Func,
        ComponentTypeRef::Value(_) => Sort::Value,
        ComponentTypeRef::Type(_) => Sort::Type,
        ComponentTypeRef::Instance(_) => Sort::Instance,
        ComponentTypeRef::Component(_) => Sort::Component,
    }
}

fn canon_opts(options: &[CanonicalOption]) -> Result<CanonOpts> {
    let mut opts = CanonOpts::default();
    for o in options {
        match o {
            CanonicalOption::UTF8 => opts.string_encoding = StringEncoding::Utf8,
            CanonicalOption::UTF16 => opts.string_encoding = StringEncoding::Utf16,
            CanonicalOption::CompactUTF16 => opts.string_encoding = StringEncoding::CompactUtf16,
            CanonicalOption::Memory(m) => opts.memory = Some(*m),
            CanonicalOption::Realloc(f) => opts.realloc = Some(*f),
            CanonicalOption::PostReturn(f) => opts.post_return = Some(*f),
            CanonicalOption::Async | CanonicalOption::Callback(_) => {
                return unsupported("async canonical options (Preview 3)")
            }
            CanonicalOption::Gc => opts.gc = true,
            // The validator has checked that the declared core type is the GC lowering of
            // the function's type, which is what `canon lower` then defines.
            CanonicalOption::CoreType(_) => {}
        }
    }
    Ok(opts)
}

/// The features components are validated with: wasmparser's defaults plus the component
/// model, and the Component Model gates [`Config`](weft_interp::Config) sets.
fn features(config: &weft_interp::Config) -> WasmFeatures {
    let mut f = WasmFeatures::default() | WasmFeatures::COMPONENT_MODEL;
    f.set(
        WasmFeatures::CM_IMPLEMENTS,
        config.get_component_model_implements(),
    );
    f.set(WasmFeatures::CM_GC, config.get_component_model_gc());
    f.set(WasmFeatures::CM64, config.get_component_model_memory64());
    f.set(
        WasmFeatures::CM_FIXED_LENGTH_LISTS,
        config.get_component_model_fixed_length_lists(),
    );
    f
}

/// Validates `bytes` as a component and builds its plan.
pub(crate) fn parse(engine: &Engine, bytes: &[u8]) -> Result<ComponentDef> {
    let mut validator = Validator::new_with_features(features(engine.config()));
    let mut stack: Vec<Frame> = Vec::new();
    // Depth of core modules being skipped (their payloads only go to the validator).
    let mut in_module = 0usize;
    for payload in Parser::new(0).parse_all(bytes) {
        let payload = payload?;
        let valid = validator.payload(&payload)?;
        if in_module > 0 {
            if let Payload::End(_) = payload {
                in_module -= 1;
            }
            continue;
        }
        match payload {
            Payload::Version { encoding, .. } => {
                if encoding != wasmparser::Encoding::Component {
                    return Err(Error::Unsupported(
                        "expected a component, found a core module".into(),
                    ));
                }
                stack.push(Frame::default());
            }
            Payload::ModuleSection {
                unchecked_range, ..
            } => {
                let module = Module::from_binary(
                    engine,
                    bytes
                        .get(unchecked_range.start as usize..unchecked_range.end as usize)
                        .unwrap_or_default(),
                )?;
                let f = top(&mut stack)?;
                f.modules.push(Some(module.clone()));
                f.def.inits.push(Init::Module(module));
                in_module += 1;
            }
            Payload::InstanceSection(reader) => {
                for inst in reader {
                    let init = match inst? {
                        Instance::Instantiate { module_index, args } => Init::CoreInstantiate {
                            module: module_index,
                            args: args.iter().map(|a| (a.name.to_string(), a.index)).collect(),
                        },
                        Instance::FromExports(exports) => Init::CoreFromExports(
                            exports
                                .iter()
                                .map(|e| Ok((e.name.to_string(), core_sort_of(e.kind)?, e.index)))
                                .collect::<Result<_>>()?,
                        ),
                    };
                    top(&mut stack)?.def.inits.push(init);
                }
            }
            Payload::CoreTypeSection(_) => {}
            Payload::ComponentSection { .. } => {}
            Payload::ComponentInstanceSection(reader) => {
                for inst in reader {
                    let init = match inst? {
                        wasmparser::ComponentInstance::Instantiate {
                            component_index,
                            args,
                        } => Init::Instantiate {
                            component: component_index,
                            args: args
                                .iter()
                                .map(|a| (a.name.to_string(), sort_of(a.kind), a.index))
                                .collect(),
                        },
                        wasmparser::ComponentInstance::FromExports(exports) => Init::FromExports(
                            exports
                                .iter()
                                .map(|e| (e.name.name.to_string(), sort_of(e.kind), e.index))
                                .collect(),
                        ),
                    };
                    top(&mut stack)?.def.inits.push(init);
                }
            }
            Payload::ComponentAliasSection(reader) => {
                for alias in reader {
                    let Some(init) = alias_init(&stack, alias?)? else {
                        continue;
                    };
                    let f = top(&mut stack)?;
                    match &init {
                        Init::Module(m) => f.modules.push(Some(m.clone())),
                        Init::Component(c) => f.components.push(Some(c.clone())),
                        Init::Alias {
                            sort: Sort::Module, ..
                        } => f.modules.push(None),
                        Init::Alias {
                            sort: Sort::Component,
                            ..
                        } => f.components.push(None),
                        _ => {}
                    }
                    f.def.inits.push(init);
                }
            }
            Payload::ComponentTypeSection(reader) => {
                for ty in reader {
                    let resource_def = match ty? {
                        ComponentType::Resource { dtor, .. } => Some(dtor),
                        _ => None,
                    };
                    top(&mut stack)?.def.inits.push(Init::Type { resource_def });
                }
            }
            Payload::ComponentCanonicalSection(reader) => {
                for canon in reader {
                    let f = top(&mut stack)?;
                    let init = match canon? {
                        CanonicalFunction::Lift {
                            core_func_index,
                            options,
                            ..
                        } => {
                            let func_index =
                                f.def.inits.iter().filter(|i| adds_func(i)).count() as u32;
                            Init::Lift {
                                core_func: core_func_index,
                                func_index,
                                opts: canon_opts(&options)?,
                            }
                        }
                        CanonicalFunction::Lower {
                            func_index,
                            options,
                        } => Init::Lower {
                            func: func_index,
                            opts: canon_opts(&options)?,
                        },
                        CanonicalFunction::ResourceNew { resource } => {
                            Init::ResourceNew { ty: resource }
                        }
                        CanonicalFunction::ResourceDrop { resource } => {
                            Init::ResourceDrop { ty: resource }
                        }
                        CanonicalFunction::ResourceRep { resource } => {
                            Init::ResourceRep { ty: resource }
                        }
                        _ => {
                            return unsupported(
                                "canonical built-ins other than lift, lower and resource.*",
                            )
                        }
                    };
                    f.def.inits.push(init);
                }
            }
            Payload::ComponentStartSection { .. } => {
                return unsupported("component start functions")
            }
            Payload::ComponentImportSection(reader) => {
                for import in reader {
                    let import = import?;
                    let sort = sort_of_typeref(&import.ty);
                    let f = top(&mut stack)?;
                    match sort {
                        Sort::Module => f.modules.push(None),
                        Sort::Component => f.components.push(None),
                        Sort::Value => return unsupported("value imports"),
                        _ => {}
                    }
                    let name = import.name.name.to_string();
                    f.def.imports.push((name.clone(), sort));
                    f.def.inits.push(Init::Import { name, sort });
                }
            }
            Payload::ComponentExportSection(reader) => {
                for export in reader {
                    let export = export?;
                    let sort = sort_of(export.kind);
                    let f = top(&mut stack)?;
                    match sort {
                        Sort::Module => {
                            let m = f.modules.get(export.index as usize).cloned().flatten();
                            f.modules.push(m);
                        }
                        Sort::Component => {
                            let c = f.components.get(export.index as usize).cloned().flatten();
                            f.components.push(c);
                        }
                        Sort::Value => return unsupported("value exports"),
                        _ => {}
                    }
                    let name = export.name.name.to_string();
                    f.def.exports.push((name.clone(), sort));
                    f.def.inits.push(Init::Export {
                        name,
                        sort,
                        index: export.index,
                    });
                }
            }
            Payload::End(_) => {
                let ValidPayload::End(types) = valid else {
                    return Err(Error::Unsupported(
                        "validator did not end the component".into(),
                    ));
                };
                let mut frame = stack
                    .pop()
                    .ok_or_else(|| Error::Unsupported("unbalanced component".into()))?;
                resolve_types(&mut frame.def, types.as_ref());
                match stack.last_mut() {
                    Some(parent) => {
                        let def = Arc::new(frame.def);
                        parent.components.push(Some(def.clone()));
                        parent.def.inits.push(Init::Component(def));
                    }
                    None => return Ok(frame.def),
                }
            }
            Payload::CustomSection(_) => {}
            _ => {}
        }
    }
    Err(Error::Unsupported("unexpected end of component".into()))
}

fn top(stack: &mut [Frame]) -> Result<&mut Frame> {
    stack
        .last_mut()
        .ok_or_else(|| Error::Unsupported("section outside a component".into()))
}

/// Whether an init adds to the component function index space.
fn adds_func(init: &Init) -> bool {
    matches!(
        init,
        Init::Lift { .. }
            | Init::Import {
                sort: Sort::Func,
                ..
            }
            | Init::Export {
                sort: Sort::Func,
                ..
            }
            | Init::Alias {
                sort: Sort::Func,
                ..
            }
    )
}

/// The init of an alias; `None` for core type aliases, which have no runtime effect.
fn alias_init(stack: &[Frame], alias: ComponentAlias<'_>) -> Result<Option<Init>> {
    Ok(Some(match alias {
        ComponentAlias::InstanceExport {
            kind,
            instance_index,
            name,
        } => {
            let sort = sort_of(kind);
            if sort == Sort::Value {
                return unsupported("value aliases");
            }
            Init::Alias {
                sort,
                instance: instance_index,
                name: name.to_string(),
            }
        }
        ComponentAlias::CoreInstanceExport {
            kind,
            instance_index,
            name,
        } => Init::CoreAlias {
            sort: core_sort_of(kind)?,
            instance: instance_index,
            name: name.to_string(),
        },
        ComponentAlias::Outer { kind, count, index } => {
            let target = stack
                .len()
                .checked_sub(1 + count as usize)
                .and_then(|i| stack.get(i))
                .ok_or_else(|| Error::Unsupported("outer alias past the root".into()))?;
            match kind {
                ComponentOuterAliasKind::CoreModule => match target.modules.get(index as usize) {
                    Some(Some(m)) => Init::Module(m.clone()),
                    _ => Init::OuterAlias {
                        sort: Sort::Module,
                        count,
                        index,
                    },
                },
                // Components close over their enclosing instance, so aliasing one is always
                // resolved at run time, from the captured scope.
                ComponentOuterAliasKind::Component => Init::OuterAlias {
                    sort: Sort::Component,
                    count,
                    index,
                },
                ComponentOuterAliasKind::Type => Init::Type { resource_def: None },
                ComponentOuterAliasKind::CoreType => return Ok(None),
            }
        }
    }))
}

/// Records the type facts of a finished component from the validator's types.
fn resolve_types(def: &mut ComponentDef, types: TypesRef<'_>) {
    def.func_types = (0..types.component_function_count())
        .map(|i| {
            let id = types.component_function_at(i);
            FuncType::from_wasmparser(types, &types[id])
                .map(Arc::new)
                .map_err(|e| e.to_string())
        })
        .collect();
    def.type_resources = (0..types.component_type_count())
        .map(|i| match types.component_any_type_at(i) {
            ComponentAnyTypeId::Resource(r) => Some(ResourceId(r.resource())),
            _ => None,
        })
        .collect();
    def.instance_resources = (0..types.component_instance_count())
        .map(|i| {
            let mut out = Vec::new();
            instance_resources(
                types,
                types.component_instance_at(i),
                &mut Vec::new(),
                &mut out,
            );
            out
        })
        .collect();
    def.module_sigs = (0..types.module_count())
        .map(|i| module_sig(types, types.module_at(i)))
        .collect();
    def.component_sigs = (0..types.component_count())
        .map(|i| {
            let ty = &types[types.component_at(i)];
            let sorts = |items: &wasmparser::collections::IndexMap<
                String,
                wasmparser::component_types::ComponentItem,
            >| {
                items
                    .iter()
                    .map(|(n, item)| (n.clone(), entity_sort(&item.ty)))
                    .collect()
            };
            ComponentSig {
                imports: sorts(&ty.imports),
                exports: sorts(&ty.exports),
            }
        })
        .collect();
    def.instance_exports = (0..types.component_instance_count())
        .map(|i| {
            let mut out = Vec::new();
            instance_exports(
                types,
                types.component_instance_at(i),
                &mut Vec::new(),
                &mut out,
                &mut Vec::new(),
            );
            out
        })
        .collect();
}

fn entity_sort(ty: &ComponentEntityType) -> Sort {
    match ty {
        ComponentEntityType::Module(_) => Sort::Module,
        ComponentEntityType::Func(_) => Sort::Func,
        ComponentEntityType::Value(_) => Sort::Value,
        ComponentEntityType::Type { .. } => Sort::Type,
        ComponentEntityType::Instance(_) => Sort::Instance,
        ComponentEntityType::Component(_) => Sort::Component,
    }
}

fn module_sig(types: TypesRef<'_>, id: ComponentCoreModuleTypeId) -> Arc<ModuleSig> {
    let ty = &types[id];
    Arc::new(ModuleSig {
        imports: ty
            .imports
            .iter()
            .map(|((m, n), e)| (m.clone(), n.clone(), extern_type(types, e)))
            .collect(),
        exports: ty
            .exports
            .iter()
            .map(|(n, e)| (n.clone(), extern_type(types, e)))
            .collect(),
    })
}

fn val_type(t: wasmparser::ValType) -> Option<weft_interp::ValType> {
    use weft_interp::ValType as V;
    Some(match t {
        wasmparser::ValType::I32 => V::I32,
        wasmparser::ValType::I64 => V::I64,
        wasmparser::ValType::F32 => V::F32,
        wasmparser::ValType::F64 => V::F64,
        wasmparser::ValType::V128 => V::V128,
        wasmparser::ValType::Ref(r) if r == wasmparser::RefType::FUNCREF => V::FuncRef,
        wasmparser::ValType::Ref(r) if r == wasmparser::RefType::EXTERNREF => V::ExternRef,
        _ => return None,
    })
}

/// A core entity type as weft-interp writes it, where it can.
/// The address type of a core memory or table that is 64-bit when `is_64` (memory64).
fn addr_type(is_64: bool) -> weft_interp::AddrType {
    if is_64 {
        weft_interp::AddrType::I64
    } else {
        weft_interp::AddrType::I32
    }
}

fn extern_type(
    types: TypesRef<'_>,
    e: &wasmparser::types::EntityType,
) -> Option<weft_interp::ExternType> {
    use wasmparser::types::EntityType;
    use weft_interp::{ExternType, GlobalType, Limits, MemoryType, Mutability, TableType};
    Some(match e {
        EntityType::Func(id) | EntityType::FuncExact(id) => {
            ExternType::Func(core_func_type(types[*id].unwrap_func())?)
        }
        EntityType::Table(t) => ExternType::Table(TableType {
            element: val_type(wasmparser::ValType::Ref(t.element_type))?,
            limits: Limits {
                min: t.initial,
                max: t.maximum,
            },
            addr_type: addr_type(t.table64),
        }),
        EntityType::Memory(m) => ExternType::Memory(MemoryType {
            limits: Limits {
                min: m.initial,
                max: m.maximum,
            },
            shared: m.shared,
            addr_type: addr_type(m.memory64),
        }),
        EntityType::Global(g) => ExternType::Global(GlobalType {
            content: val_type(g.content_type)?,
            mutability: if g.mutable {
                Mutability::Var
            } else {
                Mutability::Const
            },
        }),
        // A tag's type is a function type without results.
        EntityType::Tag(id) => ExternType::Tag(core_func_type(types[*id].unwrap_func())?),
    })
}

/// A core function type as weft-interp's, if every value type is one it knows.
fn core_func_type(f: &wasmparser::FuncType) -> Option<weft_interp::FuncType> {
    let types =
        |ts: &[wasmparser::ValType]| ts.iter().map(|t| val_type(*t)).collect::<Option<Vec<_>>>();
    Some(weft_interp::FuncType::new(
        types(f.params())?,
        types(f.results())?,
    ))
}

fn instance_exports(
    types: TypesRef<'_>,
    id: ComponentInstanceTypeId,
    path: &mut Vec<String>,
    out: &mut Vec<PromisedExport>,
    seen: &mut Vec<ResourceId>,
) {
    for (name, item) in types[id].exports.iter() {
        path.push(name.to_string());
        let mut func = None;
        let (sort, module) = match item.ty {
            ComponentEntityType::Module(m) => (Sort::Module, Some(module_sig(types, m))),
            ComponentEntityType::Func(f) => {
                func = FuncType::from_wasmparser(types, &types[f])
                    .ok()
                    .map(Arc::new);
                (Sort::Func, None)
            }
            ComponentEntityType::Value(_) => (Sort::Value, None),
            // A resource type is required where it is introduced (`sub resource`); a later
            // export `eq` to it needs no definition.
            ComponentEntityType::Type {
                created: ComponentAnyTypeId::Resource(r),
                ..
            } if !seen.contains(&ResourceId(r.resource())) => {
                seen.push(ResourceId(r.resource()));
                (Sort::Type, None)
            }
            ComponentEntityType::Type { .. } => {
                path.pop();
                continue;
            }
            ComponentEntityType::Instance(_) => (Sort::Instance, None),
            ComponentEntityType::Component(_) => (Sort::Component, None),
        };
        out.push(PromisedExport {
            path: path.clone(),
            sort,
            module,
            func,
        });
        if let ComponentEntityType::Instance(inner) = item.ty {
            instance_exports(types, inner, path, out, seen);
        }
        path.pop();
    }
}

fn instance_resources(
    types: TypesRef<'_>,
    id: ComponentInstanceTypeId,
    path: &mut Vec<String>,
    out: &mut Vec<(Vec<String>, ResourceId)>,
) {
    for (name, item) in types[id].exports.iter() {
        path.push(name.to_string());
        match item.ty {
            ComponentEntityType::Type {
                referenced,
                created,
            } => {
                for t in [referenced, created] {
                    if let ComponentAnyTypeId::Resource(r) = t {
                        out.push((path.clone(), ResourceId(r.resource())));
                    }
                }
            }
            ComponentEntityType::Instance(inner) => instance_resources(types, inner, path, out),
            _ => {}
        }
        path.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(text: &str) -> ComponentDef {
        let engine = Engine::default();
        parse(&engine, &wat::parse_str(text).unwrap()).unwrap()
    }

    #[test]
    fn definitions_in_section_order_with_their_types() {
        let def = plan(
            r#"(component
  (import "f" (func $f (param "x" string) (result u32)))
  (core module $m (func (export "g") (param i32) (result i32) local.get 0))
  (core instance $i (instantiate $m))
  (type $r (resource (rep i32)))
  (func $g (param "a" s32) (result s32) (canon lift (core func $i "g")))
  (core func $lowered (canon lower (func $g)))
  (core func $new (canon resource.new $r))
  (component $inner (core module $n))
  (export "g" (func $g)))"#,
        );
        let kinds: Vec<&str> = def
            .inits
            .iter()
            .map(|i| match i {
                Init::Import { .. } => "import",
                Init::Module(_) => "module",
                Init::CoreInstantiate { .. } => "core-instance",
                Init::CoreAlias { .. } => "core-alias",
                Init::Type {
                    resource_def: Some(_),
                } => "resource",
                // The text format's inline function types become type definitions.
                Init::Type { resource_def: None } => "type",
                Init::Lift { .. } => "lift",
                Init::Lower { .. } => "lower",
                Init::ResourceNew { .. } => "resource.new",
                Init::Component(_) => "component",
                Init::Export { .. } => "export",
                _ => "other",
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "type",
                "import",
                "module",
                "core-instance",
                "resource",
                "type",
                "core-alias",
                "lift",
                "lower",
                "resource.new",
                "component",
                "export"
            ]
        );
        assert_eq!(def.func_types.len(), 3, "import, lift, export");
        assert_eq!(
            def.func_types[0].as_ref().unwrap().to_string(),
            "func(x: string) -> u32"
        );
        assert_eq!(
            def.func_types[1].as_ref().unwrap().to_string(),
            "func(a: s32) -> s32"
        );
        assert!(def.type_resources.iter().any(|r| r.is_some()));
        assert_eq!(def.imports, [("f".to_string(), Sort::Func)]);
        assert_eq!(def.exports, [("g".to_string(), Sort::Func)]);
        match &def.inits[2] {
            Init::Module(m) => assert_eq!(m.exports().count(), 1),
            _ => unreachable!(),
        }
    }

    #[test]
    fn outer_aliases_of_known_modules_resolve_statically() {
        let def = plan(
            r#"(component
  (core module $m)
  (component $c
    (alias outer 1 $m (core module $mm))
    (import "n" (core module $imported))
    (component $d (alias outer 1 $imported (core module)))))"#,
        );
        let Init::Component(c) = &def.inits[1] else {
            panic!("component expected")
        };
        assert!(
            matches!(c.inits[0], Init::Module(_)),
            "known module: static"
        );
        let Init::Component(d) = &c.inits[2] else {
            panic!("component expected")
        };
        assert!(
            matches!(
                d.inits[0],
                Init::OuterAlias {
                    sort: Sort::Module,
                    count: 1,
                    index: 1
                }
            ),
            "imported module: resolved at run time"
        );
    }

    #[test]
    fn bad_input_is_an_error() {
        let engine = Engine::default();
        let module = wat::parse_str("(module)").unwrap();
        assert!(matches!(
            parse(&engine, &module),
            Err(Error::Unsupported(_))
        ));
        assert!(matches!(
            parse(&engine, b"\0asm\x0d\0\x01\0\x07"),
            Err(Error::Wasm(_))
        ));
        let invalid =
            wat::parse_str(r#"(component (core module $m) (core instance (instantiate 5)))"#);
        assert!(invalid.is_err() || parse(&engine, &invalid.unwrap()).is_err());
    }
}
