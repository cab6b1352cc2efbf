;; Test plugin for http_request, http_status_code, http_headers and the extism:host/user functions.
;; The HTTP exports take the request JSON as their input and pass the input block to http_request.
(module
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "length" (func $length (param i64) (result i64)))
  (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
  (import "extism:host/env" "store_u64" (func $store_u64 (param i64 i64)))
  (import "extism:host/env" "input_offset" (func $input_offset (result i64)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (import "extism:host/env" "http_request" (func $http_request (param i64 i64) (result i64)))
  (import "extism:host/env" "http_status_code" (func $http_status_code (result i32)))
  (import "extism:host/env" "http_headers" (func $http_headers (result i64)))
  (import "extism:host/user" "agent_id" (func $agent_id (result i64)))
  (import "extism:host/user" "find_resources" (func $find_resources (param i64) (result i64)))

  (memory (export "memory") 1)
  (global $counter (mut i32) (i32.const 0))
  (data (i32.const 0) "payload")

  (func $output_block (param $block i64)
    (if (i64.ne (local.get $block) (i64.const 0))
      (then (call $output_set (local.get $block) (call $length (local.get $block))))))

  (func $output_u64 (param $value i64)
    (local $block i64)
    (local.set $block (call $alloc (i64.const 8)))
    (call $store_u64 (local.get $block) (local.get $value))
    (call $output_set (local.get $block) (i64.const 8)))

  ;; Sends the request in the input without a body and outputs the response body.
  (func (export "http_get") (result i32)
    (call $output_block (call $http_request (call $input_offset) (i64.const 0)))
    (i32.const 0))

  ;; Sends the request in the input with the body "payload" and outputs the response body.
  (func (export "http_post") (result i32)
    (local $body i64) (local $i i32)
    (local.set $body (call $alloc (i64.const 7)))
    (block $done
      (loop $copy
        (br_if $done (i32.ge_u (local.get $i) (i32.const 7)))
        (call $store_u8 (i64.add (local.get $body) (i64.extend_i32_u (local.get $i))) (i32.load8_u (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $copy)))
    (call $output_block (call $http_request (call $input_offset) (local.get $body)))
    (i32.const 0))

  ;; Sends the request in the input and outputs the status code as a u64.
  (func (export "http_status") (result i32)
    (drop (call $http_request (call $input_offset) (i64.const 0)))
    (call $output_u64 (i64.extend_i32_u (call $http_status_code)))
    (i32.const 0))

  ;; Sends the request in the input and outputs the response headers as JSON.
  (func (export "http_headers") (result i32)
    (drop (call $http_request (call $input_offset) (i64.const 0)))
    (call $output_block (call $http_headers))
    (i32.const 0))

  ;; Outputs http_status_code and http_headers before any request in this call: 16 bytes.
  (func (export "http_nothing_yet") (result i32)
    (local $block i64)
    (local.set $block (call $alloc (i64.const 16)))
    (call $store_u64 (local.get $block) (i64.extend_i32_u (call $http_status_code)))
    (call $store_u64 (i64.add (local.get $block) (i64.const 8)) (call $http_headers))
    (call $output_set (local.get $block) (i64.const 16))
    (i32.const 0))

  (func (export "agent_id") (result i32)
    (call $output_block (call $agent_id))
    (i32.const 0))

  ;; Finds the resources with the capability named by the input and outputs the JSON array.
  (func (export "find") (result i32)
    (call $output_block (call $find_resources (call $input_offset)))
    (i32.const 0))

  ;; Increments a global and outputs its value: state that lives in the instance.
  (func (export "counter") (result i32)
    (global.set $counter (i32.add (global.get $counter) (i32.const 1)))
    (call $output_u64 (i64.extend_i32_u (global.get $counter)))
    (i32.const 0))

  (func (export "spin") (result i32)
    (loop $forever (br $forever))
    (i32.const 0))
)
