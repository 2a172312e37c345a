//! `weft::bindgen!`: the traits, types and linker functions it generates from
//! `tests/bindgen/types.wit`, exercised through WAT components and a core module.

use weft::component::{Component, Error, Linker, Result};
use weft::{Engine, Store};

mod bindings {
    weft::bindgen!({ path: "tests/bindgen/types.wit", world: "all" });
}

use bindings::exports::guest_fns;
use bindings::host_fns::{self, Color, Perms, Point, Shape};
use bindings::scalars;

/// The host side of `host-fns` and `scalars`; counts the calls it gets.
#[derive(Default)]
struct Host {
    calls: u32,
}

impl host_fns::Host for Host {
    fn add(&mut self, lh: i32, rh: i32) -> Result<i32> {
        self.calls += 1;
        Ok(lh.wrapping_add(rh))
    }
    fn greet(&mut self, name: String) -> Result<String> {
        Ok(format!("hello, {name}"))
    }
    fn sum(&mut self, xs: Vec<u32>) -> Result<host_fns::Meters> {
        Ok(xs.iter().map(|&x| u64::from(x)).sum())
    }
    fn half(&mut self, x: u32) -> Result<Option<u32>> {
        Ok((x % 2 == 0).then_some(x / 2))
    }
    fn checked_div(&mut self, a: i32, b: i32) -> Result<core::result::Result<i32, String>> {
        Ok(a.checked_div(b)
            .ok_or_else(|| "division by zero".to_string()))
    }
    fn flip(&mut self, p: Point) -> Result<Point> {
        Ok(Point { x: p.y, y: p.x })
    }
    fn next(&mut self, c: Color) -> Result<Color> {
        Ok(match c {
            Color::Red => Color::Green,
            Color::Green => Color::Blue,
            Color::Blue => Color::Red,
        })
    }
    fn area(&mut self, s: Shape) -> Result<f64> {
        Ok(match s {
            Shape::Circle(r) => 3.0 * r * r,
            Shape::Square(side) => f64::from(side * side),
            Shape::Empty => 0.0,
        })
    }
    fn swap(&mut self, t: (u8, char)) -> Result<(char, u8)> {
        Ok((t.1, t.0))
    }
    fn toggle(&mut self, p: Perms) -> Result<Perms> {
        Ok(Perms {
            read: !p.read,
            write: !p.write,
            exec: !p.exec,
        })
    }
    fn fail(&mut self) -> Result<()> {
        Err(Error::host("host-fns: fail was called"))
    }
}

impl scalars::Host for Host {
    fn add_u8(&mut self, a: u8, b: u8) -> Result<u8> {
        Ok(a.wrapping_add(b))
    }
    fn is_upper(&mut self, c: char) -> Result<bool> {
        Ok(c.is_uppercase())
    }
    fn scale(&mut self, x: f32, k: f64) -> Result<f64> {
        Ok(f64::from(x) * k)
    }
    fn neg(&mut self, x: i64) -> Result<i64> {
        Ok(x.wrapping_neg())
    }
    fn tick(&mut self) -> Result<()> {
        self.calls += 1;
        Ok(())
    }
}

/// A component of world `all`: `guest-fns` built from the host's functions (`double` in
/// core Wasm over the host's `add`, `shout` and `mirror` the host's `greet` and `flip`),
/// and every host function re-exported at the root, so the host can call each one
/// through its generated types.
const COMPONENT: &str = r#"(component
  (import "test:types/host-fns@0.1.0" (instance $h
    (type $point' (record (field "x" s32) (field "y" s32)))
    (export "point" (type $point (eq $point')))
    (type $color' (enum "red" "green" "blue"))
    (export "color" (type $color (eq $color')))
    (type $shape' (variant (case "circle" f64) (case "square" u32) (case "empty")))
    (export "shape" (type $shape (eq $shape')))
    (type $perms' (flags "read" "write" "exec"))
    (export "perms" (type $perms (eq $perms')))
    (export "add" (func (param "lh" s32) (param "rh" s32) (result s32)))
    (export "greet" (func (param "name" string) (result string)))
    (export "sum" (func (param "xs" (list u32)) (result u64)))
    (export "half" (func (param "x" u32) (result (option u32))))
    (export "checked-div" (func (param "a" s32) (param "b" s32) (result (result s32 (error string)))))
    (export "flip" (func (param "p" $point) (result $point)))
    (export "next" (func (param "c" $color) (result $color)))
    (export "area" (func (param "s" $shape) (result f64)))
    (export "swap" (func (param "t" (tuple u8 char)) (result (tuple char u8))))
    (export "toggle" (func (param "p" $perms) (result $perms)))
    (export "fail" (func))))
  (alias export $h "add" (func $add))
  (core func $add_core (canon lower (func $add)))
  (core module $m
    (import "h" "add" (func $add (param i32 i32) (result i32)))
    (func (export "double") (param i32) (result i32) (call $add (local.get 0) (local.get 0))))
  (core instance $i (instantiate $m (with "h" (instance (export "add" (func $add_core))))))
  (func $double (param "x" u32) (result u32) (canon lift (core func $i "double")))
  (alias export $h "point" (type $point))
  (alias export $h "color" (type $color))
  (alias export $h "shape" (type $shape))
  (alias export $h "perms" (type $perms))
  (export $point' "point" (type $point))
  (export $color' "color" (type $color))
  (export $shape' "shape" (type $shape))
  (export $perms' "perms" (type $perms))
  (instance $g
    (export "point" (type $point))
    (export "double" (func $double))
    (export "shout" (func $h "greet"))
    (export "mirror" (func $h "flip")))
  (export "test:types/guest-fns@0.1.0" (instance $g))
  (export "greet" (func $h "greet"))
  (export "sum" (func $h "sum"))
  (export "half" (func $h "half"))
  (export "checked-div" (func $h "checked-div"))
  (export "flip" (func $h "flip") (func (param "p" $point') (result $point')))
  (export "next" (func $h "next") (func (param "c" $color') (result $color')))
  (export "area" (func $h "area") (func (param "s" $shape') (result f64)))
  (export "swap" (func $h "swap"))
  (export "toggle" (func $h "toggle") (func (param "p" $perms') (result $perms')))
  (export "fail" (func $h "fail")))"#;

fn instantiate() -> Result<(Store<Host>, weft::component::Instance)> {
    let engine = Engine::default();
    let component = Component::new(&engine, COMPONENT)?;
    let mut linker = Linker::<Host>::new(&engine);
    bindings::All::add_to_linker(&mut linker, |h| h)?;
    let mut store = Store::new(&engine, Host::default());
    let instance = linker.instantiate(&mut store, &component)?;
    Ok((store, instance))
}

#[test]
fn interfaces_are_named_as_the_wit_names_them() {
    assert_eq!(host_fns::INTERFACE, "test:types/host-fns@0.1.0");
    assert_eq!(scalars::INTERFACE, "test:types/scalars@0.1.0");
    assert_eq!(guest_fns::INTERFACE, "test:types/guest-fns@0.1.0");
}

#[test]
fn exports_are_called_through_the_generated_guest() -> Result<()> {
    let (mut store, instance) = instantiate()?;
    let all = bindings::All::new(&mut store, &instance)?;
    // `double` is core Wasm calling the host's `add` through `canon lower`.
    assert_eq!(all.guest_fns.call_double(&mut store, 21)?, 42);
    assert_eq!(store.data().calls, 1);
    assert_eq!(
        all.guest_fns.call_shout(&mut store, "weft".into())?,
        "hello, weft"
    );
    let guest = guest_fns::Guest::new(&mut store, &instance)?;
    assert_eq!(
        guest.call_mirror(&mut store, guest_fns::Point { x: 1, y: 2 })?,
        guest_fns::Point { x: 2, y: 1 }
    );
    Ok(())
}

#[test]
fn imports_map_every_kind_of_wit_type() -> Result<()> {
    let (mut store, instance) = instantiate()?;
    let sum = instance.get_typed_func::<(Vec<u32>,), (u64,)>(&mut store, "sum")?;
    assert_eq!(sum.call(&mut store, (vec![1, 2, 3],))?, (6,));
    let half = instance.get_typed_func::<(u32,), (Option<u32>,)>(&mut store, "half")?;
    assert_eq!(half.call(&mut store, (8,))?, (Some(4),));
    assert_eq!(half.call(&mut store, (7,))?, (None,));
    type DivResult = core::result::Result<i32, String>;
    let div = instance.get_typed_func::<(i32, i32), (DivResult,)>(&mut store, "checked-div")?;
    assert_eq!(div.call(&mut store, (7, 2))?, (Ok(3),));
    assert_eq!(
        div.call(&mut store, (7, 0))?,
        (Err("division by zero".to_string()),)
    );
    let flip = instance.get_typed_func::<(Point,), (Point,)>(&mut store, "flip")?;
    assert_eq!(
        flip.call(&mut store, (Point { x: -1, y: 5 },))?,
        (Point { x: 5, y: -1 },)
    );
    let next = instance.get_typed_func::<(Color,), (Color,)>(&mut store, "next")?;
    assert_eq!(next.call(&mut store, (Color::Blue,))?, (Color::Red,));
    let area = instance.get_typed_func::<(Shape,), (f64,)>(&mut store, "area")?;
    assert_eq!(area.call(&mut store, (Shape::Square(3),))?, (9.0,));
    assert_eq!(area.call(&mut store, (Shape::Circle(1.0),))?, (3.0,));
    assert_eq!(area.call(&mut store, (Shape::Empty,))?, (0.0,));
    let swap = instance.get_typed_func::<((u8, char),), ((char, u8),)>(&mut store, "swap")?;
    assert_eq!(swap.call(&mut store, ((7, 'λ'),))?, (('λ', 7),));
    let toggle = instance.get_typed_func::<(Perms,), (Perms,)>(&mut store, "toggle")?;
    let p = Perms {
        read: true,
        ..Perms::default()
    };
    let expected = Perms {
        read: false,
        write: true,
        exec: true,
    };
    assert_eq!(toggle.call(&mut store, (p,))?, (expected,));
    // The generated types check themselves against the export's type.
    assert!(instance
        .get_typed_func::<(Color,), (Color,)>(&mut store, "flip")
        .is_err());
    Ok(())
}

#[test]
fn a_host_error_fails_the_call_with_its_message() -> Result<()> {
    let (mut store, instance) = instantiate()?;
    let fail = instance.get_typed_func::<(), ()>(&mut store, "fail")?;
    let err = fail.call(&mut store, ()).unwrap_err();
    assert!(
        err.to_string().contains("host-fns: fail was called"),
        "{err}"
    );
    Ok(())
}

#[test]
fn a_component_whose_import_drifts_from_the_wit_does_not_link() -> Result<()> {
    let engine = Engine::default();
    let component = Component::new(
        &engine,
        r#"(component (import "test:types/scalars@0.1.0" (instance
            (export "add-u8" (func (param "a" u16) (param "b" u8) (result u8))))))"#,
    )?;
    let mut linker = Linker::<Host>::new(&engine);
    scalars::add_to_linker(&mut linker, |h| h)?;
    let mut store = Store::new(&engine, Host::default());
    let err = linker.instantiate(&mut store, &component).unwrap_err();
    assert!(err.to_string().contains("add-u8"), "{err}");
    Ok(())
}

#[test]
fn core_modules_import_numbers_only_interfaces_flattened() -> weft::Result<()> {
    let engine = Engine::default();
    let module = weft::Module::new(
        &engine,
        r#"(module
            (import "scalars" "add-u8" (func $add_u8 (param i32 i32) (result i32)))
            (import "scalars" "is-upper" (func $is_upper (param i32) (result i32)))
            (import "scalars" "scale" (func $scale (param f32 f64) (result f64)))
            (import "scalars" "neg" (func $neg (param i64) (result i64)))
            (import "scalars" "tick" (func $tick))
            (func (export "add_u8") (param i32 i32) (result i32)
              (call $add_u8 (local.get 0) (local.get 1)))
            (func (export "is_upper") (param i32) (result i32) (call $is_upper (local.get 0)))
            (func (export "scale") (param f32 f64) (result f64)
              (call $scale (local.get 0) (local.get 1)))
            (func (export "neg") (param i64) (result i64) (call $neg (local.get 0)))
            (func (export "tick") (call $tick)))"#,
    )?;
    let mut linker = weft::Linker::<Host>::new(&engine);
    scalars::add_to_core_linker(&mut linker, "scalars", |h| h)?;
    let mut store = Store::new(&engine, Host::default());
    let instance = linker.instantiate(&mut store, &module)?;
    let add_u8 = instance.get_typed_func::<(i32, i32), i32>(&store, "add_u8")?;
    // u8 lifts keep the low 8 bits (CanonicalABI.md: `lift_flat_unsigned`).
    assert_eq!(add_u8.call(&mut store, (0x1ff, 1))?, 0);
    let is_upper = instance.get_typed_func::<i32, i32>(&store, "is_upper")?;
    assert_eq!(is_upper.call(&mut store, 'Q' as i32)?, 1);
    assert_eq!(is_upper.call(&mut store, 'q' as i32)?, 0);
    // A surrogate is not a `char`: lifting it traps, naming the rule.
    let err = is_upper.call(&mut store, 0xD800).unwrap_err();
    assert!(err.to_string().contains("char"), "{err}");
    let scale = instance.get_typed_func::<(f32, f64), f64>(&store, "scale")?;
    assert_eq!(scale.call(&mut store, (1.5, 4.0))?, 6.0);
    let neg = instance.get_typed_func::<i64, i64>(&store, "neg")?;
    assert_eq!(neg.call(&mut store, 5)?, -5);
    let tick = instance.get_typed_func::<(), ()>(&store, "tick")?;
    tick.call(&mut store, ())?;
    assert_eq!(store.data().calls, 1);
    Ok(())
}

/// A world that imports and exports functions itself and defines a type.
mod world_fns {
    weft::bindgen!({
        inline: "package test:counter;
                 world counter {
                     record pair { a: u32, b: u32 }
                     import bump: func(by: u32) -> u32;
                     export sum-pair: func(p: pair) -> u32;
                 }",
        world: "counter",
    });
}

impl world_fns::CounterImports for Host {
    fn bump(&mut self, by: u32) -> Result<u32> {
        self.calls += by;
        Ok(self.calls)
    }
}

#[test]
fn world_level_functions_and_types_are_bound() -> Result<()> {
    let engine = Engine::default();
    // `sum-pair` returns a + b + bump(1): the record arrives flattened as two i32s.
    let component = Component::new(
        &engine,
        r#"(component
          (import "bump" (func $bump (param "by" u32) (result u32)))
          (core func $bump_core (canon lower (func $bump)))
          (core module $m
            (import "" "bump" (func $bump (param i32) (result i32)))
            (func (export "sum") (param i32 i32) (result i32)
              (i32.add (i32.add (local.get 0) (local.get 1)) (call $bump (i32.const 1)))))
          (core instance $i (instantiate $m (with "" (instance (export "bump" (func $bump_core))))))
          (type $pair' (record (field "a" u32) (field "b" u32)))
          (export $pair "pair" (type $pair'))
          (func (export "sum-pair") (param "p" $pair) (result u32)
            (canon lift (core func $i "sum"))))"#,
    )?;
    let mut linker = Linker::<Host>::new(&engine);
    world_fns::Counter::add_to_linker(&mut linker, |h| h)?;
    let mut store = Store::new(&engine, Host::default());
    let instance = linker.instantiate(&mut store, &component)?;
    let counter = world_fns::Counter::new(&mut store, &instance)?;
    let sum = counter.call_sum_pair(&mut store, world_fns::Pair { a: 2, b: 3 })?;
    assert_eq!(sum, 6);
    assert_eq!(store.data().calls, 1);
    Ok(())
}
