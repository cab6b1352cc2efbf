//! conformance (Rust): the conformance method set, on the hand-made binding in
//! src/plugins/include/extism.rs. conformance.wat describes each method; the outputs and messages
//! here are the same byte for byte.

#[path = "../../../src/plugins/include/extism.rs"]
mod extism;

use extism::LogLevel;

fn fail_with(message: &str) -> i32 {
    extism::set_error(message);
    1
}

#[no_mangle]
pub extern "C" fn echo() -> i32 {
    match extism::output(&extism::input()) {
        Ok(()) => 0,
        Err(_) => fail_with("conformance: alloc failed"),
    }
}

#[no_mangle]
pub extern "C" fn empty() -> i32 {
    0
}

#[no_mangle]
pub extern "C" fn fail_with_error() -> i32 {
    fail_with("conformance: fail_with_error was called")
}

#[no_mangle]
pub extern "C" fn error_but_zero() -> i32 {
    extism::set_error("conformance: error_but_zero was called");
    0
}

#[no_mangle]
pub extern "C" fn nonzero_no_error() -> i32 {
    5
}

#[no_mangle]
pub extern "C" fn var_counter() -> i32 {
    let stored = match extism::get_var("counter") {
        Ok(stored) => stored.unwrap_or_default(),
        Err(_) => return fail_with("conformance: alloc failed"),
    };

    // Bytes that are not digits are skipped, as in the other languages.
    let mut count: u64 = 0;
    for &byte in &stored {
        if byte.is_ascii_digit() {
            count = count.wrapping_mul(10).wrapping_add(u64::from(byte - b'0'));
        }
    }
    count += 1;

    let digits = count.to_string();
    if extism::set_var("counter", digits.as_bytes()).is_err() || extism::output(digits.as_bytes()).is_err() {
        return fail_with("conformance: alloc failed");
    }
    0
}

#[no_mangle]
pub extern "C" fn config_echo() -> i32 {
    let key = match String::from_utf8(extism::input()) {
        Ok(key) if !key.is_empty() => key,
        _ => return fail_with("conformance: config key not found"),
    };

    match extism::config(&key) {
        Ok(Some(value)) => match extism::output(&value) {
            Ok(()) => 0,
            Err(_) => fail_with("conformance: alloc failed"),
        },
        Ok(None) => fail_with("conformance: config key not found"),
        Err(_) => fail_with("conformance: alloc failed"),
    }
}

#[no_mangle]
pub extern "C" fn log_all() -> i32 {
    extism::log(LogLevel::Trace, "conformance: log_all trace");
    extism::log(LogLevel::Debug, "conformance: log_all debug");
    extism::log(LogLevel::Info, "conformance: log_all info");
    extism::log(LogLevel::Warn, "conformance: log_all warn");
    extism::log(LogLevel::Error, "conformance: log_all error");
    0
}

#[no_mangle]
pub extern "C" fn trap() -> i32 {
    core::arch::wasm32::unreachable()
}

#[no_mangle]
pub extern "C" fn spin() -> i32 {
    // Rust defines an empty `loop {}` as running forever, so the compiler keeps it.
    #[allow(clippy::empty_loop)]
    loop {}
}

#[no_mangle]
pub extern "C" fn grow() -> i32 {
    loop {
        let previous = core::arch::wasm32::memory_grow(0, 1);
        if previous == usize::MAX {
            break;
        }
        // Writing a byte into each new page makes sure it is really committed.
        // SAFETY: the page at `previous` was just added and nothing else uses it.
        unsafe { core::ptr::write_volatile((previous * 65536) as *mut u8, 1) };
    }

    // The heap cannot grow any more, so the message is assembled on the stack, without `format!`.
    let mut message = [0u8; 64];
    let mut length = 0;
    for part in [b"conformance: memory.grow failed at ".as_slice(), &decimal_digits(core::arch::wasm32::memory_size(0)), b" pages"] {
        for &byte in part.iter().take_while(|&&byte| byte != 0) {
            message[length] = byte;
            length += 1;
        }
    }
    fail_with(core::str::from_utf8(&message[..length]).unwrap_or("conformance: memory.grow failed"))
}

/// Returns the decimal digits of `value`, padded with NUL bytes after the last digit.
fn decimal_digits(mut value: usize) -> [u8; 20] {
    let mut reversed = [0u8; 20];
    let mut count = 0;
    loop {
        reversed[count] = b'0' + (value % 10) as u8;
        count += 1;
        value /= 10;
        if value == 0 {
            break;
        }
    }

    let mut digits = [0u8; 20];
    for i in 0..count {
        digits[i] = reversed[count - 1 - i];
    }
    digits
}
