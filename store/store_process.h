/* store_process.h — see store.h for the conventions; included by store.h only. */
#ifndef TEND_STORE_PROCESS_H
#define TEND_STORE_PROCESS_H

#endif
