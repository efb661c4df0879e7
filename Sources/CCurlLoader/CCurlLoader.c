#include "CCurlLoader.h"

#include "CLibraryLoading.h"
#include <pthread.h>
#include <stdio.h>
#include <string.h>

// The libcurl functions MLOpsKit calls, resolved once from the loaded library.
static struct {
    CURLcode (*global_init)(long);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *);
    const char *(*easy_strerror)(CURLcode);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
    CURLM *(*multi_init)(void);
    CURLMcode (*multi_cleanup)(CURLM *);
    CURLMcode (*multi_setopt)(CURLM *, CURLMoption, ...);
    CURLMcode (*multi_add_handle)(CURLM *, CURL *);
    CURLMcode (*multi_remove_handle)(CURLM *, CURL *);
    CURLMcode (*multi_perform)(CURLM *, int *);
    CURLMcode (*multi_poll)(CURLM *, struct curl_waitfd *, unsigned int, int, int *);
    CURLMcode (*multi_wakeup)(CURLM *);
    CURLMsg *(*multi_info_read)(CURLM *, int *);
    const char *(*multi_strerror)(CURLMcode);
    curl_version_info_data *(*version_info)(CURLversion);
} api;

static int loaded = 0;
static char failure[512];
static pthread_once_t once = PTHREAD_ONCE_INIT;

#if defined(__APPLE__)
static const char *const names[] = {"libcurl.4.dylib", "libcurl.dylib"};
#else
static const char *const names[] = {"libcurl.so.4", "libcurl.so"};
#endif

static void load(void) {
    void *library = mlopskit_open_library(names, sizeof names / sizeof names[0], "libcurl", failure, sizeof failure);
    if (!library) return;
    const struct { void **slot; const char *symbol; } symbols[] = {
        {(void **)&api.global_init, "curl_global_init"},
        {(void **)&api.easy_init, "curl_easy_init"},
        {(void **)&api.easy_cleanup, "curl_easy_cleanup"},
        {(void **)&api.easy_strerror, "curl_easy_strerror"},
        {(void **)&api.easy_setopt, "curl_easy_setopt"},
        {(void **)&api.easy_getinfo, "curl_easy_getinfo"},
        {(void **)&api.slist_append, "curl_slist_append"},
        {(void **)&api.slist_free_all, "curl_slist_free_all"},
        {(void **)&api.multi_init, "curl_multi_init"},
        {(void **)&api.multi_cleanup, "curl_multi_cleanup"},
        {(void **)&api.multi_setopt, "curl_multi_setopt"},
        {(void **)&api.multi_add_handle, "curl_multi_add_handle"},
        {(void **)&api.multi_remove_handle, "curl_multi_remove_handle"},
        {(void **)&api.multi_perform, "curl_multi_perform"},
        {(void **)&api.multi_poll, "curl_multi_poll"},
        {(void **)&api.multi_wakeup, "curl_multi_wakeup"},
        {(void **)&api.multi_info_read, "curl_multi_info_read"},
        {(void **)&api.multi_strerror, "curl_multi_strerror"},
        {(void **)&api.version_info, "curl_version_info"},
    };
    for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; i++) {
        if (!mlopskit_resolve_symbol(library, symbols[i].symbol, symbols[i].slot, "libcurl", "7.68 or later needed", failure, sizeof failure)) return;
    }
    CURLcode code = api.global_init(CURL_GLOBAL_ALL);
    if (code != CURLE_OK) {
        snprintf(failure, sizeof failure, "curl_global_init failed: %s", api.easy_strerror(code));
        return;
    }
    loaded = 1;
}

const char *mlopskit_curl_load(void) {
    pthread_once(&once, load);
    return loaded ? NULL : failure;
}

// Each wrapper loads libcurl first (a no-op after the first call) so that none can run unloaded.
#define READY (mlopskit_curl_load() == NULL)

CURL *mlopskit_curl_easy_init(void) { return READY ? api.easy_init() : NULL; }
void mlopskit_curl_easy_cleanup(CURL *handle) { if (READY) api.easy_cleanup(handle); }
const char *mlopskit_curl_easy_strerror(CURLcode code) { return READY ? api.easy_strerror(code) : failure; }

CURLcode mlopskit_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return READY ? api.easy_setopt(handle, option, value) : CURLE_FAILED_INIT;
}
CURLcode mlopskit_easy_setopt_off(CURL *handle, CURLoption option, int64_t value) {
    return READY ? api.easy_setopt(handle, option, (curl_off_t)value) : CURLE_FAILED_INIT;
}
CURLcode mlopskit_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return READY ? api.easy_setopt(handle, option, value) : CURLE_FAILED_INIT;
}
CURLcode mlopskit_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return READY ? api.easy_setopt(handle, option, value) : CURLE_FAILED_INIT;
}
CURLcode mlopskit_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return READY ? api.easy_setopt(handle, option, value) : CURLE_FAILED_INIT;
}
CURLcode mlopskit_easy_setopt_data_callback(CURL *handle, CURLoption option, mlopskit_data_callback callback) {
    return READY ? api.easy_setopt(handle, option, callback) : CURLE_FAILED_INIT;
}
CURLcode mlopskit_easy_setopt_progress_callback(CURL *handle, mlopskit_progress_callback callback) {
    return READY ? api.easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, callback) : CURLE_FAILED_INIT;
}
CURLcode mlopskit_easy_setopt_seek_callback(CURL *handle, mlopskit_seek_callback callback) {
    return READY ? api.easy_setopt(handle, CURLOPT_SEEKFUNCTION, callback) : CURLE_FAILED_INIT;
}
CURLcode mlopskit_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return READY ? api.easy_getinfo(handle, info, value) : CURLE_FAILED_INIT;
}
CURLcode mlopskit_easy_getinfo_double(CURL *handle, CURLINFO info, double *value) {
    return READY ? api.easy_getinfo(handle, info, value) : CURLE_FAILED_INIT;
}
CURLcode mlopskit_easy_getinfo_off(CURL *handle, CURLINFO info, curl_off_t *value) {
    return READY ? api.easy_getinfo(handle, info, value) : CURLE_FAILED_INIT;
}
CURLcode mlopskit_easy_getinfo_pointer(CURL *handle, CURLINFO info, void **value) {
    return READY ? api.easy_getinfo(handle, info, value) : CURLE_FAILED_INIT;
}

struct curl_slist *mlopskit_curl_slist_append(struct curl_slist *list, const char *text) {
    return READY ? api.slist_append(list, text) : NULL;
}
void mlopskit_curl_slist_free_all(struct curl_slist *list) { if (READY) api.slist_free_all(list); }

CURLM *mlopskit_curl_multi_init(void) { return READY ? api.multi_init() : NULL; }
CURLMcode mlopskit_curl_multi_cleanup(CURLM *multi) { return READY ? api.multi_cleanup(multi) : CURLM_INTERNAL_ERROR; }
CURLMcode mlopskit_multi_setopt_long(CURLM *multi, CURLMoption option, long value) {
    return READY ? api.multi_setopt(multi, option, value) : CURLM_INTERNAL_ERROR;
}
CURLMcode mlopskit_curl_multi_add_handle(CURLM *multi, CURL *handle) {
    return READY ? api.multi_add_handle(multi, handle) : CURLM_INTERNAL_ERROR;
}
CURLMcode mlopskit_curl_multi_remove_handle(CURLM *multi, CURL *handle) {
    return READY ? api.multi_remove_handle(multi, handle) : CURLM_INTERNAL_ERROR;
}
CURLMcode mlopskit_curl_multi_perform(CURLM *multi, int *running) {
    return READY ? api.multi_perform(multi, running) : CURLM_INTERNAL_ERROR;
}
CURLMcode mlopskit_curl_multi_poll(CURLM *multi, struct curl_waitfd *extra, unsigned int count, int timeout, int *ready) {
    return READY ? api.multi_poll(multi, extra, count, timeout, ready) : CURLM_INTERNAL_ERROR;
}
CURLMcode mlopskit_curl_multi_wakeup(CURLM *multi) { return READY ? api.multi_wakeup(multi) : CURLM_INTERNAL_ERROR; }
CURLMsg *mlopskit_curl_multi_info_read(CURLM *multi, int *queued) {
    return READY ? api.multi_info_read(multi, queued) : NULL;
}
const char *mlopskit_curl_multi_strerror(CURLMcode code) { return READY ? api.multi_strerror(code) : failure; }

CURLcode mlopskit_multi_message_result(CURLMsg *message) { return message->data.result; }

const char *mlopskit_curl_version(void) {
    if (!READY) return NULL;
    curl_version_info_data *info = api.version_info(CURLVERSION_NOW);
    return info ? info->version : NULL;
}
