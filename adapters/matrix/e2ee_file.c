/*
 * e2ee_file.c — a file for an encrypted room, sealed as Matrix's encrypted attachments say
 * (client-server API, "Sending encrypted attachments").
 *
 * send.c seals a file's bytes each time it uploads them, so a retried upload goes under a new key;
 * the ciphertext goes to the media repository, which never sees the file, and the key travels
 * only inside the m.file event, which the room's Megolm session then encrypts like any other.
 * The crypto is lib/olm's (RustCrypto's AES-256-CTR and SHA-256): nothing here but the handover.
 */
#ifdef TEND_HAVE_E2EE
#include "adapters/matrix/e2ee.h"

#include <stdint.h>

#include "lib/log.h"
#include "lib/olm/olm.h"

int tend_matrix_e2ee_file_seal(const char *data, size_t len, char **ciphertext, char **file_info)
{
    size_t sealed_len = 0;
    tend_olm_error err =
        tend_olm_attachment_encrypt((const uint8_t *)data, len, ciphertext, &sealed_len, file_info);
    if (err != TEND_OLM_OK || sealed_len != len) {
        tend_log(TEND_LOG_WARN, "matrix", "could not encrypt a file: %s", tend_olm_strerror(err));
        tend_olm_free_string(*ciphertext);
        tend_olm_free_string(*file_info);
        *ciphertext = *file_info = NULL;
        return -1;
    }
    return 0;
}

void tend_matrix_e2ee_file_release(char *sealed)
{
    tend_olm_free_string(sealed);
}
#endif
