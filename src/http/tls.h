/* tls: the server's certificate and key for HTTPS (libmicrohttpd with
 * GnuTLS), reloadable while it serves: handshakes ask tls_retrieve for the
 * credentials in force, and tls_reload replaces them with what the files
 * hold now (a renewed certificate; SIGHUP in genu serve). A failed reload
 * keeps the credentials in force. Credentials replaced stay allocated
 * until tls_destroy, because a handshake may still be using them.
 *
 * GnuTLS's certificate callback takes no argument of ours, so the
 * credentials in force live in one slot per process (the one exception in
 * src/http to docs/style.md's "no mutable statics", guarded by a mutex):
 * one tls at a time; a second tls_create is GENU_ENOTSUP. */
#ifndef GENU_HTTP_TLS_H
#define GENU_HTTP_TLS_H

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>

#include "core/err.h"

typedef struct tls tls;

/* Loads the PEM certificate chain at cert and the PEM private key at key
 * and checks that the key is the certificate's. GENU_EINVAL naming the
 * file for unreadable, malformed or mismatched files; GENU_ENOTSUP when
 * another tls exists or this libmicrohttpd has no TLS. Caller destroys. */
int tls_create(const char *cert, const char *key, tls **out, genu_err *err);

/* Reads the files again; on any error (as tls_create's) the credentials
 * in force stay. Thread-safe against handshakes. */
int tls_reload(tls *t, genu_err *err);

/* NULL is a no-op. After the daemon that used it has stopped. */
void tls_destroy(tls *t);

/* GnuTLS's certificate retrieval function for
 * MHD_OPTION_HTTPS_CERT_CALLBACK: the credentials in force. */
gnutls_certificate_retrieve_function2 tls_retrieve;

#endif
