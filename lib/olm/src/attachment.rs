//! Encrypted attachments (Matrix client-server API, "Sending encrypted attachments"): a file for
//! an encrypted room is encrypted with AES-256-CTR under a fresh random key and a 128-bit counter
//! block whose low 64 bits are zero (so the counter never wraps into the random half), and its
//! ciphertext is what goes to the media repository. The key, the counter block and the
//! ciphertext's SHA-256 travel inside the Megolm-encrypted event as an EncryptedFile object.
//!
//! CTR mode authenticates nothing: the SHA-256 of the ciphertext, carried in the (authenticated)
//! Megolm event, is what makes a changed upload fail, so decryption checks it before anything else.

use std::ffi::c_char;

use aes::Aes256;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD_NO_PAD, STANDARD_NO_PAD_INDIFFERENT, URL_SAFE_NO_PAD,
                                      URL_SAFE_NO_PAD_INDIFFERENT};
use ctr::cipher::{KeyIvInit, StreamCipher};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, Zeroizing};

use crate::tend_olm_error::{self, *};
use crate::{Res, clear_num, clear_out, guard, in_bytes, in_str, out_bytes};

type Aes256Ctr = ctr::Ctr128BE<Aes256>;

const KEY_BYTES: usize = 32;
const IV_BYTES: usize = 16;

/// Encrypts `data` in place with a new key and counter block; returns the EncryptedFile fields
/// (without url) as JSON in a buffer that is zeroed when dropped.
fn seal(data: &mut [u8]) -> Res<Zeroizing<Vec<u8>>> {
    let mut key = Zeroizing::new([0u8; KEY_BYTES]);
    let mut iv = [0u8; IV_BYTES];
    getrandom::fill(&mut key[..]).map_err(|_| TEND_OLM_ERR_INTERNAL)?;
    // the high 64 bits random, the low 64 bits (the block counter) zero
    getrandom::fill(&mut iv[..8]).map_err(|_| TEND_OLM_ERR_INTERNAL)?;
    let mut cipher = Aes256Ctr::new(&(*key).into(), &iv.into());
    cipher.apply_keystream(data);
    drop(cipher); // zeroes its key schedule and counter (the crates' zeroize features)
    let hash = Sha256::digest(&*data);
    let mut info = json!({
        "key": {
            "kty": "oct",
            "key_ops": ["encrypt", "decrypt"],
            "alg": "A256CTR",
            "ext": true,
        },
        "iv": STANDARD_NO_PAD.encode(iv),
        "hashes": { "sha256": STANDARD_NO_PAD.encode(hash.as_slice()) },
        "v": "v2",
    });
    // moved in, not through json!, which would serialise a copy and drop the original unzeroed
    info["key"]["k"] = Value::String(URL_SAFE_NO_PAD.encode(&key[..]));
    // written into room enough that it never reallocates, leaving no stray copy of k behind
    let mut out = Zeroizing::new(Vec::with_capacity(512));
    let written = serde_json::to_writer(&mut *out, &info);
    wipe(&mut info);
    written.map_err(|_| TEND_OLM_ERR_INTERNAL)?;
    Ok(out)
}

/// Zeroes every string inside a JSON value (the key's k is one of them) before it is dropped.
fn wipe(v: &mut Value) {
    match v {
        Value::String(s) => s.zeroize(),
        Value::Array(items) => items.iter_mut().for_each(wipe),
        Value::Object(map) => map.values_mut().for_each(wipe),
        _ => {}
    }
}

fn field<'a>(v: &'a Value, path: &[&str]) -> Res<&'a str> {
    let mut at = v;
    for name in path {
        at = at.get(name).ok_or(TEND_OLM_ERR_BAD_KEY)?;
    }
    at.as_str().ok_or(TEND_OLM_ERR_BAD_KEY)
}

/// Checks the ciphertext's hash against the EncryptedFile JSON, then decrypts it in place.
fn open(data: &mut [u8], file_info: &str) -> Res<()> {
    let mut info: Value = serde_json::from_str(file_info).map_err(|_| TEND_OLM_ERR_BAD_KEY)?;
    let result = open_with(data, &info);
    wipe(&mut info);
    result
}

fn open_with(data: &mut [u8], info: &Value) -> Res<()> {
    if field(info, &["v"])? != "v2" {
        return Err(TEND_OLM_ERR_UNSUPPORTED);
    }
    if field(info, &["key", "alg"])? != "A256CTR" || field(info, &["key", "kty"])? != "oct" {
        return Err(TEND_OLM_ERR_UNSUPPORTED);
    }
    let mut key = Zeroizing::new([0u8; KEY_BYTES + 4]); // room for the decoder's length estimate
    let n = URL_SAFE_NO_PAD_INDIFFERENT
        .decode_slice(field(info, &["key", "k"])?, &mut key[..])
        .map_err(|_| TEND_OLM_ERR_BAD_KEY)?;
    let mut iv = [0u8; IV_BYTES + 4];
    let m = STANDARD_NO_PAD_INDIFFERENT
        .decode_slice(field(info, &["iv"])?, &mut iv[..])
        .map_err(|_| TEND_OLM_ERR_BAD_KEY)?;
    let mut hash = [0u8; 32 + 4];
    let h = STANDARD_NO_PAD_INDIFFERENT
        .decode_slice(field(info, &["hashes", "sha256"])?, &mut hash[..])
        .map_err(|_| TEND_OLM_ERR_BAD_KEY)?;
    if n != KEY_BYTES || m != IV_BYTES || h != 32 {
        return Err(TEND_OLM_ERR_BAD_KEY);
    }
    if Sha256::digest(&*data).as_slice() != &hash[..32] {
        return Err(TEND_OLM_ERR_BAD_MAC);
    }
    let key32: [u8; KEY_BYTES] = key[..KEY_BYTES].try_into().map_err(|_| TEND_OLM_ERR_BAD_KEY)?;
    let key32 = Zeroizing::new(key32);
    let iv16: [u8; IV_BYTES] = iv[..IV_BYTES].try_into().map_err(|_| TEND_OLM_ERR_BAD_KEY)?;
    let mut cipher = Aes256Ctr::new(&(*key32).into(), &iv16.into());
    cipher.apply_keystream(data);
    Ok(())
}

/// Copies (pointer, length) into a buffer zeroed on drop: the plaintext of a file is a secret.
fn copy_in(p: *const u8, len: usize) -> Res<Zeroizing<Vec<u8>>> {
    Ok(Zeroizing::new(in_bytes(p, len)?.to_vec()))
}

#[unsafe(no_mangle)]
pub extern "C" fn tend_olm_attachment_encrypt(
    data: *const u8,
    len: usize,
    ciphertext_out: *mut *mut c_char,
    ciphertext_len_out: *mut usize,
    file_info_out: *mut *mut c_char,
) -> tend_olm_error {
    guard(|| {
        clear_out(ciphertext_out)?;
        clear_num(ciphertext_len_out)?;
        clear_out(file_info_out)?;
        let mut buf = copy_in(data, len)?;
        let info = seal(&mut buf)?;
        unsafe {
            *ciphertext_out = out_bytes(&buf);
            *ciphertext_len_out = buf.len();
            *file_info_out = out_bytes(&info);
        }
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn tend_olm_attachment_decrypt(
    ciphertext: *const u8,
    len: usize,
    file_info: *const c_char,
    plaintext_out: *mut *mut c_char,
    plaintext_len_out: *mut usize,
) -> tend_olm_error {
    guard(|| {
        clear_out(plaintext_out)?;
        clear_num(plaintext_len_out)?;
        let info = in_str(file_info)?;
        let mut buf = copy_in(ciphertext, len)?;
        open(&mut buf, info)?;
        unsafe {
            *plaintext_out = out_bytes(&buf);
            *plaintext_len_out = buf.len();
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // NIST SP 800-38A F.5.5, CTR-AES256.Encrypt: the mode and counter are the standard ones
    #[test]
    fn aes_256_ctr_is_the_standard_one() {
        let key = hex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4");
        let iv = hex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
        let mut block = hex(concat!("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51",
                                    "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710"));
        let k: [u8; 32] = key.try_into().unwrap();
        let i: [u8; 16] = iv.try_into().unwrap();
        Aes256Ctr::new(&k.into(), &i.into()).apply_keystream(&mut block);
        assert_eq!(block, hex(concat!("601ec313775789a5b7a7f504bbf3d228f443e3ca4d62b59aca84e990cacaf5c5",
                                      "2b0930daa23de94ce87017ba2d84988ddfc9c58db67aada613c2dd08457941a6")));
    }

    #[test]
    fn sealed_then_opened() {
        let mut data = b"a member's export".to_vec();
        let info = seal(&mut data).unwrap();
        assert_ne!(&data[..], b"a member's export");
        open(&mut data, std::str::from_utf8(&info).unwrap()).unwrap();
        assert_eq!(&data[..], b"a member's export");
    }

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }
}
