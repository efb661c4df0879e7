#ifndef MLOPSKIT_CCURL_SHIM_H
#define MLOPSKIT_CCURL_SHIM_H

// libcurl's declarations only: its types and constants. MLOpsKit does not link libcurl; CCurlLoader
// loads it when the first libcurl transport is made, so a program that never uses one never loads it.
#include <curl/curl.h>

#endif
