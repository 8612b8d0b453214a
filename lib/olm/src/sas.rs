//! SAS: the short authentication string of interactive verification (m.sas.v1, emoji and
//! decimals, curve25519-hkdf-sha256), and the MACs of the keys being verified.

use std::ffi::c_char;

use subtle::ConstantTimeEq;
use vodozemac::Curve25519PublicKey;
use vodozemac::sas::{EstablishedSas, Mac, Sas};

use crate::tend_olm_error::{self, *};
use crate::{Handle, Res, clear_num, clear_out, free_handle, guard, in_str, set_str, with_mut, with_ref};

/// Mirrors `tend_olm_sas_string` in olm.h.
#[repr(C)]
#[derive(Default)]
#[allow(non_camel_case_types)]
pub struct tend_olm_sas_string {
    emoji: [u8; 7],
    decimals: [u16; 3],
}

/// Before establish the ephemeral secret, after it the shared secret (vodozemac's diffie_hellman
/// consumes the one to make the other). Spent only if that step failed after our own check
/// passed, which a low-order key cannot do (see establish).
enum State {
    Waiting(Sas),
    Established(EstablishedSas),
    Spent,
}

pub struct Verification {
    /// Our ephemeral public key, kept for after establish (the commitment and the MAC info use it).
    public_key: Curve25519PublicKey,
    state: State,
}

#[allow(non_camel_case_types)]
pub type tend_olm_sas = Handle<Verification>;

impl Verification {
    fn established(&self) -> Res<&EstablishedSas> {
        match &self.state {
            State::Established(sas) => Ok(sas),
            _ => Err(TEND_OLM_ERR_INVALID_ARGUMENT),
        }
    }

    fn establish(&mut self, their_key: Curve25519PublicKey) -> Res<()> {
        if !matches!(self.state, State::Waiting(_)) {
            return Err(TEND_OLM_ERR_INVALID_ARGUMENT);
        }
        // diffie_hellman consumes our secret even when it refuses a low-order key, which would
        // leave the handle unusable on an error. Whether a key exchange is contributory depends
        // only on their key (X25519 clamps every scalar to a multiple of the cofactor, which
        // sends exactly the low-order points to zero), so a throwaway secret answers first.
        if Sas::new().diffie_hellman(their_key).is_err() {
            return Err(TEND_OLM_ERR_INSECURE_KEY);
        }
        let State::Waiting(sas) = std::mem::replace(&mut self.state, State::Spent) else {
            unreachable!("checked above")
        };
        self.state = State::Established(sas.diffie_hellman(their_key).map_err(|_| TEND_OLM_ERR_INSECURE_KEY)?);
        Ok(())
    }
}

/// The legacy MAC string compared without a data-dependent early exit (its length is public).
fn same_mac(ours: &str, theirs: &str) -> bool {
    ours.as_bytes().ct_eq(theirs.as_bytes()).into()
}

#[unsafe(no_mangle)]
pub extern "C" fn tend_olm_sas_new(out: *mut *mut tend_olm_sas) -> tend_olm_error {
    guard(|| {
        clear_out(out)?;
        let sas = Sas::new();
        unsafe { *out = Handle::boxed(Verification { public_key: sas.public_key(), state: State::Waiting(sas) }) };
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn tend_olm_sas_free(sas: *mut tend_olm_sas) {
    free_handle(sas)
}

#[unsafe(no_mangle)]
pub extern "C" fn tend_olm_sas_public_key(sas: *const tend_olm_sas, public_out: *mut *mut c_char) -> tend_olm_error {
    if clear_out(public_out).is_err() {
        return TEND_OLM_ERR_INVALID_ARGUMENT;
    }
    with_ref(sas, |v| {
        set_str(public_out, &v.public_key.to_base64());
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn tend_olm_sas_establish(sas: *mut tend_olm_sas, their_public_key: *const c_char) -> tend_olm_error {
    with_mut(sas, |v| {
        let their_key = Curve25519PublicKey::from_base64(in_str(their_public_key)?).map_err(|_| TEND_OLM_ERR_BAD_KEY)?;
        v.establish(their_key)
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn tend_olm_sas_string_for(sas: *const tend_olm_sas, info: *const c_char, out: *mut tend_olm_sas_string) -> tend_olm_error {
    if clear_num(out).is_err() {
        return TEND_OLM_ERR_INVALID_ARGUMENT;
    }
    with_ref(sas, |v| {
        let bytes = v.established()?.bytes(in_str(info)?);
        let (a, b, c) = bytes.decimals();
        unsafe { *out = tend_olm_sas_string { emoji: bytes.emoji_indices(), decimals: [a, b, c] } };
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn tend_olm_sas_mac(
    sas: *const tend_olm_sas,
    input: *const c_char,
    info: *const c_char,
    legacy_base64: i32,
    mac_out: *mut *mut c_char,
) -> tend_olm_error {
    if clear_out(mac_out).is_err() {
        return TEND_OLM_ERR_INVALID_ARGUMENT;
    }
    with_ref(sas, |v| {
        let (sas, input, info) = (v.established()?, in_str(input)?, in_str(info)?);
        let mac = if legacy_base64 != 0 {
            sas.calculate_mac_invalid_base64(input, info)
        } else {
            sas.calculate_mac(input, info).to_base64()
        };
        set_str(mac_out, &mac);
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "C" fn tend_olm_sas_verify_mac(
    sas: *const tend_olm_sas,
    input: *const c_char,
    info: *const c_char,
    legacy_base64: i32,
    mac: *const c_char,
) -> tend_olm_error {
    with_ref(sas, |v| {
        let (sas, input, info, mac) = (v.established()?, in_str(input)?, in_str(info)?, in_str(mac)?);
        if legacy_base64 != 0 {
            // libolm's encoding is not base64 that decodes to the MAC: compare the strings
            return if same_mac(&sas.calculate_mac_invalid_base64(input, info), mac) { Ok(()) } else { Err(TEND_OLM_ERR_BAD_MAC) };
        }
        let tag = Mac::from_base64(mac).map_err(|_| TEND_OLM_ERR_BAD_MAC)?;
        sas.verify_mac(input, info, &tag).map_err(|_| TEND_OLM_ERR_BAD_MAC)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair() -> (Verification, Verification) {
        let (a, b) = (Sas::new(), Sas::new());
        let (ka, kb) = (a.public_key(), b.public_key());
        let mut va = Verification { public_key: ka, state: State::Waiting(a) };
        let mut vb = Verification { public_key: kb, state: State::Waiting(b) };
        va.establish(kb).unwrap();
        vb.establish(ka).unwrap();
        (va, vb)
    }

    #[test]
    fn a_low_order_key_is_refused_and_the_handle_can_still_establish() {
        let sas = Sas::new();
        let mut ours = Verification { public_key: sas.public_key(), state: State::Waiting(sas) };
        let other = Sas::new();
        let zero = Curve25519PublicKey::from_bytes([0u8; 32]);
        assert_eq!(ours.establish(zero), Err(TEND_OLM_ERR_INSECURE_KEY));
        assert!(matches!(ours.state, State::Waiting(_)));
        assert_eq!(ours.establish(other.public_key()), Ok(()));
        assert_eq!(ours.establish(other.public_key()), Err(TEND_OLM_ERR_INVALID_ARGUMENT));
    }

    #[test]
    fn both_sides_agree_and_macs_cross() {
        let (a, b) = pair();
        let (sa, sb) = (a.established().unwrap(), b.established().unwrap());
        assert_eq!(sa.bytes("info").emoji_indices(), sb.bytes("info").emoji_indices());
        let legacy = sa.calculate_mac_invalid_base64("key", "info");
        assert!(same_mac(&legacy, &sb.calculate_mac_invalid_base64("key", "info")));
        assert!(!same_mac(&legacy, &sb.calculate_mac_invalid_base64("key", "other info")));
        assert!(!same_mac(&legacy, &legacy[..legacy.len() - 1]));
    }
}
