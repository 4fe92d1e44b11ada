#include <curl/curl.h>

/* curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot
 * call; these typed wrappers are the only way in. */
static inline CURLcode secstream_curl_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode secstream_curl_setopt_offset(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode secstream_curl_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode secstream_curl_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}
typedef size_t (*secstream_curl_data_callback)(char *buffer, size_t size, size_t count, void *context);
static inline CURLcode secstream_curl_setopt_callback(CURL *handle, CURLoption option,
                                                      secstream_curl_data_callback callback) {
    return curl_easy_setopt(handle, option, callback);
}
typedef int (*secstream_curl_seek_callback)(void *context, curl_off_t offset, int origin);
static inline CURLcode secstream_curl_setopt_seek_callback(CURL *handle, secstream_curl_seek_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_SEEKFUNCTION, callback);
}
static inline CURLcode secstream_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}
