;; conformance (WAT): the method set that every conformance plugin exports, hand-written against
;; the Extism ABI. conformance.c, conformance.rs and ../as_pdk/assembly/conformance.ts export the
;; same methods with the same outputs and messages, so one integration suite checks all four.
;;
;; echo              copies the input to the output; an empty input sets no output.
;; empty             returns 0 and sets no output.
;; fail_with_error   sets the error "conformance: fail_with_error was called" and returns 1.
;; error_but_zero    sets the error "conformance: error_but_zero was called" and returns 0.
;; nonzero_no_error  returns 5 without setting an error.
;; var_counter       adds 1 to the variable "counter" (ASCII decimal, absent = 0), stores it and
;;                   outputs the new value in decimal.
;; config_echo       outputs the value of the config key named by the input; an absent key sets
;;                   the error "conformance: config key not found" and returns 1.
;; log_all           logs "conformance: log_all LEVEL" at trace, debug, info, warn and error.
;; trap              executes `unreachable`.
;; spin              loops forever without host calls.
;; grow              grows linear memory one page at a time until memory.grow returns -1, then
;;                   sets the error "conformance: memory.grow failed at N pages" and returns 1.
(module
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "length" (func $length (param i64) (result i64)))
  (import "extism:host/env" "load_u8" (func $load_u8 (param i64) (result i32)))
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
  (import "extism:host/env" "log_trace" (func $log_trace (param i64)))
  (import "extism:host/env" "log_debug" (func $log_debug (param i64)))
  (import "extism:host/env" "log_info" (func $log_info (param i64)))
  (import "extism:host/env" "log_warn" (func $log_warn (param i64)))
  (import "extism:host/env" "log_error" (func $log_error (param i64)))

  (memory (export "memory") 1)

  ;; Constant strings: address, length.
  (data (i32.const 0) "conformance: fail_with_error was called")    ;; 0, 39
  (data (i32.const 48) "conformance: error_but_zero was called")    ;; 48, 38
  (data (i32.const 96) "conformance: config key not found")         ;; 96, 33
  (data (i32.const 144) "conformance: memory.grow failed at ")      ;; 144, 35
  (data (i32.const 184) " pages")                                   ;; 184, 6
  (data (i32.const 192) "counter")                                  ;; 192, 7
  (data (i32.const 208) "conformance: log_all trace")               ;; 208, 26
  (data (i32.const 240) "conformance: log_all debug")               ;; 240, 26
  (data (i32.const 272) "conformance: log_all info")                ;; 272, 25
  (data (i32.const 304) "conformance: log_all warn")                ;; 304, 25
  (data (i32.const 336) "conformance: log_all error")               ;; 336, 26
  (data (i32.const 368) "conformance: alloc failed")                ;; 368, 25
  ;; Addresses 400 to 431 are scratch space for decimal digits, which end at 432.
  ;; Pages added by `grow` start at 65536, so they never overwrite these strings.

  ;; Copies `length` bytes of linear memory at `address` into `target` in kernel memory.
  (func $copy_to_block (param $address i32) (param $length i32) (param $target i64)
    (local $i i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $length)))
        (call $store_u8
          (i64.add (local.get $target) (i64.extend_i32_u (local.get $i)))
          (i32.load8_u (i32.add (local.get $address) (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next))))

  ;; Returns a new block holding `length` bytes of linear memory at `address`, or 0 when alloc fails.
  (func $block_from_memory (param $address i32) (param $length i32) (result i64)
    (local $block i64)
    (local.set $block (call $alloc (i64.extend_i32_u (local.get $length))))
    (if (i64.eqz (local.get $block))
      (then (return (i64.const 0))))
    (call $copy_to_block (local.get $address) (local.get $length) (local.get $block))
    (local.get $block))

  (func $fail_with (param $address i32) (param $length i32) (result i32)
    (call $error_set (call $block_from_memory (local.get $address) (local.get $length)))
    (i32.const 1))

  ;; Writes the decimal digits of `value` so that they end at address 432; returns the address
  ;; of the first digit.
  (func $format_u64 (param $value i64) (result i32)
    (local $at i32)
    (local.set $at (i32.const 432))
    (loop $next
      (local.set $at (i32.sub (local.get $at) (i32.const 1)))
      (i32.store8 (local.get $at)
        (i32.add (i32.const 48) (i32.wrap_i64 (i64.rem_u (local.get $value) (i64.const 10)))))
      (local.set $value (i64.div_u (local.get $value) (i64.const 10)))
      (br_if $next (i64.ne (local.get $value) (i64.const 0))))
    (local.get $at))

  ;; Reads the ASCII decimal number in `block`; bytes that are not digits are skipped.
  (func $parse_block_u64 (param $block i64) (result i64)
    (local $length i64)
    (local $i i64)
    (local $digit i32)
    (local $value i64)
    (local.set $length (call $length (local.get $block)))
    (block $done
      (loop $next
        (br_if $done (i64.ge_u (local.get $i) (local.get $length)))
        (local.set $digit (i32.sub (call $load_u8 (i64.add (local.get $block) (local.get $i))) (i32.const 48)))
        (if (i32.le_u (local.get $digit) (i32.const 9))
          (then
            (local.set $value
              (i64.add (i64.mul (local.get $value) (i64.const 10)) (i64.extend_i32_u (local.get $digit))))))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $next)))
    (local.get $value))

  ;; Returns a new block holding a copy of the whole input, or 0 when the input is empty or alloc fails.
  (func $input_to_block (result i64)
    (local $length i64)
    (local $block i64)
    (local $i i64)
    (local.set $length (call $input_length))
    (if (i64.eqz (local.get $length))
      (then (return (i64.const 0))))
    (local.set $block (call $alloc (local.get $length)))
    (if (i64.eqz (local.get $block))
      (then (return (i64.const 0))))

    ;; 8 bytes per host call while 8 remain, then the tail byte by byte.
    (block $words_done
      (loop $next_word
        (br_if $words_done (i64.gt_u (i64.add (local.get $i) (i64.const 8)) (local.get $length)))
        (call $store_u64 (i64.add (local.get $block) (local.get $i)) (call $input_load_u64 (local.get $i)))
        (local.set $i (i64.add (local.get $i) (i64.const 8)))
        (br $next_word)))
    (block $bytes_done
      (loop $next_byte
        (br_if $bytes_done (i64.ge_u (local.get $i) (local.get $length)))
        (call $store_u8 (i64.add (local.get $block) (local.get $i)) (call $input_load_u8 (local.get $i)))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $next_byte)))
    (local.get $block))

  (func (export "echo") (result i32)
    (local $block i64)
    (if (i64.eqz (call $input_length))
      (then (return (i32.const 0))))
    (local.set $block (call $input_to_block))
    (if (i64.eqz (local.get $block))
      (then (return (call $fail_with (i32.const 368) (i32.const 25)))))
    (call $output_set (local.get $block) (call $length (local.get $block)))
    (i32.const 0))

  (func (export "empty") (result i32)
    (i32.const 0))

  (func (export "fail_with_error") (result i32)
    (call $fail_with (i32.const 0) (i32.const 39)))

  (func (export "error_but_zero") (result i32)
    (call $error_set (call $block_from_memory (i32.const 48) (i32.const 38)))
    (i32.const 0))

  (func (export "nonzero_no_error") (result i32)
    (i32.const 5))

  (func (export "var_counter") (result i32)
    (local $stored i64)
    (local $count i64)
    (local $digits i32)
    (local $digits_length i32)
    (local.set $stored (call $var_get (call $block_from_memory (i32.const 192) (i32.const 7))))
    (if (i64.ne (local.get $stored) (i64.const 0))
      (then (local.set $count (call $parse_block_u64 (local.get $stored)))))
    (local.set $count (i64.add (local.get $count) (i64.const 1)))

    ;; var_set takes ownership of both blocks, so the output gets a block of its own.
    (local.set $digits (call $format_u64 (local.get $count)))
    (local.set $digits_length (i32.sub (i32.const 432) (local.get $digits)))
    (call $var_set
      (call $block_from_memory (i32.const 192) (i32.const 7))
      (call $block_from_memory (local.get $digits) (local.get $digits_length)))
    (call $output_set
      (call $block_from_memory (local.get $digits) (local.get $digits_length))
      (i64.extend_i32_u (local.get $digits_length)))
    (i32.const 0))

  (func (export "config_echo") (result i32)
    (local $key i64)
    (local $value i64)
    (local.set $key (call $input_to_block))
    (if (i64.eqz (local.get $key))
      (then (return (call $fail_with (i32.const 96) (i32.const 33)))))
    (local.set $value (call $config_get (local.get $key)))
    (if (i64.eqz (local.get $value))
      (then (return (call $fail_with (i32.const 96) (i32.const 33)))))
    (call $output_set (local.get $value) (call $length (local.get $value)))
    (i32.const 0))

  (func (export "log_all") (result i32)
    (call $log_trace (call $block_from_memory (i32.const 208) (i32.const 26)))
    (call $log_debug (call $block_from_memory (i32.const 240) (i32.const 26)))
    (call $log_info (call $block_from_memory (i32.const 272) (i32.const 25)))
    (call $log_warn (call $block_from_memory (i32.const 304) (i32.const 25)))
    (call $log_error (call $block_from_memory (i32.const 336) (i32.const 26)))
    (i32.const 0))

  (func (export "trap") (result i32)
    (unreachable))

  (func (export "spin") (result i32)
    (loop $forever
      (br $forever))
    (i32.const 0))

  (func (export "grow") (result i32)
    (local $previous i32)
    (local $digits i32)
    (local $digits_length i32)
    (local $message i64)
    (loop $next
      (local.set $previous (memory.grow (i32.const 1)))
      (if (i32.ne (local.get $previous) (i32.const -1))
        (then
          ;; Writing a byte into each new page makes sure it is really committed.
          (i32.store8 (i32.mul (local.get $previous) (i32.const 65536)) (i32.const 1))
          (br $next))))

    ;; The message "conformance: memory.grow failed at " N " pages" is assembled in a new block.
    (local.set $digits (call $format_u64 (i64.extend_i32_u (memory.size))))
    (local.set $digits_length (i32.sub (i32.const 432) (local.get $digits)))
    (local.set $message (call $alloc (i64.extend_i32_u (i32.add (i32.const 41) (local.get $digits_length)))))
    (if (i64.eqz (local.get $message))
      (then (return (i32.const 1))))
    (call $copy_to_block (i32.const 144) (i32.const 35) (local.get $message))
    (call $copy_to_block (local.get $digits) (local.get $digits_length)
      (i64.add (local.get $message) (i64.const 35)))
    (call $copy_to_block (i32.const 184) (i32.const 6)
      (i64.add (local.get $message) (i64.extend_i32_u (i32.add (i32.const 35) (local.get $digits_length)))))
    (call $error_set (local.get $message))
    (i32.const 1))
)
