/* store_schedule.h — see store.h for the conventions; included by store.h only. */
#ifndef TEND_STORE_SCHEDULE_H
#define TEND_STORE_SCHEDULE_H

#endif
