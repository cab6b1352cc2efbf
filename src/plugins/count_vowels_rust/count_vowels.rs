//! count_vowels (Rust): a sample plugin on the hand-made Extism binding in ../include/extism.rs.
//!
//! `count_vowels` counts the vowels in the input, case-insensitively, and adds them to the variable
//! `total`, which the agent keeps between calls and restarts. The config key `vowels` replaces the
//! vowel set "aeiou". It outputs `{"count":N,"total":T,"vowels":"..."}` and logs the counts at info
//! level. count_vowels_as is the same plugin in AssemblyScript, with the same output.

#[path = "../include/extism.rs"]
mod extism;

use extism::LogLevel;

const DEFAULT_VOWELS: &str = "aeiou";
const TOTAL_KEY: &str = "total";

#[no_mangle]
pub extern "C" fn count_vowels() -> i32 {
    match run() {
        Ok(()) => 0,
        Err(message) => {
            extism::set_error(&message);
            1
        }
    }
}

fn run() -> Result<(), String> {
    let input = String::from_utf8(extism::input()).map_err(|_| "count_vowels: the input is not valid UTF-8".to_string())?;
    let vowels = match extism::config("vowels").map_err(out_of_memory)? {
        Some(bytes) => String::from_utf8(bytes).map_err(|_| "count_vowels: config key vowels is not valid UTF-8".to_string())?.to_lowercase(),
        None => DEFAULT_VOWELS.to_string(),
    };

    let count = input.to_lowercase().chars().filter(|&c| vowels.contains(c)).count() as u64;

    // A total that is absent or not a number starts again from 0.
    let previous = extism::get_var(TOTAL_KEY)
        .map_err(out_of_memory)?
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| text.parse::<u64>().ok())
        .unwrap_or(0);
    let total = previous + count;
    extism::set_var(TOTAL_KEY, total.to_string().as_bytes()).map_err(out_of_memory)?;

    extism::log(LogLevel::Info, &format!("count_vowels: {} vowels, total {}", count, total));
    let output = format!("{{\"count\":{},\"total\":{},\"vowels\":\"{}\"}}", count, total, json_escape(&vowels));
    extism::output(output.as_bytes()).map_err(out_of_memory)
}

fn out_of_memory(_: extism::OutOfMemory) -> String {
    "count_vowels: the host has no kernel memory left for this call".to_string()
}

/// Escapes `text` for a JSON string: quotes, backslashes and control characters.
fn json_escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => escaped.push_str("\\\""),
            '\\' => escaped.push_str("\\\\"),
            c if (c as u32) < 0x20 => escaped.push_str(&format!("\\u{:04x}", c as u32)),
            c => escaped.push(c),
        }
    }
    escaped
}
