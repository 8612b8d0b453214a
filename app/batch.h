/*
 * batch.h — group commit for the commands of one turn of the loop (batch.c). App-only.
 */
#ifndef TEND_APP_BATCH_H
#define TEND_APP_BATCH_H

#include <stdbool.h>

typedef struct tend_app tend_app;
typedef struct tend_batch tend_batch;

/* Never NULL but without memory; without a loop every command commits on its own. */
tend_batch *tend_batch_create(tend_app *app);
/* Before a command runs: opens the turn's group if none is open (the sender holds its answers). */
void tend_batch_enter(tend_batch *b);
bool tend_batch_open(const tend_batch *b);
/* Commits the group and lets its answers go (or tells each member nothing was changed). */
void tend_batch_end(tend_batch *b);
/* Ends any open group and closes the handles (before the loop's last run). */
void tend_batch_close(tend_batch *b);
void tend_batch_destroy(tend_batch *b);

#endif
