//! The calculator demo (`examples/calculator/`): the `weft` binary runs the WAT and the
//! Rust consumers against its built-in calculator host, with the commands of the demo's
//! README, and reports overflow as an error.

#[path = "common/cli.rs"]
mod cli;
use cli::weft;

fn split(command: &str) -> Vec<&str> {
    command.split_whitespace().collect()
}

#[test]
fn wat_consumer_adds_with_the_host() {
    let out = weft(&split(
        "run examples/calculator/using_add.wat --invoke consume_add 1 2",
    ));
    assert_eq!(out.code, Some(0), "{out:#?}");
    assert_eq!(out.stdout, "3\n", "{out:#?}");
    assert_eq!(out.stderr, "", "{out:#?}");
}

#[test]
fn rust_consumer_adds_with_the_host() {
    let out = weft(&split(
        "run examples/calculator/consume_add.wasm --invoke consume_add 1 99",
    ));
    assert_eq!(out.code, Some(0), "{out:#?}");
    assert_eq!(out.stdout, "100\n", "{out:#?}");
    assert_eq!(out.stderr, "", "{out:#?}");
}

#[test]
fn overflow_is_an_error_with_status_1() {
    for (file, args) in [
        ("using_add.wat", "2147483647 1"),
        ("consume_add.wasm", "-2147483648 -1"),
    ] {
        let out = weft(&split(&format!(
            "run examples/calculator/{file} --invoke consume_add {args}"
        )));
        assert_eq!(out.code, Some(1), "{out:#?}");
        assert_eq!(out.stdout, "", "{out:#?}");
        assert_eq!(out.stderr, "error: calculator: overflow\n", "{out:#?}");
    }
}

#[test]
fn a_consumer_with_the_wrong_core_type_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.wat");
    std::fs::write(
        &path,
        r#"(module (import "calculator" "add" (func (param i64 i64) (result i64)))
                   (func (export "f")))"#,
    )
    .unwrap();
    let out = weft(&["run", path.to_str().unwrap(), "--invoke", "f"]);
    assert_eq!(out.code, Some(1), "{out:#?}");
    assert!(out.stderr.starts_with("error: "), "{out:#?}");
    assert!(out.stderr.contains("calculator"), "{out:#?}");
    assert_eq!(out.stderr.lines().count(), 1, "{out:#?}");
}

/// Every `$ weft ...` command in the README's console blocks prints what the README shows
/// after it (standard output, then standard error), with status 1 exactly when that is an
/// `error: ...` line.
#[test]
fn readme_commands_print_what_the_readme_shows() {
    let readme = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/calculator/README.md"
    ))
    .unwrap();
    let mut blocks = 0;
    let mut commands = 0;
    let mut lines = readme.lines();
    while let Some(line) = lines.next() {
        if line.trim() != "```console" {
            continue;
        }
        blocks += 1;
        let block: Vec<&str> = lines.by_ref().take_while(|l| l.trim() != "```").collect();
        let mut i = 0;
        while i < block.len() {
            let Some(command) = block[i].strip_prefix("$ weft ") else {
                i += 1;
                continue;
            };
            let expected: Vec<&str> = block[i + 1..]
                .iter()
                .take_while(|l| !l.starts_with("$ "))
                .copied()
                .collect();
            i += 1 + expected.len();
            commands += 1;
            let out = weft(&split(command));
            let printed = format!("{}{}", out.stdout, out.stderr);
            let want: String = expected.iter().map(|l| format!("{l}\n")).collect();
            assert_eq!(printed, want, "weft {command}: {out:#?}");
            let failed = expected.first().is_some_and(|l| l.starts_with("error: "));
            assert_eq!(
                out.code,
                Some(if failed { 1 } else { 0 }),
                "weft {command}: {out:#?}"
            );
        }
    }
    assert!(
        blocks > 0 && commands >= 3,
        "the README shows the demo's commands"
    );
}

/// The same WIT, bound for a component: `calculator::add_to_linker` defines the interface
/// as the instance `weft:calculator/calculator`, as the demo's README says.
mod component_host {
    use weft::component::{Component, Error, Linker, Result};
    use weft::{Engine, Store};

    weft::bindgen!({ path: "examples/calculator/calculator.wit", world: "consumer" });

    struct Calculator;

    impl calculator::Host for Calculator {
        fn add(&mut self, lh: i32, rh: i32) -> Result<i32> {
            lh.checked_add(rh)
                .ok_or_else(|| Error::host("calculator: overflow"))
        }
    }

    #[test]
    fn a_component_imports_the_calculator_interface() -> Result<()> {
        let engine = Engine::default();
        let component = Component::new(
            &engine,
            r#"(component
              (import "weft:calculator/calculator" (instance $c
                (export "add" (func (param "lh" s32) (param "rh" s32) (result s32)))))
              (alias export $c "add" (func $add))
              (core func $add_core (canon lower (func $add)))
              (core module $m
                (import "calculator" "add" (func $add (param i32 i32) (result i32)))
                (func (export "consume_add") (param i32 i32) (result i32)
                  (call $add (local.get 0) (local.get 1))))
              (core instance $i (instantiate $m
                (with "calculator" (instance (export "add" (func $add_core))))))
              (func (export "consume-add") (param "lh" s32) (param "rh" s32) (result s32)
                (canon lift (core func $i "consume_add"))))"#,
        )?;
        assert_eq!(calculator::INTERFACE, "weft:calculator/calculator");
        let mut linker = Linker::<Calculator>::new(&engine);
        calculator::add_to_linker(&mut linker, |c| c)?;
        let mut store = Store::new(&engine, Calculator);
        let instance = linker.instantiate(&mut store, &component)?;
        let consume = instance.get_typed_func::<(i32, i32), (i32,)>(&mut store, "consume-add")?;
        assert_eq!(consume.call(&mut store, (1, 2))?, (3,));
        let err = consume.call(&mut store, (i32::MAX, 1)).unwrap_err();
        assert!(err.to_string().contains("calculator: overflow"), "{err}");
        Ok(())
    }
}
