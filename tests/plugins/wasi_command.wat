;; wasi_command: a WASI command module, whose only entry point is `_start`.
;;
;; _start  writes "wasi_command: _start ran\n" to stdout with fd_write, then outputs
;;         "run #N", where N counts the runs of `_start` in this instance. Calling `_start`
;;         ends a command instance's life, so a host that creates a fresh instance for every
;;         call always outputs "run #1"; "run #2" means the host reused the instance.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))

  ;; WASI requires the memory to be exported as "memory".
  (memory (export "memory") 1)

  (global $runs (mut i64) (i64.const 0))

  (data (i32.const 0) "wasi_command: _start ran\n")  ;; 0, 25
  (data (i32.const 32) "run #")                      ;; 32, 5
  ;; Address 64 holds the iovec for fd_write, 72 the count of bytes written, and 96 to
  ;; 127 are scratch space for decimal digits, which end at 128.

  (func $format_u64 (param $value i64) (result i32)
    (local $at i32)
    (local.set $at (i32.const 128))
    (loop $next
      (local.set $at (i32.sub (local.get $at) (i32.const 1)))
      (i32.store8 (local.get $at)
        (i32.add (i32.const 48) (i32.wrap_i64 (i64.rem_u (local.get $value) (i64.const 10)))))
      (local.set $value (i64.div_u (local.get $value) (i64.const 10)))
      (br_if $next (i64.ne (local.get $value) (i64.const 0))))
    (local.get $at))

  (func $copy_memory_to_block (param $address i32) (param $length i32) (param $target i64)
    (local $i i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $length)))
        (call $store_u8
          (i64.add (local.get $target) (i64.extend_i32_u (local.get $i)))
          (i32.load8_u (i32.add (local.get $address) (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next))))

  (func (export "_start")
    (local $digits i32)
    (local $digits_length i32)
    (local $output i64)
    (global.set $runs (i64.add (global.get $runs) (i64.const 1)))

    ;; The stdout line; a host without stdout returns an errno, which is ignored because
    ;; the output below still reports the run.
    (i32.store (i32.const 64) (i32.const 0))
    (i32.store (i32.const 68) (i32.const 25))
    (drop (call $fd_write (i32.const 1) (i32.const 64) (i32.const 1) (i32.const 72)))

    (local.set $digits (call $format_u64 (global.get $runs)))
    (local.set $digits_length (i32.sub (i32.const 128) (local.get $digits)))
    (local.set $output (call $alloc (i64.extend_i32_u (i32.add (i32.const 5) (local.get $digits_length)))))
    (if (i64.eqz (local.get $output))
      (then (unreachable)))
    (call $copy_memory_to_block (i32.const 32) (i32.const 5) (local.get $output))
    (call $copy_memory_to_block (local.get $digits) (local.get $digits_length)
      (i64.add (local.get $output) (i64.const 5)))
    (call $output_set (local.get $output) (i64.extend_i32_u (i32.add (i32.const 5) (local.get $digits_length)))))
)
