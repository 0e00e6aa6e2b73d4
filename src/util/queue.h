/* queue.h - bounded blocking queue of pointers (one or more producers, N consumers). */
#ifndef KK_QUEUE_H
#define KK_QUEUE_H
#include <pthread.h>
#include <stddef.h>

typedef struct kk_queue {
    void **items;
    size_t cap, head, count;
    int closed;
    pthread_mutex_t mu;
    pthread_cond_t not_empty, not_full;
} kk_queue;

int kk_queue_init(kk_queue *q, size_t cap);
void kk_queue_destroy(kk_queue *q);
/* Blocks while full. KK_OK, or KK_ESTOP when the queue was closed. */
int kk_queue_push(kk_queue *q, void *item);
/* Blocks while empty; returns NULL once closed and drained. */
void *kk_queue_pop(kk_queue *q);
/* No more pushes: consumers drain what is left, then get NULL. */
void kk_queue_close(kk_queue *q);

/* A thread-safe set of keys that answers "is this the first time?" (a warning reported
 * once per rule, ...). */
typedef struct kk_onceset {
    pthread_mutex_t mu;
    unsigned long *v;
    size_t n, a;
} kk_onceset;

void kk_onceset_init(kk_onceset *s);
void kk_onceset_free(kk_onceset *s);
/* 1 the first time key is seen, else 0 (also 0 when out of memory). */
int kk_onceset_first(kk_onceset *s, unsigned long key);

#endif
