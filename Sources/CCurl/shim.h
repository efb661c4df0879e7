#ifndef MLOPSKIT_CCURL_SHIM_H
#define MLOPSKIT_CCURL_SHIM_H

#include <curl/curl.h>
#include <stdint.h>

// libcurl's setopt/getinfo functions are C variadics, which Swift cannot call.
// These typed wrappers are the only way MLOpsKit reaches them.

static inline CURLcode mlopskit_easy_setopt_long(CURL *_Nonnull handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode mlopskit_easy_setopt_off(CURL *_Nonnull handle, CURLoption option, int64_t value) {
    return curl_easy_setopt(handle, option, (curl_off_t)value);
}

static inline CURLcode mlopskit_easy_setopt_string(CURL *_Nonnull handle, CURLoption option, const char *_Nullable value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode mlopskit_easy_setopt_pointer(CURL *_Nonnull handle, CURLoption option, void *_Nullable value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode mlopskit_easy_setopt_slist(CURL *_Nonnull handle, CURLoption option, struct curl_slist *_Nullable value) {
    return curl_easy_setopt(handle, option, value);
}

typedef size_t (*mlopskit_data_callback)(char *_Nonnull buffer, size_t size, size_t count, void *_Nullable context);
typedef int (*mlopskit_progress_callback)(void *_Nullable context, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow);
typedef int (*mlopskit_seek_callback)(void *_Nullable context, curl_off_t offset, int origin);

static inline CURLcode mlopskit_easy_setopt_data_callback(CURL *_Nonnull handle, CURLoption option, mlopskit_data_callback _Nullable callback) {
    return curl_easy_setopt(handle, option, callback);
}

static inline CURLcode mlopskit_easy_setopt_progress_callback(CURL *_Nonnull handle, mlopskit_progress_callback _Nullable callback) {
    return curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, callback);
}

static inline CURLcode mlopskit_easy_setopt_seek_callback(CURL *_Nonnull handle, mlopskit_seek_callback _Nullable callback) {
    return curl_easy_setopt(handle, CURLOPT_SEEKFUNCTION, callback);
}

static inline CURLcode mlopskit_easy_getinfo_long(CURL *_Nonnull handle, CURLINFO info, long *_Nonnull value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode mlopskit_easy_getinfo_double(CURL *_Nonnull handle, CURLINFO info, double *_Nonnull value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode mlopskit_easy_getinfo_off(CURL *_Nonnull handle, CURLINFO info, curl_off_t *_Nonnull value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode mlopskit_easy_getinfo_pointer(CURL *_Nonnull handle, CURLINFO info, void *_Nullable *_Nonnull value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLMcode mlopskit_multi_setopt_long(CURLM *_Nonnull handle, CURLMoption option, long value) {
    return curl_multi_setopt(handle, option, value);
}

/// The result code of a finished transfer (the union member of CURLMsg).
static inline CURLcode mlopskit_multi_message_result(CURLMsg *_Nonnull message) {
    return message->data.result;
}

/// The libcurl version string (CURLVERSION_NOW is a macro Swift cannot see).
static inline const char *_Nullable mlopskit_curl_version(void) {
    curl_version_info_data *info = curl_version_info(CURLVERSION_NOW);
    return info ? info->version : 0;
}

#endif
