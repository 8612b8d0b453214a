//! Signing keys: the Ed25519 keys of Matrix cross-signing (master, self-signing, user-signing).
//!
//! vodozemac has no pickle type for a lone Ed25519 key, so this one is pickled the way vodozemac
//! pickles its own objects (utilities::pickle): JSON, encrypted and authenticated with the pickle
//! key by vodozemac's pickle cipher, in unpadded base64. The JSON names what it holds, so a pickle
//! of another kind (an account, whose JSON also holds an Ed25519 key) is refused, not misread.

use std::ffi::c_char;

use serde::{Deserialize, Serialize};
use vodozemac::hazmat::Cipher;
use vodozemac::{Ed25519SecretKey, base64_decode, base64_encode};
use zeroize::Zeroizing;

use crate::tend_olm_error::{self, *};
use crate::{Handle, Res, clear_out, free_handle, guard, in_bytes, in_key, in_str, set_str, with_ref};

#[allow(non_camel_case_types)]
pub type tend_olm_signing_key = Handle<Ed25519SecretKey>;

/// What a pickle holds and in which layout: a later layout is a new variant, so an old tend
/// refuses a newer pickle instead of misreading it.
#[derive(Serialize, Deserialize)]
enum Format {
    #[serde(rename = "tend_olm.signing_key.1")]
    SigningKeyV1,
}

/// The pickled JSON: {"format":"tend_olm.signing_key.1","key":[32 bytes]}. Serialized from a
/// borrowed key (K = &Ed25519SecretKey), deserialized into an owned one.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Pickle<K> {
    format: Format,
    key: K,
}

/// The AES-CBC ciphertext holds at least one block before the 8-byte truncated MAC: anything
/// shorter is not a pickle at all (rather than one opened with the wrong key).
const MIN_PICKLE_BYTES: usize = 16 + 8;

fn pickle(key: &Ed25519SecretKey, pickle_key: &[u8; 32]) -> String {
    // Room for the whole JSON up front: a growing Vec would leave unzeroed copies of the key behind.
    let mut json = Zeroizing::new(Vec::with_capacity(512));
    serde_json::to_writer(&mut *json, &Pickle { format: Format::SigningKeyV1, key })
        .expect("a signing key pickle serializes");
    base64_encode(Cipher::new_pickle(pickle_key).encrypt_pickle(&json))
}

fn unpickle(pickle: &str, pickle_key: &[u8; 32]) -> Res<Ed25519SecretKey> {
    let bytes = base64_decode(pickle).map_err(|_| TEND_OLM_ERR_PICKLE_CORRUPT)?;
    if bytes.len() < MIN_PICKLE_BYTES {
        return Err(TEND_OLM_ERR_PICKLE_CORRUPT);
    }
    // The MAC is checked before anything is decrypted: a wrong key or a changed pickle ends here.
    let json = Zeroizing::new(Cipher::new_pickle(pickle_key).decrypt_pickle(&bytes).map_err(|_| TEND_OLM_ERR_PICKLE_KEY)?);
    let parsed: Pickle<Ed25519SecretKey> = serde_json::from_slice(&json).map_err(|_| TEND_OLM_ERR_PICKLE_CORRUPT)?;
    let Format::SigningKeyV1 = parsed.format;
    Ok(parsed.key)
}

#[unsafe(no_mangle)]
pub extern "C" fn tend_olm_signing_key_new(out: *mut *mut tend_olm_signing_key) -> tend_olm_error {
    guard(|| {
        clear_out(out)?;
        unsafe { *out = Handle::boxed(Ed25519SecretKey::new()) };
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn tend_olm_signing_key_free(key: *mut tend_olm_signing_key) {
    free_handle(key)
}

#[unsafe(no_mangle)]
pub extern "C" fn tend_olm_signing_key_public(key: *const tend_olm_signing_key, public_out: *mut *mut c_char) -> tend_olm_error {
    if clear_out(public_out).is_err() {
        return TEND_OLM_ERR_INVALID_ARGUMENT;
    }
    with_ref(key, |k| {
        set_str(public_out, &k.public_key().to_base64());
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn tend_olm_signing_key_sign(
    key: *const tend_olm_signing_key,
    message: *const u8,
    message_len: usize,
    signature_out: *mut *mut c_char,
) -> tend_olm_error {
    if clear_out(signature_out).is_err() {
        return TEND_OLM_ERR_INVALID_ARGUMENT;
    }
    with_ref(key, |k| {
        set_str(signature_out, &k.sign(in_bytes(message, message_len)?).to_base64());
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn tend_olm_signing_key_pickle(
    key: *const tend_olm_signing_key,
    key_bytes: *const u8,
    pickle_out: *mut *mut c_char,
) -> tend_olm_error {
    if clear_out(pickle_out).is_err() {
        return TEND_OLM_ERR_INVALID_ARGUMENT;
    }
    with_ref(key, |k| {
        set_str(pickle_out, &pickle(k, in_key(key_bytes)?));
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn tend_olm_signing_key_unpickle(
    pickle: *const c_char,
    key_bytes: *const u8,
    out: *mut *mut tend_olm_signing_key,
) -> tend_olm_error {
    guard(|| {
        clear_out(out)?;
        let key = unpickle(in_str(pickle)?, in_key(key_bytes)?)?;
        unsafe { *out = Handle::boxed(key) };
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8; 32] = b"a pickle key of exactly 32 bytes";

    #[test]
    fn a_pickle_round_trips_only_with_its_key_and_only_as_a_signing_key() {
        let key = Ed25519SecretKey::new();
        let pickled = pickle(&key, KEY);
        let back = unpickle(&pickled, KEY).expect("round trip");
        assert_eq!(back.public_key(), key.public_key());
        let signature = back.sign(b"canonical json");
        key.public_key().verify(b"canonical json", &signature).expect("the unpickled key signs as the original");

        assert_eq!(unpickle(&pickled, b"another pickle key, 32 bytes too").err(), Some(TEND_OLM_ERR_PICKLE_KEY));
        assert_eq!(unpickle("not base64!", KEY).err(), Some(TEND_OLM_ERR_PICKLE_CORRUPT));
        assert_eq!(unpickle("AAAA", KEY).err(), Some(TEND_OLM_ERR_PICKLE_CORRUPT));

        // properly encrypted under the right key, but not this kind of object
        let account = vodozemac::olm::Account::new().pickle().encrypt(KEY);
        assert_eq!(unpickle(&account, KEY).err(), Some(TEND_OLM_ERR_PICKLE_CORRUPT));
        let foreign = |json: &str| base64_encode(Cipher::new_pickle(KEY).encrypt_pickle(json.as_bytes()));
        let bytes = format!("[{}]", vec!["7"; 32].join(","));
        assert!(unpickle(&foreign(&format!(r#"{{"format":"tend_olm.signing_key.1","key":{bytes}}}"#)), KEY).is_ok());
        assert_eq!(
            unpickle(&foreign(&format!(r#"{{"format":"tend_olm.signing_key.2","key":{bytes}}}"#)), KEY).err(),
            Some(TEND_OLM_ERR_PICKLE_CORRUPT)
        );
        assert_eq!(unpickle(&foreign(&format!(r#"{{"key":{bytes}}}"#)), KEY).err(), Some(TEND_OLM_ERR_PICKLE_CORRUPT));
    }
}
