//! Unit tests of the canonical ABI against an in-memory byte vector.

use super::flatten::Context;
use super::lift::{lift_flat_values, CoreValueIter};
use super::lower::lower_flat_values;
use super::string::{load_string_from_range, store_string_into_range, StringSource, UTF16_TAG};
use super::*;
use crate::resources::{CallContext, InstanceRef};
use crate::types::{FuncType, Type};
use crate::val::Val;

struct Env {
    mem: VecMemory,
    inst: InstanceRef,
    map: ResourceMap,
    call: CallContext,
    enc: StringEncoding,
    pt: CoreType,
}

impl Env {
    fn new() -> Env {
        Env {
            mem: VecMemory::new(1024, 64),
            inst: InstanceRef::new(),
            map: ResourceMap::new(),
            call: CallContext::new(),
            enc: StringEncoding::Utf8,
            pt: CoreType::I32,
        }
    }
    fn cx(&mut self) -> LiftLowerContext<'_> {
        LiftLowerContext {
            memory: &mut self.mem,
            string_encoding: self.enc,
            ptr_type: self.pt,
            inst: &self.inst,
            resource_types: &self.map,
            call: &mut self.call,
        }
    }
}

fn b(v: Val) -> Option<Box<Val>> {
    Some(Box::new(v))
}

fn samples() -> Vec<(Type, Val)> {
    let labels: Vec<String> = (0..40).map(|i| format!("f{i}")).collect();
    vec![
        (Type::Bool, Val::Bool(true)),
        (Type::S8, Val::S8(-5)),
        (Type::U8, Val::U8(250)),
        (Type::S16, Val::S16(-300)),
        (Type::U16, Val::U16(65000)),
        (Type::S32, Val::S32(i32::MIN)),
        (Type::U32, Val::U32(u32::MAX)),
        (Type::S64, Val::S64(-1)),
        (Type::U64, Val::U64(u64::MAX)),
        (Type::Float32, Val::Float32(1.5)),
        (Type::Float64, Val::Float64(-2.25)),
        (Type::Char, Val::Char('ß')),
        (Type::String, Val::String("héllo ☃".into())),
        (
            Type::List(Box::new(Type::U16)),
            Val::List(vec![Val::U16(1), Val::U16(2), Val::U16(3)]),
        ),
        (
            Type::Record(vec![
                ("a".into(), Type::U8),
                ("b".into(), Type::U64),
                ("c".into(), Type::String),
            ]),
            Val::Record(vec![
                ("a".into(), Val::U8(7)),
                ("b".into(), Val::U64(9)),
                ("c".into(), Val::String("x".into())),
            ]),
        ),
        (
            Type::Tuple(vec![Type::Char, Type::Float32]),
            Val::Tuple(vec![Val::Char('a'), Val::Float32(0.5)]),
        ),
        (
            Type::Variant(vec![
                ("n".into(), None),
                ("f".into(), Some(Type::Float32)),
                ("s".into(), Some(Type::String)),
            ]),
            Val::Variant("f".into(), b(Val::Float32(3.0))),
        ),
        (
            Type::Enum(vec!["x".into(), "y".into()]),
            Val::Enum("y".into()),
        ),
        (
            Type::Option(Box::new(Type::U64)),
            Val::Option(b(Val::U64(1 << 40))),
        ),
        (Type::Option(Box::new(Type::U64)), Val::Option(None)),
        (
            Type::Result {
                ok: Some(Box::new(Type::Float64)),
                err: Some(Box::new(Type::Float32)),
            },
            Val::Result(Err(b(Val::Float32(-1.0)))),
        ),
        (
            Type::Result {
                ok: None,
                err: None,
            },
            Val::Result(Ok(None)),
        ),
        (
            Type::Flags(labels),
            Val::Flags(vec!["f0".into(), "f31".into(), "f39".into()]),
        ),
        (
            Type::List(Box::new(Type::Option(Box::new(Type::String)))),
            Val::List(vec![
                Val::Option(b(Val::String("q".into()))),
                Val::Option(None),
            ]),
        ),
    ]
}

#[test]
fn store_then_load_round_trips_every_type() {
    for (t, v) in samples() {
        let mut env = Env::new();
        let mut cx = env.cx();
        let ptr = flatten::align_to(8, alignment(&t, CoreType::I32));
        store(&mut cx, &v, &t, ptr).unwrap();
        assert_eq!(load(&mut cx, ptr, &t).unwrap(), v, "type {t}");
    }
}

#[test]
fn lower_then_lift_flat_round_trips_every_type() {
    for (t, v) in samples() {
        let mut env = Env::new();
        let mut cx = env.cx();
        let flat = lower_flat(&mut cx, &v, &t).unwrap();
        let types: Vec<_> = flat.iter().map(|c| c.ty()).collect();
        let want: Vec<_> = flatten_type(&t, CoreType::I32)
            .iter()
            .map(|c| c.to_interp())
            .collect();
        assert_eq!(types, want, "flat types of {t}");
        let mut vi = CoreValueIter::new(&flat);
        assert_eq!(lift_flat(&mut cx, &mut vi, &t).unwrap(), v, "type {t}");
    }
}

/// The same values through a 64-bit memory (🐘): pointers and lengths are 8 bytes in
/// memory and `i64` when flat, and every value still round trips.
#[test]
fn values_round_trip_through_a_64_bit_memory() {
    for enc in [
        StringEncoding::Utf8,
        StringEncoding::Utf16,
        StringEncoding::CompactUtf16,
    ] {
        for (t, v) in samples() {
            let mut env = Env::new();
            env.pt = CoreType::I64;
            env.enc = enc;
            let mut cx = env.cx();
            let ptr = flatten::align_to(8, alignment(&t, CoreType::I64));
            store(&mut cx, &v, &t, ptr).unwrap();
            assert_eq!(load(&mut cx, ptr, &t).unwrap(), v, "type {t}");
            let flat = lower_flat(&mut cx, &v, &t).unwrap();
            let types: Vec<_> = flat.iter().map(|c| c.ty()).collect();
            let want: Vec<_> = flatten_type(&t, CoreType::I64)
                .iter()
                .map(|c| c.to_interp())
                .collect();
            assert_eq!(types, want, "flat types of {t}");
            let mut vi = CoreValueIter::new(&flat);
            assert_eq!(lift_flat(&mut cx, &mut vi, &t).unwrap(), v, "type {t}");
        }
    }
    // The layout: a string is two 8-byte words, 8-aligned.
    let rec = Type::Record(vec![("a".into(), Type::U8), ("s".into(), Type::String)]);
    assert_eq!(elem_size(&Type::String, CoreType::I64), 16);
    assert_eq!(alignment(&rec, CoreType::I64), 8);
    assert_eq!(elem_size(&rec, CoreType::I64), 24);
    assert_eq!(
        flatten_type(&Type::List(Box::new(Type::U8)), CoreType::I64),
        vec![CoreType::I64, CoreType::I64]
    );
}

/// A latin1+utf16 string in a 64-bit memory carries its utf16 tag in bit 63.
#[test]
fn utf16_tag_is_the_top_bit_of_a_64_bit_length() {
    let mut env = Env::new();
    env.pt = CoreType::I64;
    env.enc = StringEncoding::CompactUtf16;
    let mut cx = env.cx();
    let flat = lower_flat(&mut cx, &Val::String("π".into()), &Type::String).unwrap();
    assert_eq!(flat[1], weft_interp::Val::I64((1u64 | 1 << 63) as i64));
    let latin1 = lower_flat(&mut cx, &Val::String("é".into()), &Type::String).unwrap();
    assert_eq!(latin1[1], weft_interp::Val::I64(1));
    // A length that does not fit the 32-bit form is refused, not truncated.
    let huge = [weft_interp::Val::I64(64), weft_interp::Val::I64(1 << 40)];
    let e = lift_flat(&mut cx, &mut CoreValueIter::new(&huge), &Type::String).unwrap_err();
    assert!(e.to_string().contains("out of bounds"), "{e}");
}

#[test]
fn values_spill_past_max_flat() {
    let mut env = Env::new();
    let mut cx = env.cx();
    let ts: Vec<Type> = (0..17).map(|_| Type::U32).collect();
    let vs: Vec<Val> = (0..17).map(Val::U32).collect();
    let flat = lower_flat_values(&mut cx, MAX_FLAT_PARAMS, &vs, &ts, None).unwrap();
    assert_eq!(flat.len(), 1);
    let back = lift_flat_values(
        &mut cx,
        MAX_FLAT_PARAMS,
        &mut CoreValueIter::new(&flat),
        &ts,
    )
    .unwrap();
    assert_eq!(back, vs);
    // A spilled result written through the caller's out pointer.
    let ts = [Type::String];
    let ptr = [weft_interp::Val::I32(16)];
    let mut out = CoreValueIter::new(&ptr);
    let flat = lower_flat_values(
        &mut cx,
        MAX_FLAT_RESULTS,
        &[Val::String("ok".into())],
        &ts,
        Some(&mut out),
    )
    .unwrap();
    assert!(flat.is_empty());
    let back = lift_flat_values(
        &mut cx,
        MAX_FLAT_RESULTS,
        &mut CoreValueIter::new(&ptr),
        &ts,
    )
    .unwrap();
    assert_eq!(back, vec![Val::String("ok".into())]);
    let ft = FuncType {
        params: vec![],
        results: vec![Type::String],
    };
    assert_eq!(
        flatten_functype(&ft, Context::Lower, CoreType::I32).0,
        vec![CoreType::I32]
    );
}

#[test]
fn nans_are_canonicalised() {
    let mut env = Env::new();
    let mut cx = env.cx();
    let nan = f32::from_bits(0x7fa0_0001);
    let flat = lower_flat(&mut cx, &Val::Float32(nan), &Type::Float32).unwrap();
    assert_eq!(flat, vec![weft_interp::Val::F32(0x7fc0_0000)]);
    let raw = [weft_interp::Val::F64(0xfff0_0000_0000_0001)];
    let v = lift_flat(&mut cx, &mut CoreValueIter::new(&raw), &Type::Float64).unwrap();
    let Val::Float64(f) = v else { panic!() };
    assert_eq!(f.to_bits(), 0x7ff8_0000_0000_0000);
}

fn trap_msg(r: crate::Result<Val>) -> String {
    match r {
        Err(crate::Error::Trap(m)) => m,
        other => panic!("expected a trap, got {other:?}"),
    }
}

#[test]
fn traps_where_the_spec_traps() {
    let mut env = Env::new();
    let mut cx = env.cx();
    let i32s = |xs: &[i32]| {
        xs.iter()
            .map(|x| weft_interp::Val::I32(*x))
            .collect::<Vec<_>>()
    };
    let lift = |cx: &mut LiftLowerContext<'_>, xs: &[weft_interp::Val], t: &Type| {
        lift_flat(cx, &mut CoreValueIter::new(xs), t)
    };
    assert!(trap_msg(lift(&mut cx, &i32s(&[0xD800]), &Type::Char)).contains("char"));
    assert!(trap_msg(lift(&mut cx, &i32s(&[0x110000]), &Type::Char)).contains("char"));
    let opt = Type::Option(Box::new(Type::U32));
    assert!(trap_msg(lift(&mut cx, &i32s(&[2, 0]), &opt)).contains("discriminant"));
    let list = Type::List(Box::new(Type::U32));
    assert!(trap_msg(lift(&mut cx, &i32s(&[2, 1]), &list)).contains("aligned"));
    assert!(trap_msg(lift(&mut cx, &i32s(&[1020, 2]), &list)).contains("bounds"));
    assert!(trap_msg(lift(&mut cx, &i32s(&[-4, 1]), &list)).contains("bounds"));
    assert!(trap_msg(lift(&mut cx, &i32s(&[1000, 100]), &Type::String)).contains("bounds"));
    cx.memory.bytes_mut().unwrap()[0..2].copy_from_slice(&[0xff, 0xfe]);
    assert!(trap_msg(lift(&mut cx, &i32s(&[0, 2]), &Type::String)).contains("utf-8"));
    // load_variant checks the stored discriminant too.
    cx.memory.bytes_mut().unwrap()[8] = 3;
    assert!(
        trap_msg(load(&mut cx, 8, &Type::Enum(vec!["a".into(), "b".into()])))
            .contains("discriminant")
    );
    assert!(trap_msg(load(&mut cx, 2, &Type::U32)).contains("unaligned"));
    // Bool: any non-zero bit pattern is true.
    assert_eq!(
        lift(&mut cx, &i32s(&[7]), &Type::Bool).unwrap(),
        Val::Bool(true)
    );
}

#[test]
fn host_values_of_the_wrong_type_are_errors_not_panics() {
    let mut env = Env::new();
    let mut cx = env.cx();
    assert!(matches!(
        lower_flat(&mut cx, &Val::U8(1), &Type::U32),
        Err(crate::Error::TypeMismatch(_))
    ));
    let e = Type::Enum(vec!["a".into()]);
    assert!(lower_flat(&mut cx, &Val::Enum("zz".into()), &e).is_err());
    let f = Type::Flags(vec!["a".into()]);
    assert!(lower_flat(&mut cx, &Val::Flags(vec!["b".into()]), &f).is_err());
}

fn store_with(enc: StringEncoding, s: &str, source: StringSource) -> (Env, u64, u32) {
    let mut env = Env::new();
    env.enc = enc;
    let (ptr, units) = store_string_into_range(&mut env.cx(), s, source).unwrap();
    (env, ptr, units)
}

#[test]
fn strings_in_every_encoding() {
    for s in ["", "plain", "café", "snow ☃ and 𝄞"] {
        for enc in [
            StringEncoding::Utf8,
            StringEncoding::Utf16,
            StringEncoding::CompactUtf16,
        ] {
            let (mut env, ptr, units) = store_with(enc, s, StringSource::utf8(s));
            let back = load_string_from_range(&mut env.cx(), ptr, units).unwrap();
            assert_eq!(back, s, "{enc:?}");
        }
    }
}

#[test]
fn transcoding_sizes_follow_the_spec() {
    // utf8 -> utf16: worst case 2 bytes per code unit, then shrink to fit.
    let (env, _, units) = store_with(StringEncoding::Utf16, "aé", StringSource::utf8("aé"));
    assert_eq!(units, 2);
    assert_eq!(env.mem.reallocs, vec![(0, 0, 2, 6), (64, 6, 2, 4)]);
    // utf8 -> latin1+utf16, all latin1: one byte per unit then shrink.
    let (env, _, units) = store_with(
        StringEncoding::CompactUtf16,
        "café",
        StringSource::utf8("café"),
    );
    assert_eq!(units, 4);
    assert_eq!(env.mem.reallocs, vec![(0, 0, 2, 5), (64, 5, 2, 4)]);
    // utf8 -> latin1+utf16 with a non-latin1 scalar: inflates to utf16 and tags the length.
    let (mut env, ptr, units) =
        store_with(StringEncoding::CompactUtf16, "é☃", StringSource::utf8("é☃"));
    assert_eq!(units, 2 | UTF16_TAG);
    assert_eq!(
        load_string_from_range(&mut env.cx(), ptr, units).unwrap(),
        "é☃"
    );
    // utf16 -> utf8: one byte per code unit first, grow to 3x, shrink to the encoded length.
    let s = "a☃";
    let src = StringSource {
        encoding: StringEncoding::Utf16,
        tagged_code_units: 2,
    };
    let (mut env, ptr, units) = store_with(StringEncoding::Utf8, s, src);
    assert_eq!(units, 4);
    assert_eq!(
        env.mem.reallocs,
        vec![(0, 0, 1, 2), (64, 2, 1, 6), (66, 6, 1, 4)]
    );
    assert_eq!(
        load_string_from_range(&mut env.cx(), ptr, units).unwrap(),
        s
    );
    // latin1+utf16 (utf16 half) -> latin1+utf16 with latin1-only content: deflates.
    let src = StringSource {
        encoding: StringEncoding::CompactUtf16,
        tagged_code_units: 2 | UTF16_TAG,
    };
    let (mut env, ptr, units) = store_with(StringEncoding::CompactUtf16, "ab", src);
    assert_eq!(units, 2);
    assert_eq!(
        load_string_from_range(&mut env.cx(), ptr, units).unwrap(),
        "ab"
    );
    // latin1 -> utf8: worst case 2 bytes per unit.
    let src = StringSource {
        encoding: StringEncoding::CompactUtf16,
        tagged_code_units: 1,
    };
    let (env, _, units) = store_with(StringEncoding::Utf8, "é", src);
    assert_eq!(units, 2);
    assert_eq!(env.mem.reallocs, vec![(0, 0, 1, 1), (64, 1, 1, 2)]);
}

#[test]
fn invalid_utf16_and_misaligned_utf16_trap() {
    let mut env = Env::new();
    env.enc = StringEncoding::Utf16;
    env.mem.bytes[0..2].copy_from_slice(&0xD800u16.to_le_bytes());
    assert!(load_string_from_range(&mut env.cx(), 0, 1).is_err());
    assert!(load_string_from_range(&mut env.cx(), 1, 1).is_err());
    env.enc = StringEncoding::CompactUtf16;
    env.mem.bytes[4] = 0xE9;
    assert_eq!(load_string_from_range(&mut env.cx(), 4, 1).unwrap(), "é");
}

#[test]
fn a_lifted_string_keeps_its_source_encoding_for_the_next_lowering() {
    // Lift "a☃" from a utf16 component...
    let mut a = Env::new();
    a.enc = StringEncoding::Utf16;
    let units: Vec<u8> = "a☃".encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    a.mem.bytes[0..4].copy_from_slice(&units);
    let flat = [weft_interp::Val::I32(0), weft_interp::Val::I32(2)];
    let v = lift_flat(&mut a.cx(), &mut CoreValueIter::new(&flat), &Type::String).unwrap();
    // ...and lower it into a utf8 one in the same call: the spec's utf16 -> utf8 sizing
    // (one byte per code unit, then the worst case of 3, then shrink to fit).
    let mut b = Env::new();
    b.call.strings = std::mem::take(&mut a.call.strings);
    let flat = lower_flat(&mut b.cx(), &v, &Type::String).unwrap();
    assert_eq!(
        b.mem.reallocs,
        vec![(0, 0, 1, 2), (64, 2, 1, 6), (66, 6, 1, 4)]
    );
    let back = lift_flat(&mut b.cx(), &mut CoreValueIter::new(&flat), &Type::String).unwrap();
    assert_eq!(back, Val::String("a☃".into()));
    // A host string (no recorded source) is utf8: one exact allocation.
    let mut c = Env::new();
    lower_flat(&mut c.cx(), &v, &Type::String).unwrap();
    assert_eq!(c.mem.reallocs, vec![(0, 0, 1, 4)]);
}
