#ifndef MLOPSKIT_LIBRARY_LOADING_H
#define MLOPSKIT_LIBRARY_LOADING_H

#include <stddef.h>

// What the loaders of libcurl and libxml2 share: open the first library of a list that
// loads, and resolve symbols from it, describing any failure in `failure`.

/// The first of `names` that dlopen loads (RTLD_NOW | RTLD_LOCAL), or NULL with the reason in `failure`.
void *_Nullable mlopskit_open_library(const char *_Nonnull const *_Nonnull names, size_t count, const char *_Nonnull what,
                                      char *_Nonnull failure, size_t failure_size);

/// Resolves `symbol` into `*slot`; 0 with the reason in `failure` when the library lacks it.
int mlopskit_resolve_symbol(void *_Nonnull library, const char *_Nonnull symbol, void *_Nullable *_Nonnull slot,
                            const char *_Nonnull what, const char *_Nonnull requirement, char *_Nonnull failure,
                            size_t failure_size);

#endif
