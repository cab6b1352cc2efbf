;; Test plugin for instance isolation: "store" writes the input into linear memory, and "scan"
;; reports whether the input occurs anywhere in linear memory. scan reads its input through
;; input_load_u8 and never copies it into linear memory, so it finds only what an earlier call left.
(module
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
  (import "extism:host/env" "input_length" (func $input_length (result i64)))
  (import "extism:host/env" "input_load_u8" (func $input_load_u8 (param i64) (result i32)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))

  (memory (export "memory") 1)

  ;; Where store puts the secret: inside the first page, away from offset 0.
  (global $secret_offset i32 (i32.const 4096))

  (func $output_byte (param $value i32)
    (local $block i64)
    (local.set $block (call $alloc (i64.const 1)))
    (call $store_u8 (local.get $block) (local.get $value))
    (call $output_set (local.get $block) (i64.const 1)))

  ;; Copies the input to linear memory at $secret_offset and outputs "s".
  (func (export "store") (result i32)
    (local $len i32) (local $i i32)
    (local.set $len (i32.wrap_i64 (call $input_length)))
    (block $done
      (loop $copy
        (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
        (i32.store8
          (i32.add (global.get $secret_offset) (local.get $i))
          (call $input_load_u8 (i64.extend_i32_u (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $copy)))
    (call $output_byte (i32.const 115))
    (i32.const 0))

  ;; Outputs "1" when the input occurs in linear memory, else "0". An empty input outputs "0".
  (func (export "scan") (result i32)
    (local $len i32) (local $size i32) (local $start i32) (local $i i32)
    (local.set $len (i32.wrap_i64 (call $input_length)))
    (local.set $size (i32.mul (memory.size) (i32.const 65536)))
    (if (i32.eqz (local.get $len))
      (then
        (call $output_byte (i32.const 48))
        (return (i32.const 0))))
    (block $not_found
      (loop $next_start
        (br_if $not_found (i32.gt_u (i32.add (local.get $start) (local.get $len)) (local.get $size)))
        (local.set $i (i32.const 0))
        (block $mismatch
          (loop $compare
            (br_if $mismatch
              (i32.ne
                (i32.load8_u (i32.add (local.get $start) (local.get $i)))
                (call $input_load_u8 (i64.extend_i32_u (local.get $i)))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (if (i32.eq (local.get $i) (local.get $len))
              (then
                (call $output_byte (i32.const 49))
                (return (i32.const 0))))
            (br $compare)))
        (local.set $start (i32.add (local.get $start) (i32.const 1)))
        (br $next_start)))
    (call $output_byte (i32.const 48))
    (i32.const 0))
)
