//! tend_olm: the C interface (lib/olm/olm.h) over vodozemac's Olm and Megolm.
//!
//! Every `extern "C"` function here runs its body inside `catch_unwind`, so a panic becomes
//! `TEND_OLM_ERR_INTERNAL` instead of unwinding into C, and the handle it happened on is poisoned.
//! Strings handed to C are allocated here with a length header and zeroed when freed. There is
//! no global state: everything lives in the handles the caller owns.

use std::alloc::{Layout, alloc, dealloc, handle_alloc_error};
use std::cell::Cell;
use std::ffi::{CStr, c_char};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr;

use zeroize::Zeroize;

mod account;
mod attachment;
mod group;
mod hash;
mod sas;
mod session;
mod signing;

/// Mirrors `tend_olm_error` in olm.h (same order, same values).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(non_camel_case_types, dead_code)]
pub enum tend_olm_error {
    TEND_OLM_OK = 0,
    TEND_OLM_ERR_INVALID_ARGUMENT,
    TEND_OLM_ERR_BAD_KEY,
    TEND_OLM_ERR_BAD_MESSAGE,
    TEND_OLM_ERR_BAD_SIGNATURE,
    TEND_OLM_ERR_BAD_MAC,
    TEND_OLM_ERR_MESSAGE_KEY_USED,
    TEND_OLM_ERR_MESSAGE_GAP,
    TEND_OLM_ERR_UNKNOWN_INDEX,
    TEND_OLM_ERR_UNKNOWN_ONE_TIME_KEY,
    TEND_OLM_ERR_IDENTITY_MISMATCH,
    TEND_OLM_ERR_INSECURE_KEY,
    TEND_OLM_ERR_UNSUPPORTED,
    TEND_OLM_ERR_PICKLE_KEY,
    TEND_OLM_ERR_PICKLE_CORRUPT,
    TEND_OLM_ERR_POISONED,
    TEND_OLM_ERR_INTERNAL,
}
use tend_olm_error::*;

pub(crate) type Res<T> = Result<T, tend_olm_error>;

#[unsafe(no_mangle)]
pub extern "C" fn tend_olm_strerror(err: std::ffi::c_int) -> *const c_char {
    // Taken as the C enum's int, not the Rust enum: C may pass any value, and an out-of-range
    // Rust enum would be undefined behaviour.
    let text: &'static CStr = match err {
        0 => c"no error",
        1 => c"invalid argument (a missing pointer, a string that is not UTF-8, a count out of range)",
        2 => c"a key does not decode",
        3 => c"a message does not decode",
        4 => c"a signature does not verify",
        5 => c"a message failed authentication",
        6 => c"the message key was already used (a replayed or too old message)",
        7 => c"too many messages were skipped",
        8 => c"the message is older than the first index this session knows",
        9 => c"the pre-key message names an unknown one-time key",
        10 => c"the pre-key message is from another identity key",
        11 => c"the key exchange would be insecure",
        12 => c"an unsupported message or session version",
        13 => c"the pickle failed authentication (wrong pickle key, or changed)",
        14 => c"the pickle is corrupt",
        15 => c"the handle is unusable after an internal error",
        16 => c"internal error in the encryption library",
        _ => c"unknown error value",
    };
    text.as_ptr()
}

#[unsafe(no_mangle)]
pub extern "C" fn tend_olm_vodozemac_version() -> *const c_char {
    // vodozemac::VERSION is a Rust &str (no NUL): a C copy is made once and never changes. It is
    // the only static in the library and holds no state.
    static VERSION: std::sync::OnceLock<std::ffi::CString> = std::sync::OnceLock::new();
    VERSION.get_or_init(|| std::ffi::CString::new(vodozemac::VERSION).unwrap_or_default()).as_ptr()
}

// ---- strings handed to C: [len: usize][bytes][NUL], the caller sees a pointer to bytes ----

const HEADER: usize = std::mem::size_of::<usize>();

fn string_layout(len: usize) -> Layout {
    Layout::from_size_align(HEADER + len + 1, std::mem::align_of::<usize>()).expect("string length fits")
}

/// Copies bytes into a new C string the caller frees with tend_olm_free_string.
pub(crate) fn out_bytes(bytes: &[u8]) -> *mut c_char {
    let layout = string_layout(bytes.len());
    unsafe {
        let base = alloc(layout);
        if base.is_null() {
            handle_alloc_error(layout);
        }
        (base as *mut usize).write(bytes.len());
        let data = base.add(HEADER);
        ptr::copy_nonoverlapping(bytes.as_ptr(), data, bytes.len());
        data.add(bytes.len()).write(0);
        data as *mut c_char
    }
}

/// # Safety
/// `s` is NULL or a string this library returned and that was not freed yet.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tend_olm_free_string(s: *mut c_char) {
    if s.is_null() {
        return;
    }
    unsafe {
        let base = (s as *mut u8).sub(HEADER);
        let len = (base as *const usize).read();
        let layout = string_layout(len);
        std::slice::from_raw_parts_mut(base, layout.size()).zeroize();
        dealloc(base, layout);
    }
}

/// Sets a string output: the caller's pointer gets a new C string holding `s`.
pub(crate) fn set_str(out: *mut *mut c_char, s: &str) {
    unsafe { *out = out_bytes(s.as_bytes()) }
}

// ---- inputs ----

/// A NUL-terminated UTF-8 string from C.
pub(crate) fn in_str<'a>(s: *const c_char) -> Res<&'a str> {
    if s.is_null() {
        return Err(TEND_OLM_ERR_INVALID_ARGUMENT);
    }
    unsafe { CStr::from_ptr(s) }.to_str().map_err(|_| TEND_OLM_ERR_INVALID_ARGUMENT)
}

/// A (pointer, length) byte buffer from C; NULL is allowed only for length 0.
pub(crate) fn in_bytes<'a>(p: *const u8, len: usize) -> Res<&'a [u8]> {
    if len == 0 {
        return Ok(&[]);
    }
    if p.is_null() {
        return Err(TEND_OLM_ERR_INVALID_ARGUMENT);
    }
    Ok(unsafe { std::slice::from_raw_parts(p, len) })
}

pub(crate) fn in_key<'a>(key: *const u8) -> Res<&'a [u8; 32]> {
    if key.is_null() {
        return Err(TEND_OLM_ERR_INVALID_ARGUMENT);
    }
    Ok(unsafe { &*(key as *const [u8; 32]) })
}

/// Checks that every output pointer is there and clears what each points to, so that on any
/// error the caller finds NULL (or 0) in every output.
pub(crate) fn clear_out<T>(out: *mut *mut T) -> Res<()> {
    if out.is_null() {
        return Err(TEND_OLM_ERR_INVALID_ARGUMENT);
    }
    unsafe { *out = ptr::null_mut() };
    Ok(())
}

pub(crate) fn clear_num<T: Default>(out: *mut T) -> Res<()> {
    if out.is_null() {
        return Err(TEND_OLM_ERR_INVALID_ARGUMENT);
    }
    unsafe { *out = T::default() };
    Ok(())
}

// ---- handles and the panic guard ----

/// What every handle is: the vodozemac object and whether a panic may have left it half-updated.
pub(crate) struct Handle<T> {
    pub(crate) inner: T,
    poisoned: Cell<bool>,
}

impl<T> Handle<T> {
    pub(crate) fn boxed(inner: T) -> *mut Handle<T> {
        Box::into_raw(Box::new(Handle { inner, poisoned: Cell::new(false) }))
    }
}

/// Runs a call that touches no handle: errors as values, a panic as TEND_OLM_ERR_INTERNAL.
pub(crate) fn guard(f: impl FnOnce() -> Res<()>) -> tend_olm_error {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(())) => TEND_OLM_OK,
        Ok(Err(e)) => e,
        Err(_) => TEND_OLM_ERR_INTERNAL,
    }
}

/// Runs a call on a handle (shared): refuses a poisoned one, poisons it if the call panics.
pub(crate) fn with_ref<T>(h: *const Handle<T>, f: impl FnOnce(&T) -> Res<()>) -> tend_olm_error {
    let Some(h) = (unsafe { h.as_ref() }) else { return TEND_OLM_ERR_INVALID_ARGUMENT };
    if h.poisoned.get() {
        return TEND_OLM_ERR_POISONED;
    }
    let e = guard(|| f(&h.inner));
    if e == TEND_OLM_ERR_INTERNAL {
        h.poisoned.set(true);
    }
    e
}

/// Runs a call on a handle (exclusive): refuses a poisoned one, poisons it if the call panics.
pub(crate) fn with_mut<T>(h: *mut Handle<T>, f: impl FnOnce(&mut T) -> Res<()>) -> tend_olm_error {
    let Some(h) = (unsafe { h.as_mut() }) else { return TEND_OLM_ERR_INVALID_ARGUMENT };
    if h.poisoned.get() {
        return TEND_OLM_ERR_POISONED;
    }
    let e = guard(|| f(&mut h.inner));
    if e == TEND_OLM_ERR_INTERNAL {
        h.poisoned.set(true);
    }
    e
}

/// Frees a handle; vodozemac zeroes the keys inside on drop. A panic in drop is swallowed (and
/// the memory leaked) rather than crossing into C.
pub(crate) fn free_handle<T>(h: *mut Handle<T>) {
    if !h.is_null() {
        let _ = catch_unwind(AssertUnwindSafe(|| drop(unsafe { Box::from_raw(h) })));
    }
}

// ---- error mapping: vodozemac's errors carry key material in their Display; only the kind crosses ----

pub(crate) fn pickle_error(e: vodozemac::PickleError) -> tend_olm_error {
    match e {
        vodozemac::PickleError::Decryption(_) => TEND_OLM_ERR_PICKLE_KEY,
        _ => TEND_OLM_ERR_PICKLE_CORRUPT,
    }
}

pub(crate) fn decode_error(e: vodozemac::DecodeError) -> tend_olm_error {
    match e {
        vodozemac::DecodeError::InvalidVersion(..) | vodozemac::DecodeError::MissingVersion => {
            TEND_OLM_ERR_UNSUPPORTED
        }
        _ => TEND_OLM_ERR_BAD_MESSAGE,
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn tend_olm_ed25519_verify(
    public_key: *const c_char,
    message: *const u8,
    message_len: usize,
    signature: *const c_char,
) -> tend_olm_error {
    guard(|| {
        let key = vodozemac::Ed25519PublicKey::from_base64(in_str(public_key)?)
            .map_err(|_| TEND_OLM_ERR_BAD_KEY)?;
        let signature = vodozemac::Ed25519Signature::from_base64(in_str(signature)?)
            .map_err(|_| TEND_OLM_ERR_BAD_SIGNATURE)?;
        key.verify(in_bytes(message, message_len)?, &signature).map_err(|_| TEND_OLM_ERR_BAD_SIGNATURE)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_is_an_error_value_and_poisons_the_handle() {
        let h = Handle::boxed(7u32);
        assert_eq!(with_mut(h, |_| panic!("a bug")), TEND_OLM_ERR_INTERNAL);
        assert_eq!(with_mut(h, |_| Ok(())), TEND_OLM_ERR_POISONED);
        assert_eq!(with_ref(h, |_| Ok(())), TEND_OLM_ERR_POISONED);
        let other = Handle::boxed(7u32); // handles share nothing
        assert_eq!(with_ref(other, |v| if *v == 7 { Ok(()) } else { Err(TEND_OLM_ERR_INTERNAL) }), TEND_OLM_OK);
        assert_eq!(guard(|| panic!("a bug")), TEND_OLM_ERR_INTERNAL);
        free_handle(h);
        free_handle(other);
    }

    #[test]
    fn strings_carry_any_bytes_and_end_with_nul() {
        let p = out_bytes(b"a\0b");
        unsafe {
            assert_eq!(((p as *const u8).sub(HEADER) as *const usize).read(), 3);
            assert_eq!(std::slice::from_raw_parts(p as *const u8, 4), b"a\0b\0");
            tend_olm_free_string(p);
            tend_olm_free_string(ptr::null_mut());
        }
    }

    #[test]
    fn error_values_are_those_of_the_header() {
        // olm.h's enum and this one must list the same names in the same order (the values cross).
        let header = include_str!("../olm.h");
        let body = &header[header.find("typedef enum tend_olm_error {").unwrap()..];
        let body = &body[..body.find("} tend_olm_error;").unwrap()];
        let names: Vec<&str> = body
            .lines()
            .skip(1)
            .filter_map(|l| l.trim().split([',', ' ', '=']).next())
            .filter(|n| n.starts_with("TEND_OLM_"))
            .collect();
        let ours: Vec<String> = (0..=TEND_OLM_ERR_INTERNAL as i32)
            .map(|v| format!("{:?}", unsafe { std::mem::transmute::<i32, tend_olm_error>(v) }))
            .collect();
        assert_eq!(names, ours);
        for v in 0..=TEND_OLM_ERR_INTERNAL as i32 + 1 {
            assert!(!unsafe { CStr::from_ptr(tend_olm_strerror(v)) }.to_bytes().is_empty());
        }
    }
}
