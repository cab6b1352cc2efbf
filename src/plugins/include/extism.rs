//! A hand-made binding to the Extism host ABI (module `extism:host/env`), without crates, for Rust
//! plugins of MCP-ZERO. A plugin includes it with `#[path = "../include/extism.rs"] mod extism;` and
//! builds with Debian's rustc 1.63 and its wasm32 standard library (package libstd-rust-dev-wasm32):
//!
//!     /usr/bin/rustc --edition 2021 --target wasm32-unknown-unknown --crate-type cdylib -O \
//!         -C panic=abort -C strip=debuginfo -o plugin.wasm plugin.rs
//!
//! Each callable function is `#[no_mangle] pub extern "C" fn name() -> i32` and returns 0 on success.
//!
//! Every `u64` offset points into memory that the host owns ("kernel memory"), not into this
//! module's linear memory, and offset 0 means "no block". The host takes ownership of the key and
//! message blocks passed to `config_get`, `var_get`, `var_set`, `error_set` and the log functions.
//! Blocks that the host returns belong to the plugin. The safe helpers below copy bytes in and out
//! 8 at a time.

#[link(wasm_import_module = "extism:host/env")]
extern "C" {
    fn alloc(length: u64) -> u64;
    fn free(offset: u64);
    fn length(offset: u64) -> u64;
    fn load_u8(offset: u64) -> u8;
    fn load_u64(offset: u64) -> u64;
    fn store_u8(offset: u64, value: u8);
    fn store_u64(offset: u64, value: u64);
    fn input_length() -> u64;
    fn input_load_u8(index: u64) -> u8;
    fn input_load_u64(index: u64) -> u64;
    fn output_set(offset: u64, length: u64);
    fn error_set(offset: u64);
    fn config_get(key: u64) -> u64;
    fn var_get(key: u64) -> u64;
    fn var_set(key: u64, value: u64);
    fn log_trace(message: u64);
    fn log_debug(message: u64);
    fn log_info(message: u64);
    fn log_warn(message: u64);
    fn log_error(message: u64);
}

/// Level of a log message; each level has its own host function.
#[allow(dead_code)]
pub enum LogLevel {
    Trace,
    Debug,
    Info,
    Warn,
    Error,
}

/// Error of a failed host `alloc`: kernel memory has no room for the block.
#[derive(Debug)]
pub struct OutOfMemory;

/// Copies `bytes` into a new block. Returns `Ok(0)` for empty bytes, because the ABI has no empty block.
fn block_from_bytes(bytes: &[u8]) -> Result<u64, OutOfMemory> {
    if bytes.is_empty() {
        return Ok(0);
    }

    // SAFETY: the host functions only read and write kernel memory, at offsets inside the block
    // that `alloc` has just returned for `bytes.len()` bytes.
    unsafe {
        let block = alloc(bytes.len() as u64);
        if block == 0 {
            return Err(OutOfMemory);
        }

        let mut words = bytes.chunks_exact(8);
        let mut at = block;
        for word in &mut words {
            store_u64(at, u64::from_le_bytes(word.try_into().unwrap()));
            at += 8;
        }
        for &byte in words.remainder() {
            store_u8(at, byte);
            at += 1;
        }
        Ok(block)
    }
}

/// Copies a whole block into a vector; block 0 gives an empty vector.
fn bytes_from_block(block: u64) -> Vec<u8> {
    if block == 0 {
        return Vec::new();
    }

    // SAFETY: `length` returns the size of the live block, so every read stays inside it.
    unsafe {
        let n = length(block);
        let mut bytes = Vec::with_capacity(n as usize);
        let mut i = 0;
        while i + 8 <= n {
            bytes.extend_from_slice(&load_u64(block + i).to_le_bytes());
            i += 8;
        }
        while i < n {
            bytes.push(load_u8(block + i));
            i += 1;
        }
        bytes
    }
}

/// Returns this call's input.
pub fn input() -> Vec<u8> {
    // SAFETY: every index read is below `input_length`.
    unsafe {
        let n = input_length();
        let mut bytes = Vec::with_capacity(n as usize);
        let mut i = 0;
        while i + 8 <= n {
            bytes.extend_from_slice(&input_load_u64(i).to_le_bytes());
            i += 8;
        }
        while i < n {
            bytes.push(input_load_u8(i));
            i += 1;
        }
        bytes
    }
}

/// Sets this call's output to a copy of `bytes`; empty bytes set no output.
pub fn output(bytes: &[u8]) -> Result<(), OutOfMemory> {
    let block = block_from_bytes(bytes)?;
    if block != 0 {
        // SAFETY: the block holds exactly `bytes.len()` bytes.
        unsafe { output_set(block, bytes.len() as u64) };
    }
    Ok(())
}

/// Marks this call as failed with `message`. The caller still returns non-zero, so hosts that
/// look only at the return value see the failure too.
pub fn set_error(message: &str) {
    // An empty message would be block 0, which clears the error instead of setting it.
    let text = if message.is_empty() { "plugin failed without a message" } else { message };
    if let Ok(block) = block_from_bytes(text.as_bytes()) {
        // SAFETY: the host takes ownership of the block.
        unsafe { error_set(block) };
    }
}

/// Returns the config value of `key`, or `None` when the key is absent.
pub fn config(key: &str) -> Result<Option<Vec<u8>>, OutOfMemory> {
    let key_block = block_from_bytes(key.as_bytes())?;
    // SAFETY: the host takes ownership of the key block; the value block is ours to free.
    unsafe {
        let value = config_get(key_block);
        if value == 0 {
            return Ok(None);
        }
        let bytes = bytes_from_block(value);
        free(value);
        Ok(Some(bytes))
    }
}

/// Returns the value of the variable `key`, or `None` when it is absent.
pub fn get_var(key: &str) -> Result<Option<Vec<u8>>, OutOfMemory> {
    let key_block = block_from_bytes(key.as_bytes())?;
    // SAFETY: the host takes ownership of the key block. The value block is left allocated, because
    // Extism's JavaScript host 1.0.3 returns the variable's own storage block and freeing it there
    // deletes the variable. Hosts that reset kernel memory between calls reclaim it.
    unsafe {
        let value = var_get(key_block);
        if value == 0 {
            return Ok(None);
        }
        Ok(Some(bytes_from_block(value)))
    }
}

/// Sets the variable `key` to a copy of `value`; an empty value deletes the variable. The host
/// traps when the variables would exceed its byte limit.
pub fn set_var(key: &str, value: &[u8]) -> Result<(), OutOfMemory> {
    let key_block = block_from_bytes(key.as_bytes())?;
    let value_block = block_from_bytes(value)?;
    // SAFETY: the host takes ownership of both blocks.
    unsafe { var_set(key_block, value_block) };
    Ok(())
}

/// Writes `message` to the host's log at `level`.
pub fn log(level: LogLevel, message: &str) {
    let block = match block_from_bytes(message.as_bytes()) {
        Ok(block) if block != 0 => block,
        _ => return,
    };

    // SAFETY: the host takes ownership of the block.
    unsafe {
        match level {
            LogLevel::Trace => log_trace(block),
            LogLevel::Debug => log_debug(block),
            LogLevel::Info => log_info(block),
            LogLevel::Warn => log_warn(block),
            LogLevel::Error => log_error(block),
        }
    }
}
