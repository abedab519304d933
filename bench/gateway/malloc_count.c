// An LD_PRELOAD shim that counts heap allocations, for finding allocation on
// the gateway's request path: every second it writes "<mallocs> <bytes>" (the
// totals since start, all threads) to the file named by MALLOC_COUNT_FILE.
// Read the file, send N requests, read it again: the difference over N is
// the allocations per request.
//   cc -O2 -shared -fPIC -o malloc_count.so bench/gateway/malloc_count.c -ldl -lpthread
//   MALLOC_COUNT_FILE=/tmp/mc LD_PRELOAD=./malloc_count.so rampart serve ...
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static atomic_ulong g_count, g_bytes;
static void* (*real_malloc)(size_t);
static void* (*real_calloc)(size_t, size_t);
static void* (*real_realloc)(void*, size_t);
static int (*real_posix_memalign)(void**, size_t, size_t);
static void* (*real_aligned_alloc)(size_t, size_t);

// dlsym may call calloc before real_calloc is known: serve it from here.
static char g_boot[4096];
static size_t g_boot_used;

static void* Writer(void* arg) {
  const char* path = arg;
  for (;;) {
    sleep(1);
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE* f = fopen(tmp, "w");
    if (f == NULL) continue;
    fprintf(f, "%lu %lu\n", atomic_load(&g_count), atomic_load(&g_bytes));
    fclose(f);
    rename(tmp, path);
  }
  return NULL;
}

__attribute__((constructor)) static void Init(void) {
  real_malloc = dlsym(RTLD_NEXT, "malloc");
  real_calloc = dlsym(RTLD_NEXT, "calloc");
  real_realloc = dlsym(RTLD_NEXT, "realloc");
  real_posix_memalign = dlsym(RTLD_NEXT, "posix_memalign");
  real_aligned_alloc = dlsym(RTLD_NEXT, "aligned_alloc");
  const char* path = getenv("MALLOC_COUNT_FILE");
  if (path != NULL) {
    pthread_t t;
    pthread_create(&t, NULL, Writer, strdup(path));
    pthread_detach(t);
  }
}

static void Count(size_t n) {
  atomic_fetch_add_explicit(&g_count, 1, memory_order_relaxed);
  atomic_fetch_add_explicit(&g_bytes, n, memory_order_relaxed);
}

void* malloc(size_t n) {
  if (real_malloc == NULL) Init();
  Count(n);
  return real_malloc(n);
}

void* calloc(size_t a, size_t b) {
  if (real_calloc == NULL) {
    size_t n = (a * b + 15) & ~(size_t)15;
    if (g_boot_used + n > sizeof g_boot) return NULL;
    void* p = g_boot + g_boot_used;
    g_boot_used += n;
    return p;  // already zero
  }
  Count(a * b);
  return real_calloc(a, b);
}

void* realloc(void* p, size_t n) {
  if (real_realloc == NULL) Init();
  Count(n);
  return real_realloc(p, n);
}

int posix_memalign(void** p, size_t a, size_t n) {
  if (real_posix_memalign == NULL) Init();
  Count(n);
  return real_posix_memalign(p, a, n);
}

void* aligned_alloc(size_t a, size_t n) {
  if (real_aligned_alloc == NULL) Init();
  Count(n);
  return real_aligned_alloc(a, n);
}

void free(void* p) {
  static void (*real_free)(void*);
  if ((char*)p >= g_boot && (char*)p < g_boot + sizeof g_boot) return;
  if (real_free == NULL) real_free = dlsym(RTLD_NEXT, "free");
  real_free(p);
}
