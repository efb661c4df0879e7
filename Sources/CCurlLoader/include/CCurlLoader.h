#ifndef MLOPSKIT_CCURL_LOADER_H
#define MLOPSKIT_CCURL_LOADER_H

#include <curl/curl.h>
#include <stdint.h>

// libcurl, loaded with dlopen on first use instead of linked: a program that never makes a libcurl
// transport never maps libcurl and the TLS, Kerberos and LDAP libraries it depends on.
//
// Every function below is safe to call when libcurl could not be loaded: it fails the way libcurl
// reports failure (NULL handles, CURLE_FAILED_INIT, CURLM_INTERNAL_ERROR).

/// Loads libcurl (once) and runs curl_global_init. NULL on success, otherwise why it failed.
const char *_Nullable mlopskit_curl_load(void);

typedef size_t (*mlopskit_data_callback)(char *_Nonnull buffer, size_t size, size_t count, void *_Nullable context);
typedef int (*mlopskit_progress_callback)(void *_Nullable context, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow);
typedef int (*mlopskit_seek_callback)(void *_Nullable context, curl_off_t offset, int origin);

CURL *_Nullable mlopskit_curl_easy_init(void);
void mlopskit_curl_easy_cleanup(CURL *_Nonnull handle);
const char *_Nonnull mlopskit_curl_easy_strerror(CURLcode code);

// libcurl's setopt/getinfo functions are C variadics, which Swift cannot call: typed wrappers.
CURLcode mlopskit_easy_setopt_long(CURL *_Nonnull handle, CURLoption option, long value);
CURLcode mlopskit_easy_setopt_off(CURL *_Nonnull handle, CURLoption option, int64_t value);
CURLcode mlopskit_easy_setopt_string(CURL *_Nonnull handle, CURLoption option, const char *_Nullable value);
CURLcode mlopskit_easy_setopt_pointer(CURL *_Nonnull handle, CURLoption option, void *_Nullable value);
CURLcode mlopskit_easy_setopt_slist(CURL *_Nonnull handle, CURLoption option, struct curl_slist *_Nullable value);
CURLcode mlopskit_easy_setopt_data_callback(CURL *_Nonnull handle, CURLoption option, mlopskit_data_callback _Nullable callback);
CURLcode mlopskit_easy_setopt_progress_callback(CURL *_Nonnull handle, mlopskit_progress_callback _Nullable callback);
CURLcode mlopskit_easy_setopt_seek_callback(CURL *_Nonnull handle, mlopskit_seek_callback _Nullable callback);
CURLcode mlopskit_easy_getinfo_long(CURL *_Nonnull handle, CURLINFO info, long *_Nonnull value);
CURLcode mlopskit_easy_getinfo_double(CURL *_Nonnull handle, CURLINFO info, double *_Nonnull value);
CURLcode mlopskit_easy_getinfo_off(CURL *_Nonnull handle, CURLINFO info, curl_off_t *_Nonnull value);
CURLcode mlopskit_easy_getinfo_pointer(CURL *_Nonnull handle, CURLINFO info, void *_Nullable *_Nonnull value);

struct curl_slist *_Nullable mlopskit_curl_slist_append(struct curl_slist *_Nullable list, const char *_Nonnull text);
void mlopskit_curl_slist_free_all(struct curl_slist *_Nullable list);

CURLM *_Nullable mlopskit_curl_multi_init(void);
CURLMcode mlopskit_curl_multi_cleanup(CURLM *_Nonnull multi);
CURLMcode mlopskit_multi_setopt_long(CURLM *_Nonnull multi, CURLMoption option, long value);
CURLMcode mlopskit_curl_multi_add_handle(CURLM *_Nonnull multi, CURL *_Nonnull handle);
CURLMcode mlopskit_curl_multi_remove_handle(CURLM *_Nonnull multi, CURL *_Nonnull handle);
CURLMcode mlopskit_curl_multi_perform(CURLM *_Nonnull multi, int *_Nonnull running);
CURLMcode mlopskit_curl_multi_poll(CURLM *_Nonnull multi, struct curl_waitfd *_Nullable extra, unsigned int count, int timeout, int *_Nullable ready);
CURLMcode mlopskit_curl_multi_wakeup(CURLM *_Nonnull multi);
CURLMsg *_Nullable mlopskit_curl_multi_info_read(CURLM *_Nonnull multi, int *_Nonnull queued);
const char *_Nonnull mlopskit_curl_multi_strerror(CURLMcode code);

/// The result code of a finished transfer (the union member of CURLMsg).
CURLcode mlopskit_multi_message_result(CURLMsg *_Nonnull message);

/// The libcurl version string, NULL when libcurl is not loaded.
const char *_Nullable mlopskit_curl_version(void);

#endif
