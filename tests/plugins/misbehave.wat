;; misbehave: one export per way a plugin can fail or strain the host, for host tests.
;;
;; spin            loops forever without host calls; only a timeout, epoch or fuel stops it.
;; grow            grows linear memory one 64 KiB page at a time and writes a byte into each
;;                 new page so it is really committed. When memory.grow returns -1 (the
;;                 host's limit or the 4 GiB maximum of 32-bit memory), it sets the error
;;                 "memory.grow failed at N pages" and returns 1. A host whose limiter traps
;;                 on a failed grow ends the call with that trap instead.
;; trap            executes `unreachable`.
;; fail            sets the error "deliberate failure" and returns 1.
;; fail_zero       sets the error "deliberate failure with return code 0" and returns 0; the
;;                 call must still fail, because error_set marks failure whatever the return.
;; fail_code       returns 7 without setting an error.
;; echo            copies the input to the output; an empty input sets no output.
;; big_output      outputs N bytes of 'x'. N is the input read as 1 to 19 ASCII decimal
;;                 digits; any other input of exactly 8 bytes is N as an unsigned 64-bit
;;                 little-endian integer. So an 8-byte input made only of digits is read
;;                 as decimal. N = 0 sets no output. Other inputs fail with an error.
;; stack_overflow  recurses without end until the host's wasm stack limit traps.
(module
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
  (import "extism:host/env" "store_u64" (func $store_u64 (param i64 i64)))
  (import "extism:host/env" "input_length" (func $input_length (result i64)))
  (import "extism:host/env" "input_load_u8" (func $input_load_u8 (param i64) (result i32)))
  (import "extism:host/env" "input_load_u64" (func $input_load_u64 (param i64) (result i64)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (import "extism:host/env" "error_set" (func $error_set (param i64)))

  (memory (export "memory") 1)

  ;; Constant strings: address, length.
  (data (i32.const 0) "deliberate failure")                                   ;; 0, 18
  (data (i32.const 32) "deliberate failure with return code 0")               ;; 32, 37
  (data (i32.const 96) "memory.grow failed at ")                              ;; 96, 22
  (data (i32.const 128) " pages")                                             ;; 128, 6
  (data (i32.const 160) "big_output expects N as 1 to 19 decimal digits or as 8 bytes little-endian") ;; 160, 74
  (data (i32.const 256) "big_output could not allocate the requested output") ;; 256, 50
  ;; Addresses 320 to 351 are scratch space for decimal digits, which end at 352.
  ;; Pages added by `grow` start at 65536, so they never overwrite these strings.

  (func $block_from_memory (param $address i32) (param $length i32) (result i64)
    (local $block i64)
    (local $i i32)
    (local.set $block (call $alloc (i64.extend_i32_u (local.get $length))))
    (if (i64.eqz (local.get $block))
      (then (return (i64.const 0))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $length)))
        (call $store_u8
          (i64.add (local.get $block) (i64.extend_i32_u (local.get $i)))
          (i32.load8_u (i32.add (local.get $address) (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $block))

  (func $fail_with (param $address i32) (param $length i32) (result i32)
    (call $error_set (call $block_from_memory (local.get $address) (local.get $length)))
    (i32.const 1))

  ;; Writes the decimal digits of `value` so that they end at address 352; returns the
  ;; address of the first digit.
  (func $format_u64 (param $value i64) (result i32)
    (local $at i32)
    (local.set $at (i32.const 352))
    (loop $next
      (local.set $at (i32.sub (local.get $at) (i32.const 1)))
      (i32.store8 (local.get $at)
        (i32.add (i32.const 48) (i32.wrap_i64 (i64.rem_u (local.get $value) (i64.const 10)))))
      (local.set $value (i64.div_u (local.get $value) (i64.const 10)))
      (br_if $next (i64.ne (local.get $value) (i64.const 0))))
    (local.get $at))

  (func (export "spin") (result i32)
    (loop $forever
      (br $forever))
    (i32.const 0))

  (func (export "grow") (result i32)
    (local $previous i32)
    (local $pages i32)
    (local $digits i32)
    (local $digits_length i32)
    (local $message i64)
    (loop $next
      (local.set $previous (memory.grow (i32.const 1)))
      (if (i32.ne (local.get $previous) (i32.const -1))
        (then
          (i32.store8 (i32.mul (local.get $previous) (i32.const 65536)) (i32.const 1))
          (br $next))))

    ;; The message "memory.grow failed at " N " pages" is assembled in a new block.
    (local.set $pages (memory.size))
    (local.set $digits (call $format_u64 (i64.extend_i32_u (local.get $pages))))
    (local.set $digits_length (i32.sub (i32.const 352) (local.get $digits)))
    (local.set $message (call $alloc (i64.extend_i32_u (i32.add (i32.const 28) (local.get $digits_length)))))
    (if (i64.eqz (local.get $message))
      (then (return (i32.const 1))))
    (call $copy_memory_to_block (i32.const 96) (i32.const 22) (local.get $message))
    (call $copy_memory_to_block (local.get $digits) (local.get $digits_length)
      (i64.add (local.get $message) (i64.const 22)))
    (call $copy_memory_to_block (i32.const 128) (i32.const 6)
      (i64.add (local.get $message) (i64.extend_i32_u (i32.add (i32.const 22) (local.get $digits_length)))))
    (call $error_set (local.get $message))
    (i32.const 1))

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

  (func (export "trap") (result i32)
    (unreachable))

  (func (export "fail") (result i32)
    (call $fail_with (i32.const 0) (i32.const 18)))

  (func (export "fail_zero") (result i32)
    (call $error_set (call $block_from_memory (i32.const 32) (i32.const 37)))
    (i32.const 0))

  (func (export "fail_code") (result i32)
    (i32.const 7))

  (func (export "echo") (result i32)
    (local $length i64)
    (local $output i64)
    (local $i i64)
    (local.set $length (call $input_length))
    (if (i64.eqz (local.get $length))
      (then (return (i32.const 0))))
    (local.set $output (call $alloc (local.get $length)))
    (if (i64.eqz (local.get $output))
      (then (return (call $fail_with (i32.const 256) (i32.const 50)))))

    ;; 8 bytes per host call while 8 remain, then the tail byte by byte.
    (block $words_done
      (loop $next_word
        (br_if $words_done (i64.gt_u (i64.add (local.get $i) (i64.const 8)) (local.get $length)))
        (call $store_u64 (i64.add (local.get $output) (local.get $i)) (call $input_load_u64 (local.get $i)))
        (local.set $i (i64.add (local.get $i) (i64.const 8)))
        (br $next_word)))
    (block $bytes_done
      (loop $next_byte
        (br_if $bytes_done (i64.ge_u (local.get $i) (local.get $length)))
        (call $store_u8 (i64.add (local.get $output) (local.get $i)) (call $input_load_u8 (local.get $i)))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $next_byte)))
    (call $output_set (local.get $output) (local.get $length))
    (i32.const 0))

  ;; Returns the input as a decimal number of 1 to 19 digits, or -1 when it is not one.
  ;; Nineteen digits stay below 2^64 - 1, so a number never equals the -1 marker.
  (func $input_as_decimal (param $length i64) (result i64)
    (local $i i64)
    (local $digit i32)
    (local $value i64)
    (if (i32.or (i64.eqz (local.get $length)) (i64.gt_u (local.get $length) (i64.const 19)))
      (then (return (i64.const -1))))
    (block $done
      (loop $next
        (br_if $done (i64.ge_u (local.get $i) (local.get $length)))
        (local.set $digit (i32.sub (call $input_load_u8 (local.get $i)) (i32.const 48)))
        (if (i32.gt_u (local.get $digit) (i32.const 9))
          (then (return (i64.const -1))))
        (local.set $value
          (i64.add (i64.mul (local.get $value) (i64.const 10)) (i64.extend_i32_u (local.get $digit))))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $next)))
    (local.get $value))

  (func (export "big_output") (result i32)
    (local $length i64)
    (local $size i64)
    (local $output i64)
    (local $i i64)
    (local.set $length (call $input_length))
    (local.set $size (call $input_as_decimal (local.get $length)))
    (if (i64.eq (local.get $size) (i64.const -1))
      (then
        (if (i64.ne (local.get $length) (i64.const 8))
          (then (return (call $fail_with (i32.const 160) (i32.const 74)))))
        (local.set $size (call $input_load_u64 (i64.const 0)))))
    (if (i64.eqz (local.get $size))
      (then (return (i32.const 0))))

    (local.set $output (call $alloc (local.get $size)))
    (if (i64.eqz (local.get $output))
      (then (return (call $fail_with (i32.const 256) (i32.const 50)))))
    (block $words_done
      (loop $next_word
        (br_if $words_done (i64.gt_u (i64.add (local.get $i) (i64.const 8)) (local.get $size)))
        (call $store_u64 (i64.add (local.get $output) (local.get $i)) (i64.const 0x7878787878787878))
        (local.set $i (i64.add (local.get $i) (i64.const 8)))
        (br $next_word)))
    (block $bytes_done
      (loop $next_byte
        (br_if $bytes_done (i64.ge_u (local.get $i) (local.get $size)))
        (call $store_u8 (i64.add (local.get $output) (local.get $i)) (i32.const 0x78))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $next_byte)))
    (call $output_set (local.get $output) (local.get $size))
    (i32.const 0))

  ;; The addition after the call keeps the call out of tail position, so every level keeps
  ;; its frame even in a runtime that would optimise tail calls.
  (func $recurse (param $depth i64) (result i64)
    (i64.add (call $recurse (i64.add (local.get $depth) (i64.const 1))) (i64.const 1)))

  (func (export "stack_overflow") (result i32)
    (drop (call $recurse (i64.const 0)))
    (i32.const 0))
)
