#include "CMallocTuning.h"

#include <stdlib.h>  // defines __GLIBC__ on glibc

static int cap = 0;

int mlopskit_malloc_arena_cap(void) { return cap; }

#if defined(__GLIBC__)
#include <malloc.h>

__attribute__((constructor)) static void mlopskit_cap_malloc_arenas(void) {
    if (getenv("MALLOC_ARENA_MAX") == NULL && mallopt(M_ARENA_MAX, 2) == 1) cap = 2;
}
#endif
