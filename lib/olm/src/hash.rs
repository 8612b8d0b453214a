//! SHA-256, as Matrix uses it outside the ratchets: the commitment of an SAS verification
//! (m.key.verification.accept) is the unpadded base64 of SHA-256 over a public key and the
//! canonical JSON of the start message.

use std::ffi::c_char;

use sha2::{Digest, Sha256};

use crate::tend_olm_error;
use crate::{clear_out, guard, in_bytes, set_str};

#[unsafe(no_mangle)]
pub extern "C" fn tend_olm_sha256(data: *const u8, data_len: usize, base64_out: *mut *mut c_char) -> tend_olm_error {
    guard(|| {
        clear_out(base64_out)?;
        let digest = Sha256::digest(in_bytes(data, data_len)?);
        set_str(base64_out, &vodozemac::base64_encode(digest));
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tend_olm_error::TEND_OLM_OK;
    use std::ffi::CStr;

    #[test]
    fn the_digest_of_abc_is_the_standard_one() {
        let mut out: *mut c_char = std::ptr::null_mut();
        assert_eq!(tend_olm_sha256(b"abc".as_ptr(), 3, &mut out), TEND_OLM_OK);
        // FIPS 180-2's "abc" vector, unpadded base64
        assert_eq!(unsafe { CStr::from_ptr(out) }.to_str().unwrap(), "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0");
        unsafe { crate::tend_olm_free_string(out) };
    }
}
