/*
 * tls_trust.h — the operating system's certificate authorities for an OpenSSL client context,
 * looked up when a certificate is verified instead of all parsed at start.
 *
 * OpenSSL's default (SSL_CTX_set_default_verify_paths, what libwebsockets calls) parses the whole
 * CA bundle (/usr/lib/ssl/cert.pem, ~140 certificates) into memory up front: about 1.3 MB of heap
 * for the life of the process, to verify a server or two. The same authorities are in OpenSSL's
 * default certificate directory (/usr/lib/ssl/certs -> /etc/ssl/certs on Debian, one file per CA
 * under its subject hash, kept in step with the bundle by update-ca-certificates), which OpenSSL
 * reads by hash during a verification, only the certificates the chain needs. Same authorities,
 * same checks, a few kB.
 */
#ifndef TEND_TLS_TRUST_H
#define TEND_TLS_TRUST_H

/* Where the system's trust anchors are, as OpenSSL's defaults have them: *dir is $SSL_CERT_DIR or
 * OpenSSL's default certificate directory, looked up by hash; *file is $SSL_CERT_FILE, or NULL for
 * none (the bundle's authorities are all in the directory). For libcurl's CURLOPT_CAPATH and
 * CURLOPT_CAINFO: curl parses a CAINFO bundle anew into every TLS connection it opens, and does not
 * cache it when a CAPATH is set too (Debian's default has both). */
void tend_tls_trust_paths(const char **file, const char **dir);

/* Adds the system's trust anchors to `ssl_ctx` (an SSL_CTX *): OpenSSL's default certificate
 * directory, or $SSL_CERT_DIR when set, looked up by hash; and $SSL_CERT_FILE when set, read as
 * OpenSSL's default would. 0, or -1 (logged) when the directory cannot be used. */
int tend_tls_trust_system(void *ssl_ctx);

#endif
