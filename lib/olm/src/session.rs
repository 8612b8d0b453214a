//! Olm sessions: the double ratchet with one other device (m.olm.v1.curve25519-aes-sha2).

use std::ffi::c_char;

use vodozemac::olm::{DecryptionError, OlmMessage, PreKeyMessage, Session, SessionConfig, SessionCreationError, SessionPickle};
use vodozemac::{Curve25519PublicKey, base64_decode, base64_encode};
use zeroize::Zeroizing;

use crate::account::tend_olm_account;
use crate::tend_olm_error::{self, *};
use crate::{
    Handle, Res, clear_num, clear_out, decode_error, free_handle, guard, in_bytes, in_key, in_str, out_bytes,
    pickle_error, set_str, with_mut, with_ref,
};

#[allow(non_camel_case_types)]
pub type tend_olm_session = Handle<Session>;

fn decryption_error(e: DecryptionError) -> tend_olm_error {
    match e {
        DecryptionError::InvalidMAC(_) | DecryptionError::InvalidMACLength(..) => TEND_OLM_ERR_BAD_MAC,
        DecryptionError::InvalidPadding(_) => TEND_OLM_ERR_BAD_MESSAGE,
        DecryptionError::NonContributoryKey => TEND_OLM_ERR_INSECURE_KEY,
        DecryptionError::MissingMessageKey(_) => TEND_OLM_ERR_MESSAGE_KEY_USED,
        DecryptionError::TooBigMessageGap(..) => TEND_OLM_ERR_MESSAGE_GAP,
    }
}

fn creation_error(e: SessionCreationError) -> tend_olm_error {
    match e {
        SessionCreationError::MissingOneTimeKey(_) => TEND_OLM_ERR_UNKNOWN_ONE_TIME_KEY,
        SessionCreationError::MismatchedIdentityKey(..) => TEND_OLM_ERR_IDENTITY_MISMATCH,
        SessionCreationError::MismatchedSessionConfig { .. } => TEND_OLM_ERR_UNSUPPORTED,
        SessionCreationError::Decryption(e) => decryption_error(e),
        SessionCreationError::NonContributoryKey => TEND_OLM_ERR_INSECURE_KEY,
    }
}

fn curve_key(s: *const c_char) -> Res<Curve25519PublicKey> {
    Curve25519PublicKey::from_base64(in_str(s)?).map_err(|_| TEND_OLM_ERR_BAD_KEY)
}

fn pre_key_message(s: *const c_char) -> Res<PreKeyMessage> {
    PreKeyMessage::from_base64(in_str(s)?).map_err(decode_error)
}

/// Hands a plaintext to C: a new string (zeroed when freed) and its length; the Rust copy is zeroed.
fn set_plaintext(plaintext: Vec<u8>, out: *mut *mut c_char, len_out: *mut usize) {
    let plaintext = Zeroizing::new(plaintext);
    unsafe {
        *out = out_bytes(&plaintext);
        *len_out = plaintext.len();
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn tend_olm_session_new_outbound(
    account: *const tend_olm_account,
    their_identity_key: *const c_char,
    their_one_time_key: *const c_char,
    out: *mut *mut tend_olm_session,
) -> tend_olm_error {
    if clear_out(out).is_err() {
        return TEND_OLM_ERR_INVALID_ARGUMENT;
    }
    with_ref(account, |a| {
        let session = a
            .create_outbound_session(SessionConfig::version_1(), curve_key(their_identity_key)?, curve_key(their_one_time_key)?)
            .map_err(creation_error)?;
        unsafe { *out = Handle::boxed(session) };
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn tend_olm_session_new_inbound(
    account: *mut tend_olm_account,
    their_identity_key: *const c_char,
    pre_key_message_b64: *const c_char,
    out: *mut *mut tend_olm_session,
    plaintext_out: *mut *mut c_char,
    plaintext_len_out: *mut usize,
) -> tend_olm_error {
    if clear_out(out).is_err() || clear_out(plaintext_out).is_err() || clear_num(plaintext_len_out).is_err() {
        return TEND_OLM_ERR_INVALID_ARGUMENT;
    }
    with_mut(account, |a| {
        let identity = curve_key(their_identity_key)?;
        let message = pre_key_message(pre_key_message_b64)?;
        let result = a.create_inbound_session(SessionConfig::version_1(), identity, &message).map_err(creation_error)?;
        set_plaintext(result.plaintext, plaintext_out, plaintext_len_out);
        unsafe { *out = Handle::boxed(result.session) };
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn tend_olm_pre_key_session_id(pre_key_message_b64: *const c_char, session_id_out: *mut *mut c_char) -> tend_olm_error {
    guard(|| {
        clear_out(session_id_out)?;
        set_str(session_id_out, &pre_key_message(pre_key_message_b64)?.session_id());
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn tend_olm_session_id(session: *const tend_olm_session, session_id_out: *mut *mut c_char) -> tend_olm_error {
    if clear_out(session_id_out).is_err() {
        return TEND_OLM_ERR_INVALID_ARGUMENT;
    }
    with_ref(session, |s| {
        set_str(session_id_out, &s.session_id());
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn tend_olm_session_encrypt(
    session: *mut tend_olm_session,
    plaintext: *const u8,
    plaintext_len: usize,
    type_out: *mut i32,
    ciphertext_out: *mut *mut c_char,
) -> tend_olm_error {
    if clear_num(type_out).is_err() || clear_out(ciphertext_out).is_err() {
        return TEND_OLM_ERR_INVALID_ARGUMENT;
    }
    with_mut(session, |s| {
        let message = s.encrypt(in_bytes(plaintext, plaintext_len)?).map_err(|_| TEND_OLM_ERR_INSECURE_KEY)?;
        let (kind, bytes) = message.to_parts();
        set_str(ciphertext_out, &base64_encode(bytes));
        unsafe { *type_out = kind as i32 };
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn tend_olm_session_decrypt(
    session: *mut tend_olm_session,
    kind: i32,
    ciphertext: *const c_char,
    plaintext_out: *mut *mut c_char,
    plaintext_len_out: *mut usize,
) -> tend_olm_error {
    if clear_out(plaintext_out).is_err() || clear_num(plaintext_len_out).is_err() {
        return TEND_OLM_ERR_INVALID_ARGUMENT;
    }
    with_mut(session, |s| {
        let kind = usize::try_from(kind).map_err(|_| TEND_OLM_ERR_BAD_MESSAGE)?;
        let bytes = base64_decode(in_str(ciphertext)?).map_err(|_| TEND_OLM_ERR_BAD_MESSAGE)?;
        let message = OlmMessage::from_parts(kind, &bytes).map_err(decode_error)?;
        set_plaintext(s.decrypt(&message).map_err(decryption_error)?, plaintext_out, plaintext_len_out);
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn tend_olm_session_free(session: *mut tend_olm_session) {
    free_handle(session)
}

#[unsafe(no_mangle)]
pub extern "C" fn tend_olm_session_pickle(session: *const tend_olm_session, key: *const u8, pickle_out: *mut *mut c_char) -> tend_olm_error {
    if clear_out(pickle_out).is_err() {
        return TEND_OLM_ERR_INVALID_ARGUMENT;
    }
    with_ref(session, |s| {
        set_str(pickle_out, &s.pickle().encrypt(in_key(key)?));
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn tend_olm_session_unpickle(pickle: *const c_char, key: *const u8, out: *mut *mut tend_olm_session) -> tend_olm_error {
    guard(|| {
        clear_out(out)?;
        let pickle = SessionPickle::from_encrypted(in_str(pickle)?, in_key(key)?).map_err(pickle_error)?;
        unsafe { *out = Handle::boxed(Session::from_pickle(pickle)) };
        Ok(())
    })
}
