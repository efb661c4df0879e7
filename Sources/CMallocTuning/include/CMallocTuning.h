#ifndef MLOPSKIT_MALLOC_TUNING_H
#define MLOPSKIT_MALLOC_TUNING_H

// A program that links this target (autoserve-agent) caps glibc's malloc arenas at 2 before main, unless
// MALLOC_ARENA_MAX is set: a mostly idle process needs few, and glibc's default (8 per core) gives each
// new thread (a request of the socket transport, a connection of the HTTP server) an arena of its own,
// whose freed memory the next thread does not reuse. The cap must be set before the first threads
// allocate, which is before any Swift code runs.

/// The arena cap set at start-up: 2, or 0 when MALLOC_ARENA_MAX was set or the C library is not glibc.
int mlopskit_malloc_arena_cap(void);

#endif
