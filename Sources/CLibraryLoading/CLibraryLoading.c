#include "CLibraryLoading.h"

#include <dlfcn.h>
#include <stdio.h>

void *mlopskit_open_library(const char *const *names, size_t count, const char *what, char *failure, size_t failure_size) {
    for (size_t i = 0; i < count; i++) {
        void *library = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
        if (library) return library;
    }
    const char *reason = dlerror();
    snprintf(failure, failure_size, "%s could not be loaded (%s): %s", what, count ? names[0] : "", reason ? reason : "not found");
    return NULL;
}

int mlopskit_resolve_symbol(void *library, const char *symbol, void **slot, const char *what, const char *requirement,
                            char *failure, size_t failure_size) {
    *slot = dlsym(library, symbol);
    if (*slot) return 1;
    snprintf(failure, failure_size, "the loaded %s lacks %s (%s)", what, symbol, requirement);
    return 0;
}
