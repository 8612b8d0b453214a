/* store_people.h — see store.h for the conventions; included by store.h only. */
#ifndef TEND_STORE_PEOPLE_H
#define TEND_STORE_PEOPLE_H

#endif
