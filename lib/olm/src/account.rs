//! The account: identity keys, signatures, one-time and fallback keys, pickles.

use std::collections::BTreeMap;
use std::ffi::c_char;

use vodozemac::olm::{Account, AccountPickle};
use zeroize::Zeroizing;

use crate::tend_olm_error::{self, *};
use crate::{Handle, Res, clear_out, free_handle, guard, in_bytes, in_key, in_str, pickle_error, set_str, with_mut, with_ref};

#[allow(non_camel_case_types)]
pub type tend_olm_account = Handle<Account>;

/// At most this many one-time keys a call: vodozemac keeps at most 100 anyway (older ones are
/// dropped), so a larger count is a caller's mistake, not a request.
const MAX_GENERATE: usize = 1000;

/// {"<key id>":"<curve25519 key>",...}, keys sorted so the output is stable.
fn keys_json(keys: std::collections::HashMap<vodozemac::KeyId, vodozemac::Curve25519PublicKey>) -> Res<String> {
    let sorted: BTreeMap<String, String> = keys.into_iter().map(|(id, key)| (id.to_base64(), key.to_base64())).collect();
    serde_json::to_string(&sorted).map_err(|_| TEND_OLM_ERR_INTERNAL)
}

#[unsafe(no_mangle)]
pub extern "C" fn tend_olm_account_new(out: *mut *mut tend_olm_account) -> tend_olm_error {
    guard(|| {
        clear_out(out)?;
        unsafe { *out = Handle::boxed(Account::new()) };
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn tend_olm_account_free(account: *mut tend_olm_account) {
    free_handle(account)
}

#[unsafe(no_mangle)]
pub extern "C" fn tend_olm_account_identity_keys(account: *const tend_olm_account, json_out: *mut *mut c_char) -> tend_olm_error {
    if clear_out(json_out).is_err() {
        return TEND_OLM_ERR_INVALID_ARGUMENT;
    }
    with_ref(account, |a| {
        let keys = a.identity_keys();
        let json = serde_json::json!({"curve25519": keys.curve25519.to_base64(), "ed25519": keys.ed25519.to_base64()});
        set_str(json_out, &json.to_string());
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn tend_olm_account_sign(
    account: *const tend_olm_account,
    message: *const u8,
    message_len: usize,
    signature_out: *mut *mut c_char,
) -> tend_olm_error {
    if clear_out(signature_out).is_err() {
        return TEND_OLM_ERR_INVALID_ARGUMENT;
    }
    with_ref(account, |a| {
        set_str(signature_out, &a.sign(in_bytes(message, message_len)?).to_base64());
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn tend_olm_account_max_one_time_keys(account: *const tend_olm_account) -> usize {
    unsafe { account.as_ref() }.map_or(0, |a| a.inner.max_number_of_one_time_keys())
}

#[unsafe(no_mangle)]
pub extern "C" fn tend_olm_account_generate_one_time_keys(account: *mut tend_olm_account, count: usize) -> tend_olm_error {
    with_mut(account, |a| {
        if count > MAX_GENERATE {
            return Err(TEND_OLM_ERR_INVALID_ARGUMENT);
        }
        a.generate_one_time_keys(count);
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn tend_olm_account_one_time_keys(account: *const tend_olm_account, json_out: *mut *mut c_char) -> tend_olm_error {
    if clear_out(json_out).is_err() {
        return TEND_OLM_ERR_INVALID_ARGUMENT;
    }
    with_ref(account, |a| {
        set_str(json_out, &keys_json(a.one_time_keys())?);
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn tend_olm_account_generate_fallback_key(account: *mut tend_olm_account) -> tend_olm_error {
    with_mut(account, |a| {
        a.generate_fallback_key();
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn tend_olm_account_fallback_key(account: *const tend_olm_account, json_out: *mut *mut c_char) -> tend_olm_error {
    if clear_out(json_out).is_err() {
        return TEND_OLM_ERR_INVALID_ARGUMENT;
    }
    with_ref(account, |a| {
        set_str(json_out, &keys_json(a.fallback_key())?);
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn tend_olm_account_forget_fallback_key(account: *mut tend_olm_account) -> tend_olm_error {
    with_mut(account, |a| {
        a.forget_fallback_key();
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn tend_olm_account_mark_keys_as_published(account: *mut tend_olm_account) -> tend_olm_error {
    with_mut(account, |a| {
        a.mark_keys_as_published();
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn tend_olm_account_pickle(
    account: *const tend_olm_account,
    key: *const u8,
    pickle_out: *mut *mut c_char,
) -> tend_olm_error {
    if clear_out(pickle_out).is_err() {
        return TEND_OLM_ERR_INVALID_ARGUMENT;
    }
    with_ref(account, |a| {
        let pickle = Zeroizing::new(a.pickle().encrypt(in_key(key)?));
        set_str(pickle_out, &pickle);
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn tend_olm_account_unpickle(
    pickle: *const c_char,
    key: *const u8,
    out: *mut *mut tend_olm_account,
) -> tend_olm_error {
    guard(|| {
        clear_out(out)?;
        let pickle = AccountPickle::from_encrypted(in_str(pickle)?, in_key(key)?).map_err(pickle_error)?;
        unsafe { *out = Handle::boxed(Account::from_pickle(pickle)) };
        Ok(())
    })
}
