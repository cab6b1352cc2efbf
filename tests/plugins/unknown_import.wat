;; unknown_import: imports a host function that no host provides, so instantiation must
;; fail with a linking error that names "extism:host/user" and "not_provided_by_any_host".
;;
;; call_unknown  would call the missing function; no host should get far enough to run it.
(module
  (import "extism:host/user" "not_provided_by_any_host" (func $missing (param i64) (result i64)))

  (memory (export "memory") 1)

  (func (export "call_unknown") (result i32)
    (drop (call $missing (i64.const 0)))
    (i32.const 0))
)
