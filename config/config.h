/* config.h — placeholder; the config issue defines the real interface. */
#ifndef TEND_CONFIG_H
#define TEND_CONFIG_H
#endif
