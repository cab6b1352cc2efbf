;; Test plugin exercising the extism:host/env functions.
(module
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "free" (func $free (param i64)))
  (import "extism:host/env" "length" (func $length (param i64) (result i64)))
  (import "extism:host/env" "load_u64" (func $load_u64 (param i64) (result i64)))
  (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
  (import "extism:host/env" "store_u64" (func $store_u64 (param i64 i64)))
  (import "extism:host/env" "input_length" (func $input_length (result i64)))
  (import "extism:host/env" "input_load_u8" (func $input_load_u8 (param i64) (result i32)))
  (import "extism:host/env" "input_load_u64" (func $input_load_u64 (param i64) (result i64)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (import "extism:host/env" "error_set" (func $error_set (param i64)))
  (import "extism:host/env" "config_get" (func $config_get (param i64) (result i64)))
  (import "extism:host/env" "var_get" (func $var_get (param i64) (result i64)))
  (import "extism:host/env" "var_set" (func $var_set (param i64 i64)))
  (import "extism:host/env" "log_info" (func $log_info (param i64)))
  (import "extism:host/env" "http_request" (func $http_request (param i64 i64) (result i64)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))

  (memory (export "memory") 1)
  (global $counter (mut i32) (i32.const 0))

  (data (i32.const 0) "boom")
  (data (i32.const 16) "greeting")
  (data (i32.const 32) "count")
  (data (i32.const 48) "big")
  (data (i32.const 64) "hello from the plugin")
  (data (i32.const 96) "{\"url\":\"http://example.invalid\"}")
  ;; iovec for fd_write at 200: pointer 64, length 21
  (data (i32.const 200) "\40\00\00\00\15\00\00\00")

  ;; Copies len bytes at ptr of linear memory into a new kernel-memory block.
  (func $block_from (param $ptr i32) (param $len i32) (result i64)
    (local $block i64) (local $i i32)
    (local.set $block (call $alloc (i64.extend_i32_u (local.get $len))))
    (block $done
      (loop $copy
        (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
        (call $store_u8
          (i64.add (local.get $block) (i64.extend_i32_u (local.get $i)))
          (i32.load8_u (i32.add (local.get $ptr) (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $copy)))
    (local.get $block))

  (func $output_u64 (param $value i64)
    (local $block i64)
    (local.set $block (call $alloc (i64.const 8)))
    (call $store_u64 (local.get $block) (local.get $value))
    (call $output_set (local.get $block) (i64.const 8)))

  ;; Echoes the input: 8 bytes at a time, then the tail a byte at a time.
  (func (export "echo") (result i32)
    (local $len i64) (local $block i64) (local $i i64)
    (local.set $len (call $input_length))
    (local.set $block (call $alloc (local.get $len)))
    (block $words_done
      (loop $words
        (br_if $words_done (i64.gt_s (i64.add (local.get $i) (i64.const 8)) (local.get $len)))
        (call $store_u64 (i64.add (local.get $block) (local.get $i)) (call $input_load_u64 (local.get $i)))
        (local.set $i (i64.add (local.get $i) (i64.const 8)))
        (br $words)))
    (block $bytes_done
      (loop $bytes
        (br_if $bytes_done (i64.ge_s (local.get $i) (local.get $len)))
        (call $store_u8 (i64.add (local.get $block) (local.get $i)) (call $input_load_u8 (local.get $i)))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $bytes)))
    (call $output_set (local.get $block) (local.get $len))
    (i32.const 0))

  ;; Returns 0 when alloc, length and free behave, else the number of the failed check.
  (func (export "alloc_check") (result i32)
    (local $p i64) (local $q i64)
    (local.set $p (call $alloc (i64.const 10)))
    (if (i64.eqz (local.get $p)) (then (return (i32.const 1))))
    (if (i64.ne (call $length (local.get $p)) (i64.const 10)) (then (return (i32.const 2))))
    (if (i64.ne (call $length (i64.add (local.get $p) (i64.const 1))) (i64.const 0)) (then (return (i32.const 3))))
    (call $free (local.get $p))
    (if (i64.ne (call $length (local.get $p)) (i64.const 0)) (then (return (i32.const 4))))
    (local.set $q (call $alloc (i64.const 10)))
    (if (i64.ne (local.get $q) (local.get $p)) (then (return (i32.const 5))))
    (if (i64.ne (call $alloc (i64.const 0)) (i64.const 0)) (then (return (i32.const 6))))
    (if (i64.ne (call $load_u64 (local.get $q)) (i64.const 0)) (then (return (i32.const 7))))
    (i32.const 0))

  ;; Allocates 1000 bytes without freeing them and outputs the block's offset.
  (func (export "leak") (result i32)
    (call $output_u64 (call $alloc (i64.const 1000)))
    (i32.const 0))

  ;; Allocates until kernel memory is full and outputs how many blocks of 1 MiB fitted.
  (func (export "exhaust") (result i32)
    (local $n i64)
    (block $full
      (loop $more
        (br_if $full (i64.eqz (call $alloc (i64.const 1048576))))
        (local.set $n (i64.add (local.get $n) (i64.const 1)))
        (br $more)))
    (call $output_u64 (local.get $n))
    (i32.const 0))

  (func (export "fail_error") (result i32)
    (call $error_set (call $block_from (i32.const 0) (i32.const 4)))
    (i32.const 0))

  (func (export "fail_code") (result i32)
    (i32.const 7))

  ;; Outputs config "greeting", or nothing when it is absent.
  (func (export "config") (result i32)
    (local $value i64)
    (local.set $value (call $config_get (call $block_from (i32.const 16) (i32.const 8))))
    (if (i64.ne (local.get $value) (i64.const 0))
      (then (call $output_set (local.get $value) (call $length (local.get $value)))))
    (i32.const 0))

  ;; Increments variable "count" (a u64) and outputs it.
  (func (export "var_count") (result i32)
    (local $value i64) (local $n i64) (local $block i64)
    (local.set $value (call $var_get (call $block_from (i32.const 32) (i32.const 5))))
    (if (i64.ne (local.get $value) (i64.const 0))
      (then (local.set $n (call $load_u64 (local.get $value)))))
    (local.set $n (i64.add (local.get $n) (i64.const 1)))
    (local.set $block (call $alloc (i64.const 8)))
    (call $store_u64 (local.get $block) (local.get $n))
    (call $var_set (call $block_from (i32.const 32) (i32.const 5)) (local.get $block))
    (call $output_u64 (local.get $n))
    (i32.const 0))

  ;; Sets variable "big" to 2000 zero bytes.
  (func (export "var_big") (result i32)
    (call $var_set (call $block_from (i32.const 48) (i32.const 3)) (call $alloc (i64.const 2000)))
    (i32.const 0))

  ;; Deletes variable "count".
  (func (export "var_delete") (result i32)
    (call $var_set (call $block_from (i32.const 32) (i32.const 5)) (i64.const 0))
    (i32.const 0))

  (func (export "spin") (result i32)
    (loop $forever (br $forever))
    (i32.const 0))

  ;; Grows linear memory a page at a time until it fails, then traps as an allocator would.
  (func (export "grow") (result i32)
    (loop $more
      (br_if $more (i32.ne (memory.grow (i32.const 1)) (i32.const -1))))
    unreachable)

  (func (export "trap") (result i32)
    unreachable)

  ;; Increments a global and outputs its value: state that lives in the instance.
  (func (export "counter") (result i32)
    (global.set $counter (i32.add (global.get $counter) (i32.const 1)))
    (call $output_u64 (i64.extend_i32_u (global.get $counter)))
    (i32.const 0))

  (func (export "log") (result i32)
    (call $log_info (call $block_from (i32.const 64) (i32.const 21)))
    (i32.const 0))

  (func (export "print") (result i32)
    (drop (call $fd_write (i32.const 1) (i32.const 200) (i32.const 1) (i32.const 208)))
    (i32.const 0))

  (func (export "http") (result i32)
    (drop (call $http_request (call $block_from (i32.const 96) (i32.const 32)) (i64.const 0)))
    (i32.const 0))

  ;; Outputs 100 bytes, for the output limit.
  (func (export "big_output") (result i32)
    (call $output_set (call $alloc (i64.const 100)) (i64.const 100))
    (i32.const 0))

  ;; Reads kernel memory past everything allocated.
  (func (export "bad_load") (result i32)
    (drop (call $load_u64 (i64.const 1000000)))
    (i32.const 0))

  ;; Not callable: it takes a parameter.
  (func (export "takes_param") (param i32) (result i32)
    (local.get 0))
)
