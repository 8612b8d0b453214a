/* icu.c — see icu.h. */
#include "lib/icu.h"

#include <dlfcn.h>
#include <stddef.h>
#include <string.h>

#include <unicode/uvernum.h>

#include "lib/log.h"

#define STR_(x) #x
#define STR(x) STR_(x)
/* libicui18n brings libicuuc (and ICU's data) as its own dependencies; dlsym on its handle finds
 * the functions of both */
#define ICU_LIBRARY "libicui18n.so." STR(U_ICU_VERSION_MAJOR_NUM)

static tend_icu icu;
static void *handle;
static bool failed; /* said once; not tried again */

/* Each entry point by the name the headers turn it into (u_charType -> "u_charType_72"). */
#define LOOK_UP(field, fn) {offsetof(tend_icu, field), STR(fn)}
static const struct {
    size_t offset;
    const char *symbol;
} entries[] = {
    LOOK_UP(char_type, u_charType),
    LOOK_UP(has_binary_property, u_hasBinaryProperty),
    LOOK_UP(is_white_space, u_isUWhiteSpace),
    LOOK_UP(str_from_utf8, u_strFromUTF8),
    LOOK_UP(str_to_utf8, u_strToUTF8),
    LOOK_UP(str_fold_case, u_strFoldCase),
    LOOK_UP(str_ncmp, u_strncmp),
    LOOK_UP(nfc_instance, unorm2_getNFCInstance),
    LOOK_UP(nfd_instance, unorm2_getNFDInstance),
    LOOK_UP(normalize, unorm2_normalize),
    LOOK_UP(spoof_open, uspoof_open),
    LOOK_UP(spoof_close, uspoof_close),
    LOOK_UP(spoof_skeleton, uspoof_getSkeleton),
    LOOK_UP(cleanup, u_cleanup),
};

const tend_icu *tend_icu_get(void)
{
    if (handle)
        return &icu;
    if (failed)
        return NULL;
    void *h = dlopen(ICU_LIBRARY, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        failed = true;
        tend_log(TEND_LOG_ERROR, "icu", "cannot load %s (%s): names and accented words cannot be checked",
                 ICU_LIBRARY, dlerror());
        return NULL;
    }
    for (size_t i = 0; i < sizeof entries / sizeof entries[0]; i++) {
        void *fn = dlsym(h, entries[i].symbol);
        if (!fn) {
            failed = true;
            tend_log(TEND_LOG_ERROR, "icu", "%s has no %s: names and accented words cannot be checked",
                     ICU_LIBRARY, entries[i].symbol);
            dlclose(h);
            return NULL;
        }
        /* POSIX guarantees a function pointer survives the round trip through void * */
        memcpy((char *)&icu + entries[i].offset, &fn, sizeof fn);
    }
    handle = h;
    return &icu;
}

bool tend_icu_loaded(void)
{
    return handle != NULL;
}

void tend_icu_unload(void)
{
    if (!handle)
        return;
    icu.cleanup();
    dlclose(handle);
    handle = NULL;
}
