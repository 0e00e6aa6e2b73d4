#include "queue.h"
#include "err.h"

#include <stdlib.h>

int kk_queue_init(kk_queue *q, size_t cap)
{
    q->items = calloc(cap ? cap : 1, sizeof *q->items);
    if (!q->items)
        return kk_err_set(KK_ENOMEM, "out of memory for a queue");
    q->cap = cap ? cap : 1;
    q->head = q->count = 0;
    q->closed = 0;
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->not_empty, NULL);
    pthread_cond_init(&q->not_full, NULL);
    return KK_OK;
}

void kk_queue_destroy(kk_queue *q)
{
    free(q->items);
    q->items = NULL;
    pthread_mutex_destroy(&q->mu);
    pthread_cond_destroy(&q->not_empty);
    pthread_cond_destroy(&q->not_full);
}

int kk_queue_push(kk_queue *q, void *item)
{
    pthread_mutex_lock(&q->mu);
    while (q->count == q->cap && !q->closed)
        pthread_cond_wait(&q->not_full, &q->mu);
    if (q->closed) {
        pthread_mutex_unlock(&q->mu);
        return KK_ESTOP;
    }
    q->items[(q->head + q->count) % q->cap] = item;
    q->count++;
    pthread_cond_signal(&q->not_empty);
    pthread_mutex_unlock(&q->mu);
    return KK_OK;
}

void *kk_queue_pop(kk_queue *q)
{
    pthread_mutex_lock(&q->mu);
    while (q->count == 0 && !q->closed)
        pthread_cond_wait(&q->not_empty, &q->mu);
    void *item = NULL;
    if (q->count) {
        item = q->items[q->head];
        q->head = (q->head + 1) % q->cap;
        q->count--;
        pthread_cond_signal(&q->not_full);
    }
    pthread_mutex_unlock(&q->mu);
    return item;
}

void kk_queue_close(kk_queue *q)
{
    pthread_mutex_lock(&q->mu);
    q->closed = 1;
    pthread_cond_broadcast(&q->not_empty);
    pthread_cond_broadcast(&q->not_full);
    pthread_mutex_unlock(&q->mu);
}

void kk_onceset_init(kk_onceset *s)
{
    pthread_mutex_init(&s->mu, NULL);
    s->v = NULL;
    s->n = s->a = 0;
}

void kk_onceset_free(kk_onceset *s)
{
    pthread_mutex_destroy(&s->mu);
    free(s->v);
    s->v = NULL;
    s->n = s->a = 0;
}

int kk_onceset_first(kk_onceset *s, unsigned long key)
{
    int first = 1;
    pthread_mutex_lock(&s->mu);
    for (size_t i = 0; i < s->n && first; i++)
        first = s->v[i] != key;
    if (first && s->n == s->a) {
        size_t a = s->a ? s->a * 2 : 16;
        unsigned long *v = realloc(s->v, a * sizeof *v);
        if (v) {
            s->v = v;
            s->a = a;
        } else {
            first = 0;
        }
    }
    if (first)
        s->v[s->n++] = key;
    pthread_mutex_unlock(&s->mu);
    return first;
}
