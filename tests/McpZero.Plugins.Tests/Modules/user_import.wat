;; Imports an embedder function this host does not define.
(module
  (import "extism:host/user" "lookup" (func $lookup (param i64) (result i64)))
  (func (export "run") (result i32)
    (drop (call $lookup (i64.const 0)))
    (i32.const 0))
)
