/*
 * gnutls_unused.c — keeps GnuTLS from setting itself up in tend's process, where nothing uses it.
 *
 * tend's TLS is OpenSSL's (libcurl's OpenSSL flavour, libwebsockets). GnuTLS is mapped only because
 * Debian's libcurl4 needs libldap and librtmp, which are built against it, and tend never gives curl
 * an ldap:// or rtmp:// URL. Loaded, GnuTLS initialises itself from a constructor (its random
 * generator, the system's priority file, its algorithm tables): about 640 KB of resident memory for
 * a library nothing calls (issue 17).
 *
 * Its constructor asks the program first, through this weak symbol: this is what GnuTLS's
 * GNUTLS_SKIP_GLOBAL_INIT macro (gnutls/gnutls.h) defines, written out so that the build needs no
 * GnuTLS headers. The executable exports it (CMakeLists.txt), so the dynamic linker binds GnuTLS's
 * call to this definition; tests/integration/gnutls_unused.sh checks that it does.
 */
int _gnutls_global_init_skip(void);

int _gnutls_global_init_skip(void)
{
    return 1;
}
