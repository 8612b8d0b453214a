//! Megolm: the outbound group session tend encrypts a room's messages with, and the inbound
//! sessions it decrypts each sender's messages with (m.megolm.v1.aes-sha2).

use std::ffi::c_char;

use vodozemac::megolm::{
    DecryptionError, ExportedSessionKey, GroupSession, GroupSessionPickle, InboundGroupSession,
    InboundGroupSessionPickle, MegolmMessage, SessionConfig, SessionKey,
};
use zeroize::Zeroizing;

use crate::tend_olm_error::{self, *};
use crate::{
    Handle, clear_num, clear_out, decode_error, free_handle, guard, in_bytes, in_key, in_str, out_bytes,
    pickle_error, set_str, with_mut, with_ref,
};

#[allow(non_camel_case_types)]
pub type tend_olm_outbound_group = Handle<GroupSession>;
#[allow(non_camel_case_types)]
pub type tend_olm_inbound_group = Handle<InboundGroupSession>;

fn decryption_error(e: DecryptionError) -> tend_olm_error {
    match e {
        DecryptionError::Signature(_) => TEND_OLM_ERR_BAD_SIGNATURE,
        DecryptionError::InvalidMAC(_) | DecryptionError::InvalidMACLength(..) => TEND_OLM_ERR_BAD_MAC,
        DecryptionError::InvalidPadding(_) => TEND_OLM_ERR_BAD_MESSAGE,
        DecryptionError::UnknownMessageIndex(..) => TEND_OLM_ERR_UNKNOWN_INDEX,
    }
}

// ---- outbound ----

#[unsafe(no_mangle)]
pub extern "C" fn tend_olm_outbound_group_new(out: *mut *mut tend_olm_outbound_group) -> tend_olm_error {
    guard(|| {
        clear_out(out)?;
        unsafe { *out = Handle::boxed(GroupSession::new(SessionConfig::version_1())) };
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn tend_olm_outbound_group_free(group: *mut tend_olm_outbound_group) {
    free_handle(group)
}

#[unsafe(no_mangle)]
pub extern "C" fn tend_olm_outbound_group_session_id(group: *const tend_olm_outbound_group, out: *mut *mut c_char) -> tend_olm_error {
    if clear_out(out).is_err() {
        return TEND_OLM_ERR_INVALID_ARGUMENT;
    }
    with_ref(group, |g| {
        set_str(out, &g.session_id());
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn tend_olm_outbound_group_session_key(group: *const tend_olm_outbound_group, out: *mut *mut c_char) -> tend_olm_error {
    if clear_out(out).is_err() {
        return TEND_OLM_ERR_INVALID_ARGUMENT;
    }
    with_ref(group, |g| {
        set_str(out, &Zeroizing::new(g.session_key().to_base64()));
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn tend_olm_outbound_group_message_index(group: *const tend_olm_outbound_group) -> u32 {
    unsafe { group.as_ref() }.map_or(0, |g| g.inner.message_index())
}

#[unsafe(no_mangle)]
pub extern "C" fn tend_olm_outbound_group_encrypt(
    group: *mut tend_olm_outbound_group,
    plaintext: *const u8,
    plaintext_len: usize,
    ciphertext_out: *mut *mut c_char,
) -> tend_olm_error {
    if clear_out(ciphertext_out).is_err() {
        return TEND_OLM_ERR_INVALID_ARGUMENT;
    }
    with_mut(group, |g| {
        let plaintext = in_bytes(plaintext, plaintext_len)?;
        set_str(ciphertext_out, &g.encrypt(plaintext).to_base64());
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn tend_olm_outbound_group_pickle(
    group: *const tend_olm_outbound_group,
    key: *const u8,
    pickle_out: *mut *mut c_char,
) -> tend_olm_error {
    if clear_out(pickle_out).is_err() {
        return TEND_OLM_ERR_INVALID_ARGUMENT;
    }
    with_ref(group, |g| {
        set_str(pickle_out, &g.pickle().encrypt(in_key(key)?));
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn tend_olm_outbound_group_unpickle(
    pickle: *const c_char,
    key: *const u8,
    out: *mut *mut tend_olm_outbound_group,
) -> tend_olm_error {
    guard(|| {
        clear_out(out)?;
        let pickle = GroupSessionPickle::from_encrypted(in_str(pickle)?, in_key(key)?).map_err(pickle_error)?;
        unsafe { *out = Handle::boxed(GroupSession::from_pickle(pickle)) };
        Ok(())
    })
}

// ---- inbound ----

#[unsafe(no_mangle)]
pub extern "C" fn tend_olm_inbound_group_new(session_key: *const c_char, out: *mut *mut tend_olm_inbound_group) -> tend_olm_error {
    guard(|| {
        clear_out(out)?;
        let key = SessionKey::from_base64(in_str(session_key)?).map_err(|_| TEND_OLM_ERR_BAD_KEY)?;
        unsafe { *out = Handle::boxed(InboundGroupSession::new(&key, SessionConfig::version_1())) };
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn tend_olm_inbound_group_import(exported_key: *const c_char, out: *mut *mut tend_olm_inbound_group) -> tend_olm_error {
    guard(|| {
        clear_out(out)?;
        let key = ExportedSessionKey::from_base64(in_str(exported_key)?).map_err(|_| TEND_OLM_ERR_BAD_KEY)?;
        unsafe { *out = Handle::boxed(InboundGroupSession::import(&key, SessionConfig::version_1())) };
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn tend_olm_inbound_group_free(group: *mut tend_olm_inbound_group) {
    free_handle(group)
}

#[unsafe(no_mangle)]
pub extern "C" fn tend_olm_inbound_group_session_id(group: *const tend_olm_inbound_group, out: *mut *mut c_char) -> tend_olm_error {
    if clear_out(out).is_err() {
        return TEND_OLM_ERR_INVALID_ARGUMENT;
    }
    with_ref(group, |g| {
        set_str(out, &g.session_id());
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn tend_olm_inbound_group_first_known_index(group: *const tend_olm_inbound_group) -> u32 {
    unsafe { group.as_ref() }.map_or(0, |g| g.inner.first_known_index())
}

#[unsafe(no_mangle)]
pub extern "C" fn tend_olm_inbound_group_decrypt(
    group: *mut tend_olm_inbound_group,
    ciphertext: *const c_char,
    plaintext_out: *mut *mut c_char,
    plaintext_len_out: *mut usize,
    message_index_out: *mut u32,
) -> tend_olm_error {
    if clear_out(plaintext_out).is_err() || clear_num(plaintext_len_out).is_err() || clear_num(message_index_out).is_err() {
        return TEND_OLM_ERR_INVALID_ARGUMENT;
    }
    with_mut(group, |g| {
        let message = MegolmMessage::from_base64(in_str(ciphertext)?).map_err(decode_error)?;
        let decrypted = g.decrypt(&message).map_err(decryption_error)?;
        let plaintext = Zeroizing::new(decrypted.plaintext);
        unsafe {
            *plaintext_out = out_bytes(&plaintext);
            *plaintext_len_out = plaintext.len();
            *message_index_out = decrypted.message_index;
        }
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn tend_olm_inbound_group_export(
    group: *mut tend_olm_inbound_group,
    message_index: u32,
    exported_key_out: *mut *mut c_char,
) -> tend_olm_error {
    if clear_out(exported_key_out).is_err() {
        return TEND_OLM_ERR_INVALID_ARGUMENT;
    }
    with_mut(group, |g| {
        let key = g.export_at(message_index).ok_or(TEND_OLM_ERR_UNKNOWN_INDEX)?;
        set_str(exported_key_out, &Zeroizing::new(key.to_base64()));
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn tend_olm_inbound_group_pickle(
    group: *const tend_olm_inbound_group,
    key: *const u8,
    pickle_out: *mut *mut c_char,
) -> tend_olm_error {
    if clear_out(pickle_out).is_err() {
        return TEND_OLM_ERR_INVALID_ARGUMENT;
    }
    with_ref(group, |g| {
        set_str(pickle_out, &g.pickle().encrypt(in_key(key)?));
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn tend_olm_inbound_group_unpickle(
    pickle: *const c_char,
    key: *const u8,
    out: *mut *mut tend_olm_inbound_group,
) -> tend_olm_error {
    guard(|| {
        clear_out(out)?;
        let pickle = InboundGroupSessionPickle::from_encrypted(in_str(pickle)?, in_key(key)?).map_err(pickle_error)?;
        unsafe { *out = Handle::boxed(InboundGroupSession::from_pickle(pickle)) };
        Ok(())
    })
}
