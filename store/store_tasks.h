/* store_tasks.h — see store.h for the conventions; included by store.h only. */
#ifndef TEND_STORE_TASKS_H
#define TEND_STORE_TASKS_H

#endif
