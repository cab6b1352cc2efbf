;; A WASI command: _start plus a global that shows whether the instance is fresh.
(module
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "store_u64" (func $store_u64 (param i64 i64)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (memory (export "memory") 1)
  (global $runs (mut i64) (i64.const 0))
  (func (export "_start")
    (local $block i64)
    (global.set $runs (i64.add (global.get $runs) (i64.const 1)))
    (local.set $block (call $alloc (i64.const 8)))
    (call $store_u64 (local.get $block) (global.get $runs))
    (call $output_set (local.get $block) (i64.const 8)))
)
