;; loop_forever.wat: `_start` never returns. Run it with a fuel limit to stop it:
;;
;;   cargo run --release -- run --fuel 1000000 examples/loop_forever.wat
;;   error: wasm trap: all fuel consumed
(module
  (func $spin (export "_start")
    (loop $forever
      (br $forever))))
