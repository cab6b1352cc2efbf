;; Test plugin for allowed_paths: reads and writes files in the first preopened directory (fd 3)
;; through WASI. A failed WASI call makes the export return the WASI errno.
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))

  (memory (export "memory") 1)
  (data (i32.const 0) "in.txt")
  (data (i32.const 16) "out.txt")
  (data (i32.const 32) "payload")

  ;; Reads up to 4096 bytes of in.txt and outputs them.
  (func (export "read_file") (result i32)
    (local $errno i32) (local $fd i32) (local $n i32) (local $block i64) (local $i i32)
    ;; rights_base FD_READ (1 << 1)
    (local.set $errno (call $path_open (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 6)
      (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 80)))
    (if (local.get $errno) (then (return (local.get $errno))))
    (local.set $fd (i32.load (i32.const 80)))
    ;; iovec at 64: buffer 1024, length 4096
    (i32.store (i32.const 64) (i32.const 1024))
    (i32.store (i32.const 68) (i32.const 4096))
    (local.set $errno (call $fd_read (local.get $fd) (i32.const 64) (i32.const 1) (i32.const 84)))
    (if (local.get $errno) (then (return (local.get $errno))))
    (drop (call $fd_close (local.get $fd)))
    (local.set $n (i32.load (i32.const 84)))
    (local.set $block (call $alloc (i64.extend_i32_u (local.get $n))))
    (block $done
      (loop $copy
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (call $store_u8 (i64.add (local.get $block) (i64.extend_i32_u (local.get $i)))
          (i32.load8_u (i32.add (i32.const 1024) (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $copy)))
    (call $output_set (local.get $block) (i64.extend_i32_u (local.get $n)))
    (i32.const 0))

  ;; Writes "payload" 3000 times to stdout: 21000 bytes.
  (func (export "print_many") (result i32)
    (local $i i32)
    (i32.store (i32.const 64) (i32.const 32))
    (i32.store (i32.const 68) (i32.const 7))
    (block $done
      (loop $write
        (br_if $done (i32.ge_u (local.get $i) (i32.const 3000)))
        (drop (call $fd_write (i32.const 1) (i32.const 64) (i32.const 1) (i32.const 84)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $write)))
    (i32.const 0))

  ;; Creates or truncates out.txt and writes "payload" to it.
  (func (export "write_file") (result i32)
    (local $errno i32) (local $fd i32)
    ;; oflags O_CREAT | O_TRUNC, rights_base FD_WRITE (1 << 6)
    (local.set $errno (call $path_open (i32.const 3) (i32.const 0) (i32.const 16) (i32.const 7)
      (i32.const 9) (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 80)))
    (if (local.get $errno) (then (return (local.get $errno))))
    (local.set $fd (i32.load (i32.const 80)))
    (i32.store (i32.const 64) (i32.const 32))
    (i32.store (i32.const 68) (i32.const 7))
    (local.set $errno (call $fd_write (local.get $fd) (i32.const 64) (i32.const 1) (i32.const 84)))
    (drop (call $fd_close (local.get $fd)))
    (local.get $errno))
)
