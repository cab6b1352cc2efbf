;; Test and benchmark plugin. "noop" returns at once. "count_vowels" outputs the number of ASCII
;; vowels (aeiouAEIOU) in the input as a u64, little-endian. "count_vowels_total" does the same and
;; also adds the count to the variable "total" (a u64), so its state outlives the call.
(module
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "load_u64" (func $load_u64 (param i64) (result i64)))
  (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
  (import "extism:host/env" "store_u64" (func $store_u64 (param i64 i64)))
  (import "extism:host/env" "input_length" (func $input_length (result i64)))
  (import "extism:host/env" "input_load_u8" (func $input_load_u8 (param i64) (result i32)))
  (import "extism:host/env" "input_load_u64" (func $input_load_u64 (param i64) (result i64)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (import "extism:host/env" "var_get" (func $var_get (param i64) (result i64)))
  (import "extism:host/env" "var_set" (func $var_set (param i64 i64)))

  (memory (export "memory") 1)
  (data (i32.const 0) "total")

  (func (export "noop") (result i32)
    (i32.const 0))

  ;; 1 when the byte is one of aeiouAEIOU, else 0. Lower-casing with 0x20 maps A-Z onto a-z.
  (func $is_vowel (param $byte i32) (result i32)
    (local $lower i32)
    (local.set $lower (i32.or (local.get $byte) (i32.const 32)))
    (i32.or
      (i32.or
        (i32.or (i32.eq (local.get $lower) (i32.const 97)) (i32.eq (local.get $lower) (i32.const 101)))
        (i32.or (i32.eq (local.get $lower) (i32.const 105)) (i32.eq (local.get $lower) (i32.const 111))))
      (i32.eq (local.get $lower) (i32.const 117))))

  ;; Counts vowels, reading the input 8 bytes at a time and the tail a byte at a time.
  (func $count (result i64)
    (local $len i64) (local $i i64) (local $word i64) (local $count i32) (local $k i32)
    (local.set $len (call $input_length))
    (block $words_done
      (loop $words
        (br_if $words_done (i64.gt_s (i64.add (local.get $i) (i64.const 8)) (local.get $len)))
        (local.set $word (call $input_load_u64 (local.get $i)))
        (local.set $k (i32.const 0))
        (loop $bytes_of_word
          (local.set $count
            (i32.add (local.get $count)
              (call $is_vowel (i32.wrap_i64 (i64.and (local.get $word) (i64.const 255))))))
          (local.set $word (i64.shr_u (local.get $word) (i64.const 8)))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br_if $bytes_of_word (i32.lt_u (local.get $k) (i32.const 8))))
        (local.set $i (i64.add (local.get $i) (i64.const 8)))
        (br $words)))
    (block $tail_done
      (loop $tail
        (br_if $tail_done (i64.ge_s (local.get $i) (local.get $len)))
        (local.set $count
          (i32.add (local.get $count) (call $is_vowel (call $input_load_u8 (local.get $i)))))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $tail)))
    (i64.extend_i32_u (local.get $count)))

  (func $output_u64 (param $value i64)
    (local $block i64)
    (local.set $block (call $alloc (i64.const 8)))
    (call $store_u64 (local.get $block) (local.get $value))
    (call $output_set (local.get $block) (i64.const 8)))

  ;; A kernel-memory block holding the variable name "total".
  (func $total_name (result i64)
    (local $block i64) (local $i i32)
    (local.set $block (call $alloc (i64.const 5)))
    (loop $copy
      (call $store_u8
        (i64.add (local.get $block) (i64.extend_i32_u (local.get $i)))
        (i32.load8_u (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $copy (i32.lt_u (local.get $i) (i32.const 5))))
    (local.get $block))

  (func (export "count_vowels") (result i32)
    (call $output_u64 (call $count))
    (i32.const 0))

  (func (export "count_vowels_total") (result i32)
    (local $count i64) (local $stored i64) (local $total i64) (local $block i64)
    (local.set $count (call $count))
    (local.set $stored (call $var_get (call $total_name)))
    (if (i64.ne (local.get $stored) (i64.const 0))
      (then (local.set $total (call $load_u64 (local.get $stored)))))
    (local.set $total (i64.add (local.get $total) (local.get $count)))
    (local.set $block (call $alloc (i64.const 8)))
    (call $store_u64 (local.get $block) (local.get $total))
    (call $var_set (call $total_name) (local.get $block))
    (call $output_u64 (local.get $count))
    (i32.const 0))
)
