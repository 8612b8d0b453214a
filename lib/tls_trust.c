/* tls_trust.c — see tls_trust.h. */
#include "lib/tls_trust.h"

#include <stdlib.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "lib/log.h"

void tend_tls_trust_paths(const char **file, const char **dir)
{
    /* the environment overrides OpenSSL's own defaults honour, so a private CA set there still counts */
    *dir = getenv(X509_get_default_cert_dir_env());
    *file = getenv(X509_get_default_cert_file_env());
    if (!*dir || !**dir)
        *dir = X509_get_default_cert_dir();
    if (*file && !**file)
        *file = NULL;
}

int tend_tls_trust_system(void *ssl_ctx)
{
    SSL_CTX *ctx = ssl_ctx;
    const char *dir, *file;
    tend_tls_trust_paths(&file, &dir);
    int rc = 0;
    if (!SSL_CTX_load_verify_dir(ctx, dir)) {
        tend_log(TEND_LOG_ERROR, "tls", "cannot use the certificate authorities in %s: no server can be verified",
                 dir);
        rc = -1;
    }
    if (file && !SSL_CTX_load_verify_file(ctx, file)) {
        tend_log(TEND_LOG_ERROR, "tls", "cannot read the certificate authorities in %s ($SSL_CERT_FILE)", file);
        rc = -1;
    }
    ERR_clear_error();
    return rc;
}
