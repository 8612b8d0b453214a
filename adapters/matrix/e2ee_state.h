/*
 * e2ee_state.h — what the e2ee_*.c files share of the device's encryption state; only they
 * include it. Built only with TEND_HAVE_E2EE.
 */
#ifndef TEND_MATRIX_E2EE_STATE_H
#define TEND_MATRIX_E2EE_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "adapters/matrix/e2ee.h"
#include "adapters/matrix/internal.h"
#include "lib/olm/olm.h"

/* What the server should hold of our one-time keys is decided by the account's capacity (half
 * of it, as other clients do), so keys claimed before their messages arrive are still known. */
struct tend_matrix_e2ee {
    uint8_t pickle_key[TEND_OLM_PICKLE_KEY_BYTES]; /* secret: zeroed on free */
    tend_olm_account *account;
    char *curve25519;        /* the device's identity keys (public) */
    char *ed25519;
    bool device_published;   /* the device keys are on the server (kept in adapter state) */
    bool uploading;          /* one /keys/upload at a time */
    bool fallback_needed;    /* the server's fallback key was used: make and upload another */
    long server_otks;        /* one-time keys the server holds, -1 until told */
};

/* The device's row in the store (kind "account", id the device id). */
#define TEND_MATRIX_E2EE_ACCOUNT "account"
/* Pickles the account into the store: 0 or -1 (logged). Call after every change to it. */
int tend_matrix_e2ee_save_account(tend_matrix *mx);

#endif
