;; Exports `wasi:cli/environment@0.2.6` with fixed contents (arguments `linked-arg`,
;; environment `GREETING=linked`), for `weft run --link` of an interface WASI also
;; provides, by a command component (tests/cli_component.rs).
(component
  (core module $m
    (memory (export "mem") 1)
    (data (i32.const 100) "GREETING")
    (data (i32.const 110) "linked")
    (data (i32.const 120) "linked-arg")
    ;; One list<tuple<string, string>> element: ("GREETING", "linked").
    (data (i32.const 200) "\64\00\00\00\08\00\00\00\6e\00\00\00\06\00\00\00")
    ;; One list<string> element: "linked-arg".
    (data (i32.const 220) "\78\00\00\00\0a\00\00\00")
    ;; The results: (pointer, length) of each list.
    (data (i32.const 300) "\c8\00\00\00\01\00\00\00")
    (data (i32.const 308) "\dc\00\00\00\01\00\00\00")
    (func (export "get-environment") (result i32) (i32.const 300))
    (func (export "get-arguments") (result i32) (i32.const 308)))
  (core instance $i (instantiate $m))
  (func $get-environment (result (list (tuple string string)))
    (canon lift (core func $i "get-environment") (memory (core memory $i "mem"))))
  (func $get-arguments (result (list string))
    (canon lift (core func $i "get-arguments") (memory (core memory $i "mem"))))
  (instance $env
    (export "get-environment" (func $get-environment))
    (export "get-arguments" (func $get-arguments)))
  (export "wasi:cli/environment@0.2.6" (instance $env)))
