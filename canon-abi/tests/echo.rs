//! Every component value type makes a round trip host -> guest -> host import -> guest ->
//! host, through a guest that has a memory and a `realloc`, in every string encoding.

mod common;

use weft_canon_abi::abi::{flatten_functype, Context, CoreType};
use weft_canon_abi::component::{Component, Linker};
use weft_canon_abi::{FuncType, Type, Val};
use weft_interp::{Engine, Store};

fn core(t: &CoreType) -> &'static str {
    match t {
        CoreType::I32 => "i32",
        CoreType::I64 => "i64",
        CoreType::F32 => "f32",
        CoreType::F64 => "f64",
    }
}

/// An echo component for the type written `wat_ty` (component text) whose structure is
/// `ty`: its export `echo` forwards to the host import `host-echo`.
fn echo_component(wat_ty: &str, ty: &Type, encoding: &str) -> String {
    let ft = FuncType {
        params: vec![("x".into(), ty.clone())],
        results: vec![ty.clone()],
    };
    let (lift_params, lift_results) = flatten_functype(&ft, Context::Lift, CoreType::I32);
    let (lower_params, lower_results) = flatten_functype(&ft, Context::Lower, CoreType::I32);
    let params = lift_params.iter().map(core).collect::<Vec<_>>().join(" ");
    let gets: String = (0..lift_params.len())
        .map(|i| format!("(local.get {i}) "))
        .collect();
    let imp_params: Vec<&str> = lower_params.iter().map(core).collect();
    let imp_results: Vec<&str> = lower_results.iter().map(core).collect();
    let (body, result) = if lower_results.is_empty() {
        // Results spill: the import writes through a return pointer we pass on.
        (
            format!("(call $e {gets} (i32.const 16)) (i32.const 16)"),
            "(result i32)".to_string(),
        )
    } else {
        (
            format!("(call $e {gets})"),
            format!(
                "(result {})",
                lift_results.iter().map(core).collect::<Vec<_>>().join(" ")
            ),
        )
    };
    format!(
        r#"(component
  (type $T0 {wat_ty})
  (import "t" (type $T (eq $T0)))
  (import "host-echo" (func $h (param "x" $T) (result $T)))
  {mem}
  (core func $h_lowered (canon lower (func $h) (memory $memory) (realloc $realloc) string-encoding={encoding}))
  (core module $main
    (import "host" "echo" (func $e (param {imp_params}) (result {imp_results})))
    (func (export "echo") (param {params}) {result} {body}))
  (core instance $i (instantiate $main (with "host" (instance (export "echo" (func $h_lowered))))))
  (export $TE "t" (type $T))
  (func (export "echo") (param "x" $TE) (result $TE)
    (canon lift (core func $i "echo") (memory $memory) (realloc $realloc) string-encoding={encoding})))"#,
        mem = common::MEMORY_MODULE,
        imp_params = imp_params.join(" "),
        imp_results = imp_results.join(" "),
    )
}

fn b(v: Val) -> Option<Box<Val>> {
    Some(Box::new(v))
}

fn cases() -> Vec<(&'static str, Type, Val)> {
    let flags: Vec<String> = (0..32).map(|i| format!("f{i}")).collect();
    let flags_wat = format!(
        "(flags {})",
        flags
            .iter()
            .map(|f| format!("\"{f}\""))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let flags_wat: &'static str = Box::leak(flags_wat.into_boxed_str());
    vec![
        ("bool", Type::Bool, Val::Bool(true)),
        ("s8", Type::S8, Val::S8(-128)),
        ("u8", Type::U8, Val::U8(255)),
        ("s16", Type::S16, Val::S16(-2)),
        ("u16", Type::U16, Val::U16(40000)),
        ("s32", Type::S32, Val::S32(-123456)),
        ("u32", Type::U32, Val::U32(4_000_000_000)),
        ("s64", Type::S64, Val::S64(i64::MIN)),
        ("u64", Type::U64, Val::U64(u64::MAX - 1)),
        ("f32", Type::Float32, Val::Float32(-0.125)),
        ("f64", Type::Float64, Val::Float64(1e300)),
        ("char", Type::Char, Val::Char('🦀')),
        ("string", Type::String, Val::String("héllo, wörld ☃ 𝄞".into())),
        ("string", Type::String, Val::String(String::new())),
        ("(list u32)", Type::List(Box::new(Type::U32)), Val::List((0..100).map(Val::U32).collect())),
        (
            "(list string)",
            Type::List(Box::new(Type::String)),
            Val::List(vec![Val::String("a".into()), Val::String("ü".into())]),
        ),
        (
            "(record (field \"a\" u8) (field \"b\" u64) (field \"c\" string))",
            Type::Record(vec![("a".into(), Type::U8), ("b".into(), Type::U64), ("c".into(), Type::String)]),
            Val::Record(vec![
                ("a".into(), Val::U8(1)),
                ("b".into(), Val::U64(2)),
                ("c".into(), Val::String("three".into())),
            ]),
        ),
        (
            "(tuple char f64 bool)",
            Type::Tuple(vec![Type::Char, Type::Float64, Type::Bool]),
            Val::Tuple(vec![Val::Char('x'), Val::Float64(0.5), Val::Bool(false)]),
        ),
        (
            "(variant (case \"none\") (case \"int\" s64) (case \"float\" f32) (case \"text\" string))",
            Type::Variant(vec![
                ("none".into(), None),
                ("int".into(), Some(Type::S64)),
                ("float".into(), Some(Type::Float32)),
                ("text".into(), Some(Type::String)),
            ]),
            Val::Variant("float".into(), b(Val::Float32(2.5))),
        ),
        (
            "(enum \"red\" \"green\" \"blue\")",
            Type::Enum(vec!["red".into(), "green".into(), "blue".into()]),
            Val::Enum("blue".into()),
        ),
        ("(option string)", Type::Option(Box::new(Type::String)), Val::Option(b(Val::String("some".into())))),
        ("(option u8)", Type::Option(Box::new(Type::U8)), Val::Option(None)),
        (
            "(result u32 (error string))",
            Type::Result { ok: Some(Box::new(Type::U32)), err: Some(Box::new(Type::String)) },
            Val::Result(Err(b(Val::String("bad".into())))),
        ),
        ("(result)", Type::Result { ok: None, err: None }, Val::Result(Ok(None))),
        (flags_wat, Type::Flags(flags), Val::Flags(vec!["f0".into(), "f17".into(), "f31".into()])),
        (
            "(flags \"a\" \"b\" \"c\" \"d\" \"e\" \"f\" \"g\" \"h\" \"i\")",
            Type::Flags("abcdefghi".chars().map(|c| c.to_string()).collect()),
            Val::Flags(vec!["b".into(), "i".into()]),
        ),
        (
            "(tuple u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32)",
            Type::Tuple(vec![Type::U32; 17]),
            Val::Tuple((0..17).map(Val::U32).collect()),
        ),
    ]
}

fn echo(encoding: &str) {
    let engine = Engine::default();
    let mut linker = Linker::<u32>::new(&engine);
    linker
        .root()
        .func_new("host-echo", |store, params, results| {
            *store.data_mut() += 1;
            results[0] = params[0].clone();
            Ok(())
        })
        .unwrap();
    for (i, (wat_ty, ty, val)) in cases().into_iter().enumerate() {
        // Primitive types cannot be named by a type definition; wrap them in a tuple alias.
        let (wat_ty, ty, val) = if wat_ty.starts_with('(') {
            (wat_ty.to_string(), ty, val)
        } else {
            (
                format!("(tuple {wat_ty})"),
                Type::Tuple(vec![ty]),
                Val::Tuple(vec![val]),
            )
        };
        let text = echo_component(&wat_ty, &ty, encoding);
        let component =
            Component::new(&engine, &text).unwrap_or_else(|e| panic!("{wat_ty}: {e}\n{text}"));
        let mut store = Store::new(&engine, 0u32);
        let instance = linker.instantiate(&mut store, &component).unwrap();
        let f = instance.get_func(&mut store, "echo").unwrap();
        let mut results = [Val::Bool(false)];
        f.call(&mut store, std::slice::from_ref(&val), &mut results)
            .unwrap_or_else(|e| panic!("{wat_ty}: {e}"));
        assert_eq!(results[0], val, "{wat_ty} ({encoding})");
        assert_eq!(*store.data(), 1, "case {i}: host import called once");
        // A second call works too: post-return and flags were reset.
        f.call(&mut store, std::slice::from_ref(&val), &mut results)
            .unwrap();
        assert_eq!(results[0], val);
    }
}

#[test]
fn echo_every_type_utf8() {
    echo("utf8");
}

#[test]
fn echo_every_type_utf16() {
    echo("utf16");
}

#[test]
fn echo_every_type_latin1_utf16() {
    echo("latin1+utf16");
}

#[test]
fn wrong_argument_types_are_errors() {
    let engine = Engine::default();
    let text = echo_component("(tuple u32)", &Type::Tuple(vec![Type::U32]), "utf8");
    let component = Component::new(&engine, &text).unwrap();
    let mut linker = Linker::<()>::new(&engine);
    linker
        .root()
        .func_new("host-echo", |_, p, r| {
            r[0] = p[0].clone();
            Ok(())
        })
        .unwrap();
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &component).unwrap();
    let f = instance.get_func(&mut store, "echo").unwrap();
    let mut results = [Val::Bool(false)];
    let e = f
        .call(&mut store, &[Val::U32(1)], &mut results)
        .unwrap_err();
    assert!(e.to_string().contains("type mismatch"), "{e}");
    assert!(f.call(&mut store, &[], &mut results).is_err());
    // Not a trap: the instance is still usable.
    f.call(&mut store, &[Val::Tuple(vec![Val::U32(9)])], &mut results)
        .unwrap();
    assert_eq!(results[0], Val::Tuple(vec![Val::U32(9)]));
}
