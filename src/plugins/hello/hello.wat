;; hello: a plugin written by hand in WebAssembly text, with no toolchain but wat2wasm.
;;
;; greet  outputs "<greeting>, <input>! (greeting #N)". <greeting> is the config value
;;        "greeting" when it is set and not empty, else "Hello". An empty input greets
;;        "world". N counts the successful greetings of this plugin instance (in the
;;        appliance: of this agent) and is kept in the variable "greetings" as decimal
;;        ASCII digits, so `greetings` reads as text when inspected.
;; noop   does nothing and sets no output; it measures the host's cost of a call.
;;
;; Every string moves between kernel blocks with load/store host calls. The input is copied
;; straight from the input into the output block, so linear memory never holds it and one
;; page of memory is enough for any input size.
(module
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "free" (func $free (param i64)))
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

  (memory (export "memory") 1)

  ;; Constant strings: address, length.
  (data (i32.const 0) "Hello")                                    ;; 0, 5
  (data (i32.const 16) "greeting")                                ;; 16, 8: config key
  (data (i32.const 32) "greetings")                               ;; 32, 9: variable name
  (data (i32.const 48) ", ")                                      ;; 48, 2
  (data (i32.const 64) "! (greeting #")                           ;; 64, 13
  (data (i32.const 80) "world")                                   ;; 80, 5
  (data (i32.const 96) "variable 'greetings' is not a decimal count; delete the variable to restart counting") ;; 96, 84
  (data (i32.const 192) "out of memory building the greeting; send a shorter name") ;; 192, 56
  ;; Addresses 256 to 287 are scratch space for decimal digits, which end at 288.

  ;; Copies `length` bytes of linear memory at `address` into a new block; returns 0 when
  ;; the host has no room.
  (func $block_from_memory (param $address i32) (param $length i32) (result i64)
    (local $block i64)
    (local.set $block (call $alloc (i64.extend_i32_u (local.get $length))))
    (if (i64.ne (local.get $block) (i64.const 0))
      (then
        (call $copy_memory_to_block (local.get $address) (local.get $length) (local.get $block))))
    (local.get $block))

  ;; Copies `length` bytes of linear memory at `address` to the kernel offset `target`.
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

  ;; Copies `length` bytes from the kernel offset `source` to the kernel offset `target`,
  ;; one byte per call: it only copies the short greeting from config.
  (func $copy_block_to_block (param $source i64) (param $length i64) (param $target i64)
    (local $i i64)
    (block $done
      (loop $next
        (br_if $done (i64.ge_u (local.get $i) (local.get $length)))
        (call $store_u8
          (i64.add (local.get $target) (local.get $i))
          (call $load_u8 (i64.add (local.get $source) (local.get $i))))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $next))))

  ;; Copies the first `length` bytes of the input to the kernel offset `target`: 8 bytes per
  ;; call while 8 remain, then the tail byte by byte, so no read goes past the input's end.
  (func $copy_input_to_block (param $length i64) (param $target i64)
    (local $i i64)
    (block $words_done
      (loop $next_word
        (br_if $words_done (i64.gt_u (i64.add (local.get $i) (i64.const 8)) (local.get $length)))
        (call $store_u64
          (i64.add (local.get $target) (local.get $i))
          (call $input_load_u64 (local.get $i)))
        (local.set $i (i64.add (local.get $i) (i64.const 8)))
        (br $next_word)))
    (block $bytes_done
      (loop $next_byte
        (br_if $bytes_done (i64.ge_u (local.get $i) (local.get $length)))
        (call $store_u8
          (i64.add (local.get $target) (local.get $i))
          (call $input_load_u8 (local.get $i)))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $next_byte))))

  ;; Parses a block of 1 to 18 ASCII digits; returns -1 for anything else. Eighteen digits
  ;; cannot overflow an i64.
  (func $parse_count (param $block i64) (result i64)
    (local $length i64)
    (local $i i64)
    (local $digit i32)
    (local $value i64)
    (local.set $length (call $length (local.get $block)))
    (if (i32.or (i64.eqz (local.get $length)) (i64.gt_u (local.get $length) (i64.const 18)))
      (then (return (i64.const -1))))
    (block $done
      (loop $next
        (br_if $done (i64.ge_u (local.get $i) (local.get $length)))
        (local.set $digit
          (i32.sub (call $load_u8 (i64.add (local.get $block) (local.get $i))) (i32.const 48)))
        (if (i32.gt_u (local.get $digit) (i32.const 9))
          (then (return (i64.const -1))))
        (local.set $value
          (i64.add (i64.mul (local.get $value) (i64.const 10)) (i64.extend_i32_u (local.get $digit))))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $next)))
    (local.get $value))

  ;; Writes the decimal digits of `value` so that they end at address 288; returns the
  ;; address of the first digit.
  (func $format_count (param $value i64) (result i32)
    (local $at i32)
    (local.set $at (i32.const 288))
    (loop $next
      (local.set $at (i32.sub (local.get $at) (i32.const 1)))
      (i32.store8 (local.get $at)
        (i32.add (i32.const 48) (i32.wrap_i64 (i64.rem_u (local.get $value) (i64.const 10)))))
      (local.set $value (i64.div_u (local.get $value) (i64.const 10)))
      (br_if $next (i64.ne (local.get $value) (i64.const 0))))
    (local.get $at))

  (func $fail (param $address i32) (param $length i32) (result i32)
    (call $error_set (call $block_from_memory (local.get $address) (local.get $length)))
    (i32.const 1))

  (func (export "greet") (result i32)
    (local $input_length i64)
    (local $name_length i64)
    (local $greeting i64)
    (local $greeting_length i64)
    (local $stored i64)
    (local $count i64)
    (local $digits i32)
    (local $digits_length i32)
    (local $total i64)
    (local $output i64)
    (local $at i64)

    ;; The greeting word: config "greeting" when set and not empty, else "Hello".
    (local.set $greeting (call $config_get (call $block_from_memory (i32.const 16) (i32.const 8))))
    (if (i64.ne (local.get $greeting) (i64.const 0))
      (then
        (local.set $greeting_length (call $length (local.get $greeting)))
        (if (i64.eqz (local.get $greeting_length))
          (then
            (call $free (local.get $greeting))
            (local.set $greeting (i64.const 0))))))
    (if (i64.eqz (local.get $greeting))
      (then (local.set $greeting_length (i64.const 5))))

    ;; The count: the stored value plus one. The block from var_get is not freed because
    ;; Extism's JavaScript host 1.0.3 returns the variable's own block, and freeing that
    ;; deletes the variable.
    (local.set $stored (call $var_get (call $block_from_memory (i32.const 32) (i32.const 9))))
    (if (i64.ne (local.get $stored) (i64.const 0))
      (then
        (local.set $count (call $parse_count (local.get $stored)))
        (if (i64.lt_s (local.get $count) (i64.const 0))
          (then (return (call $fail (i32.const 96) (i32.const 84)))))))
    (local.set $count (i64.add (local.get $count) (i64.const 1)))
    (local.set $digits (call $format_count (local.get $count)))
    (local.set $digits_length (i32.sub (i32.const 288) (local.get $digits)))

    ;; The output: greeting ", " name "! (greeting #" digits ")".
    (local.set $input_length (call $input_length))
    (local.set $name_length (select (i64.const 5) (local.get $input_length) (i64.eqz (local.get $input_length))))
    (local.set $total
      (i64.add (local.get $greeting_length)
        (i64.add (i64.const 2)
          (i64.add (local.get $name_length)
            (i64.add (i64.const 13)
              (i64.add (i64.extend_i32_u (local.get $digits_length)) (i64.const 1)))))))
    (local.set $output (call $alloc (local.get $total)))
    (if (i64.eqz (local.get $output))
      (then (return (call $fail (i32.const 192) (i32.const 56)))))

    (if (i64.eqz (local.get $greeting))
      (then (call $copy_memory_to_block (i32.const 0) (i32.const 5) (local.get $output)))
      (else
        (call $copy_block_to_block (local.get $greeting) (local.get $greeting_length) (local.get $output))
        (call $free (local.get $greeting))))
    (local.set $at (i64.add (local.get $output) (local.get $greeting_length)))

    (call $copy_memory_to_block (i32.const 48) (i32.const 2) (local.get $at))
    (local.set $at (i64.add (local.get $at) (i64.const 2)))

    (if (i64.eqz (local.get $input_length))
      (then (call $copy_memory_to_block (i32.const 80) (i32.const 5) (local.get $at)))
      (else (call $copy_input_to_block (local.get $input_length) (local.get $at))))
    (local.set $at (i64.add (local.get $at) (local.get $name_length)))

    (call $copy_memory_to_block (i32.const 64) (i32.const 13) (local.get $at))
    (local.set $at (i64.add (local.get $at) (i64.const 13)))

    (call $copy_memory_to_block (local.get $digits) (local.get $digits_length) (local.get $at))
    (local.set $at (i64.add (local.get $at) (i64.extend_i32_u (local.get $digits_length))))
    (call $store_u8 (local.get $at) (i32.const 41)) ;; ')'

    ;; Store the new count only once the greeting is complete, so a failed call does not count.
    (call $var_set
      (call $block_from_memory (i32.const 32) (i32.const 9))
      (call $block_from_memory (local.get $digits) (local.get $digits_length)))
    (call $output_set (local.get $output) (local.get $total))
    (i32.const 0))

  (func (export "noop") (result i32)
    (i32.const 0))
)
